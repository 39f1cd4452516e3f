import logging

import pytest

from service.kit.logs import CONSOLE, Escaped, HideTickets, configure

# The HTTP layer, the same whatever the database.
pytestmark = pytest.mark.once


@pytest.mark.parametrize("name", ["ticket", "%74icket", "Ticket", "tick%65t", "ticket%20"])
def test_a_logged_asgi_scope_keeps_no_ticket_however_its_name_is_written(name: str) -> None:
    scope = {"type": "http", "path": "/v1/projects/7/events", "query_string": f"x=1&{name}=tbs_secret".encode()}
    record = logging.LogRecord("uvicorn.asgi", 5, __file__, 1, "ASGI [%d] Started scope=%s", (1, scope), None)
    HideTickets().filter(record)
    message = record.getMessage()
    assert "tbs_secret" not in message and f"'query_string': b'x=1&{name}=[hidden]'" in message


def test_a_parameter_that_only_ends_in_ticket_is_kept() -> None:
    record = logging.LogRecord("uvicorn.error", logging.INFO, __file__, 1, "%s", ("/x?noticket=1&ticketing=2",), None)
    HideTickets().filter(record)
    assert record.getMessage() == "/x?noticket=1&ticketing=2"


def test_the_console_format_escapes_control_characters_in_every_field() -> None:
    # A path decoded from %0d%0a and %1b: on a terminal, a forged line and a cleared screen.
    record = logging.LogRecord(
        "taskboard.access", logging.INFO, __file__, 1, "%s %s %s", ("GET", "/v1/\r\nINFO forged\x1b[2J\x85", 404), None
    )
    record.requestId = "id\u2028two"
    line = Escaped(CONSOLE).format(record)
    assert "\n" not in line and "\r" not in line and "\x1b" not in line and "\u2028" not in line
    assert line.endswith("INFO    taskboard.access [id\\u2028two] GET /v1/\\x0d\\x0aINFO forged\\x1b[2J\\x85 404")


def test_uvicorns_access_log_stays_off_whatever_it_was_set_to() -> None:
    access = logging.getLogger("uvicorn.access")
    access.addHandler(logging.StreamHandler())
    access.propagate = True
    configure("json", "INFO")
    # uvicorn writes its line only where its logger has a handler to reach.
    assert not access.hasHandlers() and access.disabled
