"""Open streams end as soon as the server is told to stop."""

import asyncio
import signal
import threading
from collections.abc import Callable
from typing import Any

from service.kit.events.fanout import Broadcaster


def close_on_exit_signals(broadcaster: Broadcaster) -> Callable[[], None]:
    """Ends every open stream as soon as the server is told to stop; returns the undo.

    uvicorn waits for open responses before it runs the lifespan's shutdown, so a stream must
    end when the signal arrives, not when the lifespan ends. The server's own handler still runs.
    """
    loop = asyncio.get_running_loop()
    previous: dict[signal.Signals, Any] = {}
    if threading.current_thread() is not threading.main_thread():
        return lambda: None  # only the main thread may set handlers; a server there is not ours
    for signum in (signal.SIGINT, signal.SIGTERM):
        handler = signal.getsignal(signum)
        if not callable(handler):
            continue

        def close_then(received: int, frame: Any, handler: Callable[[int, Any], Any] = handler) -> None:
            loop.call_soon_threadsafe(broadcaster.shut_down)
            handler(received, frame)

        previous[signum] = handler
        signal.signal(signum, close_then)

    def restore() -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

    return restore
