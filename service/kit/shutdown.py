"""How a process stops (docs/operations.md, "Restarts"). On SIGTERM, `/readyz` answers 503 at once
while the process keeps serving for DRAIN_SECONDS, so that a load balancer takes it out of service
before its listener closes; then its open streams end (their clients resume, elsewhere) and the
server stops as uvicorn does: no new connection, the requests in flight finished. SIGINT (Ctrl-C),
or a second SIGTERM, skips what is left of the drain."""

import asyncio
import logging
import signal
import threading
from collections.abc import Callable
from typing import Any

from service.kit.events.fanout import Broadcaster

logger = logging.getLogger("taskboard")


class Drain:
    """Whether the process was told to stop, and is serving out its drain."""

    def __init__(self) -> None:
        self.draining = False


def on_exit_signals(broadcaster: Broadcaster, drain: Drain, drain_seconds: float) -> Callable[[], None]:
    """Chains the drain before the server's own handlers of SIGTERM and SIGINT; returns the undo.

    uvicorn waits for open responses before it runs the lifespan's shutdown, so a stream must end
    when the server is told to stop, not when the lifespan ends."""
    loop = asyncio.get_running_loop()
    previous: dict[signal.Signals, Any] = {}
    if threading.current_thread() is not threading.main_thread():
        return lambda: None  # only the main thread may set handlers; a server there is not ours

    def stop(handler: Callable[[int, Any], Any], received: int) -> None:
        broadcaster.shut_down()
        handler(received, None)

    for signum in (signal.SIGINT, signal.SIGTERM):
        handler = signal.getsignal(signum)
        if not callable(handler):
            continue

        def drain_then(received: int, frame: Any, handler: Callable[[int, Any], Any] = handler) -> None:
            if received == signal.SIGTERM and not drain.draining and drain_seconds > 0:
                drain.draining = True
                logger.info("told to stop: not ready, serving %s s more before closing", drain_seconds)
                loop.call_soon_threadsafe(loop.call_later, drain_seconds, stop, handler, received)
                return
            drain.draining = True
            loop.call_soon_threadsafe(stop, handler, received)

        previous[signum] = handler
        signal.signal(signum, drain_then)

    def restore() -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

    return restore
