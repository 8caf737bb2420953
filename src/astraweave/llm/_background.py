"""A private asyncio loop on a daemon thread, so the game tick never waits on an LLM.

The loop starts on first use (never at import), runs coroutines submitted from any
thread, and hands back :class:`Ticket` objects that the tick polls: ``done()`` never
blocks. :func:`default_loop` is the process-wide loop that the LLM planner and the
synchronous batch helpers share (one loop keeps HTTP connections pooled).
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any, Generic, TypeVar

from astraweave.errors import LlmConfigError

__all__ = ["BackgroundLoop", "Ticket", "default_loop"]

T = TypeVar("T")


class Ticket(Generic[T]):
    """A result that will arrive later; poll it from the game tick.

    Example:
        >>> loop = BackgroundLoop()
        >>> async def answer() -> int:
        ...     return 42
        >>> ticket = loop.submit(answer())
        >>> ticket.wait(5.0)
        42
        >>> ticket.done(), ticket.result()
        (True, 42)
        >>> loop.close()
    """

    def __init__(self, future: concurrent.futures.Future[T]) -> None:
        self._future = future

    def done(self) -> bool:
        """Whether the result (or an error) is there. Never blocks."""
        return self._future.done()

    def result(self) -> T:
        """The result of a finished ticket.

        Raises:
            LlmConfigError: the ticket is not done yet (poll :meth:`done` first).
            Exception: whatever the coroutine raised.
        """
        if not self._future.done():
            raise LlmConfigError(
                "the ticket is not done yet", hint="check ticket.done() before result()"
            )
        return self._future.result()

    def error(self) -> BaseException | None:
        """The exception of a finished ticket, or ``None`` (also while pending)."""
        if not self._future.done() or self._future.cancelled():
            return None
        return self._future.exception()

    def wait(self, timeout_s: float | None = None) -> T:
        """Block until the result is there (for scripts and tests, not the tick).

        Raises:
            TimeoutError: not done within ``timeout_s``.
        """
        return self._future.result(timeout=timeout_s)

    def cancel(self) -> bool:
        """Cancel the work if it has not finished; returns whether it was cancelled."""
        return self._future.cancel()

    def cancelled(self) -> bool:
        """Whether the ticket was cancelled."""
        return self._future.cancelled()


class BackgroundLoop:
    """An asyncio event loop running on its own daemon thread, started lazily.

    Args:
        name: the thread's name.

    Example:
        >>> loop = BackgroundLoop()
        >>> loop.started
        False
        >>> async def double(x: int) -> int:
        ...     return 2 * x
        >>> loop.run(double(21)), loop.started
        (42, True)
        >>> loop.close(); loop.started
        False
    """

    def __init__(self, name: str = "astraweave-llm") -> None:
        self._name = name
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def started(self) -> bool:
        """Whether the thread is running."""
        return self._thread is not None and self._thread.is_alive()

    def _ensure(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._thread is None or not self._thread.is_alive():
                loop = asyncio.new_event_loop()
                ready = threading.Event()

                def _run() -> None:
                    asyncio.set_event_loop(loop)
                    loop.call_soon(ready.set)
                    loop.run_forever()

                thread = threading.Thread(target=_run, name=self._name, daemon=True)
                thread.start()
                ready.wait()
                self._loop, self._thread = loop, thread
            return self._loop

    def in_loop_thread(self) -> bool:
        """Whether the caller runs on this loop's thread."""
        return self._thread is not None and threading.current_thread() is self._thread

    def submit(self, coro: Coroutine[Any, Any, T]) -> Ticket[T]:
        """Schedule ``coro`` on the loop and return at once with a :class:`Ticket`."""
        loop = self._ensure()
        return Ticket(asyncio.run_coroutine_threadsafe(coro, loop))

    def run(self, coro: Coroutine[Any, Any, T], timeout_s: float | None = None) -> T:
        """Run ``coro`` on the loop and wait for its result.

        Raises:
            LlmConfigError: called from the loop's own thread (it would deadlock).
            TimeoutError: not done within ``timeout_s``.
        """
        if self.in_loop_thread():
            coro.close()
            raise LlmConfigError(
                "BackgroundLoop.run() called from its own thread would deadlock",
                hint="await the coroutine instead",
            )
        return self.submit(coro).wait(timeout_s)

    def close(self) -> None:
        """Stop the loop and join its thread (pending work is cancelled)."""
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None:
            return

        async def _shutdown() -> None:
            current = asyncio.current_task()
            tasks = [t for t in asyncio.all_tasks() if t is not current]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            loop.stop()

        if thread.is_alive():
            asyncio.run_coroutine_threadsafe(_shutdown(), loop)
            thread.join(timeout=5.0)
        if not thread.is_alive():
            loop.close()


_DEFAULT: BackgroundLoop | None = None
_DEFAULT_LOCK = threading.Lock()


def default_loop() -> BackgroundLoop:
    """The process-wide background loop (created on first call, closed at exit).

    Example:
        >>> default_loop() is default_loop()
        True
    """
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = BackgroundLoop()
            atexit.register(_DEFAULT.close)
        return _DEFAULT
