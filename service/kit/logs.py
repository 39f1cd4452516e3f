"""How the service logs: one handler on the root logger, so that uvicorn's, SQLAlchemy's and the
service's own lines all come out alike: JSON lines (LOG_FORMAT=json, the default), or lines for
people (LOG_FORMAT=console). Every line written while a request is handled carries its id.

And what no log line may carry: stream tickets, the one credential that rides in a URL (`?ticket=`,
however its name is percent-encoded). uvicorn writes URLs, at its trace level, in every ASGI scope it
logs; the filter rewrites those records before any handler formats them, keeping their arguments'
shape. uvicorn's own access log is off for good, whatever its options say: the service writes each
request's line itself (service/kit/observe.py), without the query.

Nor may a line be forged: the console format writes control characters (a decoded CR or LF in a
path, a terminal's escape sequences) as escapes, in every field.
"""

import logging
import re
import sys
from typing import Any, Literal
from urllib.parse import unquote_plus

from pythonjsonlogger.json import JsonFormatter

from service.kit.observe import request_id
from service.settings import Settings

HANDLER = "taskboard"
CONSOLE = "%(asctime)s %(levelname)-7s %(name)s [%(requestId)s] %(message)s"

# A query parameter, as a URL or a logged scope's bytes write it.
PARAMETER = re.compile(r"(?<![^?&\s'\"])([^=&?\s'\"]+)=([^&\s'\"]*)")
# uvicorn's loggers that write request URLs: the ASGI messages at trace level, and its errors.
URL_LOGGERS = ("uvicorn.asgi", "uvicorn.error")
# C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
CONTROLS = {c: f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}" for c in (*range(32), *range(127, 160), 0x2028, 0x2029)}


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
    return PARAMETER.sub(_hidden_ticket, text) if "=" in text else value


def _hidden_ticket(parameter: re.Match[str]) -> str:
    name = parameter[1]
    return f"{name}=[hidden]" if unquote_plus(name).strip().lower() == "ticket" else parameter[0]


class Escaped(logging.Formatter):
    """The console format, with control characters escaped in what the record says (a traceback,
    which the service's own code writes, keeps its lines)."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return super().formatMessage(record).translate(CONTROLS)


def hide_tickets() -> None:
    """Installs the filter on the loggers that write URLs (once per process)."""
    for name in URL_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, HideTickets) for f in logger.filters):
            logger.addFilter(HideTickets())


class WithRequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.requestId = request_id.get()
        record.__dict__.pop("color_message", None)  # uvicorn's copy of the message, in terminal colours
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
        root.addHandler(handler)
    _dress(handler, log_format)
    uvicorn_logger = logging.getLogger("uvicorn")
    uvicorn_logger.handlers.clear()
    uvicorn_logger.propagate = True
    # Off, and with no handler to find: uvicorn then does not even format its lines.
    uvicorn_access = logging.getLogger("uvicorn.access")
    uvicorn_access.handlers.clear()
    uvicorn_access.propagate = False
    uvicorn_access.disabled = True
    logging.getLogger("taskboard").setLevel(level)


def _dress(handler: logging.Handler, log_format: Literal["json", "console"]) -> None:
    if not any(isinstance(f, WithRequestId) for f in handler.filters):
        handler.addFilter(WithRequestId())
    if log_format == "json":
        fields = ["levelname", "name", "message"]
        handler.setFormatter(
            JsonFormatter(fields, rename_fields={"levelname": "level", "name": "logger"}, timestamp="time")
        )
    else:
        handler.setFormatter(Escaped(CONSOLE))


def uvicorn_handler() -> logging.Handler:
    """The service's handler for uvicorn's own process (`--log-config service/kit/uvicorn-logging.json`):
    the supervisor of several workers writes its lines as the workers do, in one stream."""
    handler = logging.StreamHandler(sys.stderr)
    _dress(handler, Settings().log_format)
    return handler
