"""Batch inference: many agents' requests in flight at once, under an adaptive limit.

:class:`BatchRunner` runs one coroutine per item (an agent's request), at most
``limit`` at a time, and returns one :class:`BatchOutcome` per item id: a value or the
error, so one agent's failure never fails the others. The limit adapts as results
come back (:class:`AdaptiveLimit`, a gradient rule like Netflix's concurrency-limits):
it grows while latency stays near the best seen and work is queued, shrinks when
latency rises (the server is queueing) or the server times out or rate-limits.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from astraweave.errors import LlmConfigError, LlmRateLimitError, LlmTimeoutError
from astraweave.llm._background import BackgroundLoop, default_loop
from astraweave.llm._client import LlmClient, LlmRequest, LlmResponse

__all__ = ["AdaptiveLimit", "BatchOutcome", "BatchRunner"]

T = TypeVar("T")
R = TypeVar("R")


class AdaptiveLimit:
    """A concurrency limit that follows observed latency and queue depth.

    After each result: an overload signal (timeout, HTTP 429) multiplies the limit
    by ``backoff``; otherwise the limit moves towards
    ``limit * min(1, tolerance * best_latency / recent_latency) + headroom``, where
    ``headroom`` is ``sqrt(limit)`` while requests wait in the queue and 0 otherwise,
    smoothed by ``smoothing``. Deterministic: the same samples give the same limits.

    Args:
        initial: the starting limit. Default 8.
        min_limit: never below this. Default 1.
        max_limit: never above this. Default 64.
        tolerance: latency growth over the best seen that counts as fine. Default 2.
        backoff: factor applied on an overload signal. Default 0.7.
        smoothing: weight of a new estimate, in (0, 1]. Default 0.5.

    Raises:
        LlmConfigError: inconsistent bounds.

    Example:
        >>> lim = AdaptiveLimit(initial=4, max_limit=16)
        >>> for _ in range(10):
        ...     _ = lim.update(latency_s=0.1, queued=50)
        >>> lim.limit > 4
        True
        >>> _ = lim.update(latency_s=1.0, queued=50); _ = lim.update(latency_s=1.0, queued=50)
        >>> lim.limit < 16
        True
    """

    def __init__(
        self,
        *,
        initial: int = 8,
        min_limit: int = 1,
        max_limit: int = 64,
        tolerance: float = 2.0,
        backoff: float = 0.7,
        smoothing: float = 0.5,
    ) -> None:
        if not 1 <= min_limit <= initial <= max_limit:
            raise LlmConfigError(
                "need 1 <= min_limit <= initial <= max_limit",
                field="initial",
                value=(min_limit, initial, max_limit),
            )
        if not (tolerance >= 1.0 and 0.0 < backoff < 1.0 and 0.0 < smoothing <= 1.0):
            raise LlmConfigError(
                "need tolerance >= 1, 0 < backoff < 1, 0 < smoothing <= 1",
                field="tolerance",
                value=(tolerance, backoff, smoothing),
            )
        self.min_limit = min_limit
        self.max_limit = max_limit
        self.tolerance = tolerance
        self.backoff = backoff
        self.smoothing = smoothing
        self._limit = float(initial)
        self.best_latency_s = math.inf
        self.peak = initial

    @property
    def limit(self) -> int:
        """The current limit (whole requests)."""
        return max(self.min_limit, min(self.max_limit, int(self._limit)))

    def update(self, *, latency_s: float, queued: int, overloaded: bool = False) -> int:
        """Take one result into account and return the new limit.

        Args:
            latency_s: the request's latency, seconds.
            queued: requests still waiting to be sent.
            overloaded: the request timed out or was rate-limited.
        """
        if overloaded:
            self._limit = max(float(self.min_limit), self._limit * self.backoff)
            return self.limit
        if latency_s > 0:
            self.best_latency_s = min(self.best_latency_s, latency_s)
            gradient = min(1.0, self.tolerance * self.best_latency_s / latency_s)
        else:
            gradient = 1.0
        headroom = math.sqrt(self._limit) if queued > 0 else 0.0
        target = self._limit * max(0.5, gradient) + headroom
        self._limit = (1 - self.smoothing) * self._limit + self.smoothing * target
        self._limit = max(float(self.min_limit), min(float(self.max_limit), self._limit))
        self.peak = max(self.peak, self.limit)
        return self.limit


@dataclass(frozen=True, slots=True)
class BatchOutcome(Generic[R]):
    """The result of one item of a batch: a value or an error, never both.

    Attributes:
        id: the item's id (an agent id).
        value: the result, or ``None`` when it failed.
        error: the exception, or ``None`` when it succeeded.
        latency_s: seconds from start to finish of this item.
    """

    id: str
    value: R | None
    error: BaseException | None
    latency_s: float

    @property
    def ok(self) -> bool:
        """Whether the item succeeded."""
        return self.error is None

    def unwrap(self) -> R:
        """The value, or raise the error.

        Raises:
            BaseException: the item's error.
        """
        if self.error is not None:
            raise self.error
        return cast(R, self.value)  # an outcome without error holds its value


class BatchRunner:
    """Runs many coroutines with an adaptive concurrency limit.

    Args:
        limit: the adaptive limit (a new :class:`AdaptiveLimit` by default); pass
            ``AdaptiveLimit(initial=n, min_limit=n, max_limit=n)`` for a fixed one.
        clock: seconds, for latencies.
        loop: the background loop used by the synchronous :meth:`run` and
            :meth:`complete_many` (default :func:`default_loop`).

    Example:
        >>> from astraweave.llm import ScriptedLlm, ChatMessage, LlmRequest
        >>> llm = ScriptedLlm(lambda req: f"hi {req.request_id}")
        >>> msgs = (ChatMessage("user", "x"),)
        >>> reqs = {str(i): LlmRequest(messages=msgs, request_id=str(i)) for i in range(3)}
        >>> out = BatchRunner().complete_many(llm, reqs)
        >>> [out[k].unwrap().text for k in sorted(out)]
        ['hi 0', 'hi 1', 'hi 2']
    """

    def __init__(
        self,
        *,
        limit: AdaptiveLimit | None = None,
        clock: Callable[[], float] = time.perf_counter,
        loop: BackgroundLoop | None = None,
    ) -> None:
        self.limit = limit if limit is not None else AdaptiveLimit()
        self._clock = clock
        self._loop = loop
        self.max_in_flight = 0
        """The most items ever in flight at once."""
        self.completed = 0
        self.failed = 0

    async def amap(
        self,
        fn: Callable[[T], Awaitable[R]],
        items: Mapping[str, T] | Iterable[tuple[str, T]],
    ) -> dict[str, BatchOutcome[R]]:
        """Run ``fn(item)`` for every item, at most ``limit.limit`` at a time.

        Args:
            fn: the coroutine function (one agent's request).
            items: ids and items, in the order they are started.

        Returns:
            One outcome per id, in the order of ``items``.

        Raises:
            LlmConfigError: two items share an id.
        """
        pairs = list(items.items()) if isinstance(items, Mapping) else list(items)
        ids = [i for i, _ in pairs]
        if len(set(ids)) != len(ids):
            raise LlmConfigError("batch item ids must be unique", field="items")
        pending: deque[tuple[str, T]] = deque(pairs)
        running: dict[asyncio.Task[tuple[str, float, R]], str] = {}
        started: dict[str, float] = {}
        results: dict[str, BatchOutcome[R]] = {}

        async def _one(key: str, item: T) -> tuple[str, float, R]:
            t0 = self._clock()
            started[key] = t0
            value = await fn(item)
            return key, self._clock() - t0, value

        try:
            while pending or running:
                while pending and len(running) < self.limit.limit:
                    key, item = pending.popleft()
                    running[asyncio.ensure_future(_one(key, item))] = key
                self.max_in_flight = max(self.max_in_flight, len(running))
                done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    key = running.pop(task)
                    error = task.exception()
                    if error is None:
                        _, latency, value = task.result()
                        results[key] = BatchOutcome(key, value, None, latency)
                        self.completed += 1
                        self.limit.update(latency_s=latency, queued=len(pending))
                    else:
                        latency = self._clock() - started.get(key, self._clock())
                        results[key] = BatchOutcome(key, None, error, latency)
                        self.failed += 1
                        overloaded = isinstance(error, LlmTimeoutError | LlmRateLimitError)
                        self.limit.update(
                            latency_s=latency, queued=len(pending), overloaded=overloaded
                        )
        finally:
            for task in running:
                task.cancel()
        return {key: results[key] for key in ids}

    async def acomplete_many(
        self, client: LlmClient, requests: Mapping[str, LlmRequest]
    ) -> dict[str, BatchOutcome[LlmResponse]]:
        """Send every request through ``client.acomplete``, matched back by id.

        Returns:
            One outcome per id: the response, or the
            :class:`~astraweave.errors.LlmError` it raised.
        """
        return await self.amap(client.acomplete, requests)

    def run(
        self,
        fn: Callable[[T], Awaitable[R]],
        items: Mapping[str, T] | Iterable[tuple[str, T]],
    ) -> dict[str, BatchOutcome[R]]:
        """:meth:`amap` from synchronous code, on the background loop (blocks)."""
        loop = self._loop if self._loop is not None else default_loop()
        return loop.run(self.amap(fn, items))

    def complete_many(
        self, client: LlmClient, requests: Mapping[str, LlmRequest]
    ) -> dict[str, BatchOutcome[LlmResponse]]:
        """:meth:`acomplete_many` from synchronous code (blocks)."""
        return self.run(client.acomplete, requests)

    def stats(self) -> dict[str, Any]:
        """Completed and failed items, current and peak limit, most in flight."""
        return {
            "completed": self.completed,
            "failed": self.failed,
            "limit": self.limit.limit,
            "peak_limit": self.limit.peak,
            "max_in_flight": self.max_in_flight,
        }
