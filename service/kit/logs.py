"""What no log line may carry: stream tickets, the one credential that rides in a URL (`?ticket=`).

uvicorn writes URLs in its access log and, at its trace level, in every ASGI scope it logs; the
filter rewrites those records before any handler formats them, keeping their arguments' shape
(uvicorn's access formatter unpacks them).
"""

import logging
import re
from typing import Any

TICKET = re.compile(r"(ticket=)[^&\s'\"]+")
# uvicorn's loggers that write request URLs: the access log, and the ASGI messages at trace level.
URL_LOGGERS = ("uvicorn.access", "uvicorn.asgi", "uvicorn.error")


class HideTickets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _hidden(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_hidden(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _hidden(arg) for key, arg in record.args.items()}
        return True


def _hidden(value: Any) -> Any:
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    return TICKET.sub(r"\1[hidden]", text) if "ticket=" in text else value


def hide_tickets() -> None:
    """Installs the filter on the loggers that write URLs (once per process)."""
    for name in URL_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, HideTickets) for f in logger.filters):
            logger.addFilter(HideTickets())
