"""Run CPU-bound model work (language id, sentiment) off the event loop, in a daemon thread.

Not asyncio.to_thread: its pool is joined when the loop shuts down, and a model being trained on
first use (many seconds on a busy machine) would then hold up the process's exit after Ctrl+C. A
daemon thread per call is cheap beside a model call, and is simply dropped at exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


async def off_loop(work: Callable[[], T]) -> T:
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def succeed(result: T) -> None:
        if not future.done():  # done: the awaiting task was cancelled meanwhile
            future.set_result(result)

    def fail(error: BaseException) -> None:
        if not future.done():
            future.set_exception(error)

    def run() -> None:
        try:
            result = work()
        except BaseException as exc:  # handed to the awaiting task
            with contextlib.suppress(RuntimeError):  # the loop has closed: nobody waits any more
                loop.call_soon_threadsafe(fail, exc)
            return
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(succeed, result)

    threading.Thread(target=run, name="destek-model", daemon=True).start()
    return await future
