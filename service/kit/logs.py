"""How the service logs: one handler on the root logger, so that uvicorn's, SQLAlchemy's and the
service's own lines all come out alike: JSON lines (LOG_FORMAT=json, the default), or lines for
people (LOG_FORMAT=console). Every line written while a request is handled carries its id.

And what no log line may carry: stream tickets, the one credential that rides in a URL (`?ticket=`).
uvicorn writes URLs in its access log and, at its trace level, in every ASGI scope it logs; the
filter rewrites those records before any handler formats them, keeping their arguments' shape
(uvicorn's access formatter unpacks them).
"""

import logging
import re
import sys
from typing import Any, Literal

from pythonjsonlogger.json import JsonFormatter

from service.kit.observe import request_id

HANDLER = "taskboard"
CONSOLE = "%(asctime)s %(levelname)-7s %(name)s [%(requestId)s] %(message)s"

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


class WithRequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.requestId = request_id.get()
        return True


def configure(log_format: Literal["json", "console"], level: str) -> None:
    """Puts the service's handler on the root logger (once per process; again replaces it), routes
    uvicorn's loggers through it, and sets the level of the service's own loggers. The levels of
    other loggers are left as they are (uvicorn's --log-level sets its own)."""
    # What no line of ours shows, and every record would otherwise look up (the logging docs'
    # "Optimization"): the caller's file and line, the thread's and the process's names.
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    root = logging.getLogger()
    handler = next((h for h in root.handlers if h.get_name() == HANDLER), None)
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        handler.set_name(HANDLER)
        handler.addFilter(WithRequestId())
        root.addHandler(handler)
    if log_format == "json":
        fields = ["levelname", "name", "message"]
        handler.setFormatter(
            JsonFormatter(fields, rename_fields={"levelname": "level", "name": "logger"}, timestamp="time")
        )
    else:
        handler.setFormatter(logging.Formatter(CONSOLE))
    for name in ("uvicorn", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    logging.getLogger("taskboard").setLevel(level)
