import logging

from uvicorn.logging import AccessFormatter

from service.kit.logs import HideTickets


def test_uvicorns_access_formatter_still_formats_a_line_whose_ticket_is_hidden() -> None:
    path = "/v1/projects/7/events?ticket=tbs_secret-value_1&x=1"
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", path, "1.1", 200),
        None,
    )
    assert HideTickets().filter(record)
    line = AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False).format(record)
    assert line == '127.0.0.1:5 - "GET /v1/projects/7/events?ticket=[hidden]&x=1 HTTP/1.1" 200 OK'


def test_a_logged_asgi_scope_keeps_no_ticket() -> None:
    scope = {"type": "http", "path": "/v1/projects/7/events", "query_string": b"ticket=tbs_secret"}
    record = logging.LogRecord("uvicorn.asgi", 5, __file__, 1, "ASGI [%d] Started scope=%s", (1, scope), None)
    HideTickets().filter(record)
    message = record.getMessage()
    assert "tbs_secret" not in message and "'query_string': b'ticket=[hidden]'" in message
