"""Resilience: timeouts, a total budget, retries with backoff and jitter, a circuit breaker.

:class:`ResilientClient` wraps any :class:`~astraweave.llm.LlmClient`:

- each attempt gets the per-request timeout, cut to what is left of the call's total
  budget (``budget_s``); the async path enforces it with ``asyncio.wait_for`` too;
- only transport errors (:class:`~astraweave.errors.LlmTransportError`: timeouts,
  dropped connections, HTTP 5xx and 429) are retried, after
  ``base_delay_s * multiplier ** (attempt - 1)`` seconds (at most ``max_delay_s``,
  at least the server's ``Retry-After``), scaled by a jitter factor drawn from an
  injectable seeded :class:`random.Random`, so a test replays the same delays;
- a :class:`CircuitBreaker` that lives as long as the client (never rebuilt per call)
  opens after ``failure_threshold`` consecutive transport failures, rejects calls at
  once while open, lets one probe through after ``cooldown_s`` (half-open), and
  closes on that probe's success.

Clocks and sleeps are injectable so tests run without waiting.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import random
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from astraweave.errors import (
    LlmBudgetExceededError,
    LlmCircuitOpenError,
    LlmConfigError,
    LlmError,
    LlmRateLimitError,
    LlmTimeoutError,
    LlmTransportError,
)
from astraweave.llm._client import DEFAULT_TIMEOUT_S, LlmClient, LlmRequest, LlmResponse

__all__ = [
    "DEFAULT_BUDGET_S",
    "BreakerState",
    "CircuitBreaker",
    "ResilientClient",
    "RetryPolicy",
]

DEFAULT_BUDGET_S = 60.0
"""Total seconds one call may take, all attempts and backoff together."""


def _check_positive(name: str, value: float, *, allow_zero: bool = False) -> None:
    ok = math.isfinite(value) and (value >= 0 if allow_zero else value > 0)
    if not ok:
        bound = "non-negative" if allow_zero else "positive"
        raise LlmConfigError(f"{name} must be a finite {bound} number", field=name, value=value)


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """How transport failures are retried.

    Args:
        max_attempts: attempts in all (1 disables retries). Default 3.
        base_delay_s: delay before the second attempt, seconds. Default 0.1.
        multiplier: growth of the delay per attempt. Default 2.
        max_delay_s: upper bound of one delay, seconds. Default 2.
        jitter: fraction of the delay drawn at random, in [0, 1]: the delay is
            ``d * (1 - jitter + jitter * u)`` with ``u`` uniform in [0, 1). Default 0.5.

    Raises:
        LlmConfigError: a value out of range.

    Example:
        >>> policy = RetryPolicy(base_delay_s=0.1, jitter=0.0)
        >>> [policy.delay_s(a, random.Random(0)) for a in (1, 2, 3)]
        [0.1, 0.2, 0.4]
    """

    max_attempts: int = 3
    base_delay_s: float = 0.1
    multiplier: float = 2.0
    max_delay_s: float = 2.0
    jitter: float = 0.5

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise LlmConfigError(
                "max_attempts must be at least 1", field="max_attempts", value=self.max_attempts
            )
        _check_positive("base_delay_s", self.base_delay_s, allow_zero=True)
        _check_positive("max_delay_s", self.max_delay_s, allow_zero=True)
        if not (math.isfinite(self.multiplier) and self.multiplier >= 1.0):
            raise LlmConfigError(
                "multiplier must be at least 1", field="multiplier", value=self.multiplier
            )
        if not (0.0 <= self.jitter <= 1.0):
            raise LlmConfigError("jitter must be within [0, 1]", field="jitter", value=self.jitter)

    def delay_s(self, attempt: int, rng: random.Random) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        backoff = min(self.max_delay_s, self.base_delay_s * self.multiplier ** (attempt - 1))
        return backoff * (1.0 - self.jitter + self.jitter * rng.random())


class BreakerState(StrEnum):
    """State of a :class:`CircuitBreaker`."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Stops calling a backend that keeps failing, and probes it again later.

    Thread-safe. Create one per backend and keep it (a breaker built per call never
    trips).

    Args:
        failure_threshold: consecutive failures that open it. Default 5.
        cooldown_s: seconds it stays open before letting one probe through. Default 10.
        clock: monotonic seconds (inject a fake in tests).

    Raises:
        LlmConfigError: a value out of range.

    Example:
        >>> now = [0.0]
        >>> breaker = CircuitBreaker(failure_threshold=2, cooldown_s=5, clock=lambda: now[0])
        >>> breaker.record_failure(); breaker.record_failure(); breaker.state.value
        'open'
        >>> now[0] = 5.0; breaker.before_call(); breaker.state.value
        'half_open'
        >>> breaker.record_success(); breaker.state.value
        'closed'
    """

    def __init__(
        self,
        *,
        failure_threshold: int = 5,
        cooldown_s: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise LlmConfigError(
                "failure_threshold must be at least 1",
                field="failure_threshold",
                value=failure_threshold,
            )
        _check_positive("cooldown_s", cooldown_s, allow_zero=True)
        self.failure_threshold = failure_threshold
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._lock = threading.Lock()
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._probe_in_flight = False
        self.times_opened = 0
        """How often it opened (closed -> open and half-open -> open)."""

    @property
    def state(self) -> BreakerState:
        """The current state (an open breaker past its cool-down still reads open
        until the next :meth:`before_call`)."""
        return self._state

    @property
    def failures(self) -> int:
        """Consecutive failures counted so far."""
        return self._failures

    def before_call(self) -> None:
        """Ask to send a request.

        Raises:
            LlmCircuitOpenError: open and cooling down, or half-open with its probe
                already in flight.
        """
        with self._lock:
            if self._state is BreakerState.CLOSED:
                return
            now = self._clock()
            if self._state is BreakerState.OPEN:
                remaining = self._opened_at + self.cooldown_s - now
                if remaining > 0:
                    raise LlmCircuitOpenError(
                        f"circuit open after {self._failures} failures; "
                        f"next probe in {remaining:.2f} s",
                        retry_in_s=remaining,
                        failures=self._failures,
                        hint="the backend keeps failing: check the server, or wait",
                    )
                self._state = BreakerState.HALF_OPEN
                self._probe_in_flight = False
            if self._probe_in_flight:
                raise LlmCircuitOpenError(
                    "circuit half-open: a probe request is already in flight",
                    retry_in_s=0.0,
                    failures=self._failures,
                )
            self._probe_in_flight = True

    def record_success(self) -> None:
        """A request got an answer: close the breaker."""
        with self._lock:
            self._state = BreakerState.CLOSED
            self._failures = 0
            self._probe_in_flight = False

    def record_failure(self) -> None:
        """A request failed at the transport: count it, maybe open the breaker."""
        with self._lock:
            self._failures += 1
            self._probe_in_flight = False
            if self._state is BreakerState.HALF_OPEN or (
                self._state is BreakerState.CLOSED and self._failures >= self.failure_threshold
            ):
                self._state = BreakerState.OPEN
                self._opened_at = self._clock()
                self.times_opened += 1

    def stats(self) -> dict[str, Any]:
        """State, consecutive failures and times opened, as plain data."""
        return {
            "state": self._state.value,
            "failures": self._failures,
            "times_opened": self.times_opened,
        }


class ResilientClient:
    """Adds timeouts, a total budget, retries and a circuit breaker to a client.

    Implements :class:`~astraweave.llm.LlmClient`.

    Args:
        inner: the backend.
        retry: the retry policy (default :class:`RetryPolicy()`).
        breaker: the circuit breaker, kept for the client's life (default a new
            :class:`CircuitBreaker`); ``None`` disables it.
        timeout_s: per-attempt timeout, seconds, for requests that set none.
        budget_s: total seconds of one call (attempts and backoff together).
        rng: the jitter's random source (default ``random.Random(0)``: reproducible).
        clock: monotonic seconds.
        sleep: waits between attempts on the sync path.
        async_sleep: waits between attempts on the async path.

    Raises:
        LlmConfigError: a timeout or budget that is not positive.

    Example:
        >>> from astraweave.llm import ScriptedLlm, ScriptedReply, ChatMessage, LlmRequest
        >>> from astraweave.errors import LlmServerError
        >>> flaky = ScriptedLlm([ScriptedReply.fail(LlmServerError("500")), "ok"])
        >>> client = ResilientClient(flaky, sleep=lambda s: None)
        >>> reply = client.complete(LlmRequest(messages=(ChatMessage("user", "hi"),)))
        >>> reply.text, reply.attempts
        ('ok', 2)
    """

    def __init__(
        self,
        inner: LlmClient,
        *,
        retry: RetryPolicy | None = None,
        breaker: CircuitBreaker | bool | None = True,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        budget_s: float = DEFAULT_BUDGET_S,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        _check_positive("timeout_s", timeout_s)
        _check_positive("budget_s", budget_s)
        self.inner = inner
        self.retry = retry if retry is not None else RetryPolicy()
        if breaker is True:
            breaker = CircuitBreaker(clock=clock)
        self.breaker: CircuitBreaker | None = breaker or None
        self.timeout_s = timeout_s
        self.budget_s = budget_s
        self._rng = rng if rng is not None else random.Random(0)
        self._rng_lock = threading.Lock()
        self._clock = clock
        self._sleep = sleep
        self._async_sleep = async_sleep

    @property
    def name(self) -> str:
        """The inner backend's name."""
        return self.inner.name

    @property
    def model(self) -> str:
        """The inner backend's default model."""
        return self.inner.model

    @property
    def supports_schema(self) -> bool:
        """Whether the inner backend constrains decoding."""
        return self.inner.supports_schema

    def _attempt_request(self, request: LlmRequest, deadline: float, attempt: int) -> LlmRequest:
        remaining = deadline - self._clock()
        if remaining <= 0:
            raise LlmBudgetExceededError(
                f"the {self.budget_s:g} s budget ran out before attempt {attempt}",
                budget_s=self.budget_s,
                attempts=attempt - 1,
            )
        if self.breaker is not None:
            self.breaker.before_call()
        timeout = request.timeout_s if request.timeout_s is not None else self.timeout_s
        return dataclasses.replace(request, timeout_s=min(timeout, remaining))

    def _after_failure(self, exc: LlmError, attempt: int, deadline: float) -> float:
        """Record a failure; return the delay before the next attempt, or re-raise."""
        transport = isinstance(exc, LlmTransportError)
        if self.breaker is not None:
            if transport:
                self.breaker.record_failure()
            else:
                self.breaker.record_success()  # the server answered; it is up
        if not transport or attempt >= self.retry.max_attempts:
            raise exc
        with self._rng_lock:
            delay = self.retry.delay_s(attempt, self._rng)
        if isinstance(exc, LlmRateLimitError) and exc.retry_after_s is not None:
            delay = max(delay, float(exc.retry_after_s))
        if self._clock() + delay >= deadline:
            raise LlmBudgetExceededError(
                f"the {self.budget_s:g} s budget leaves no time for attempt {attempt + 1}",
                budget_s=self.budget_s,
                attempts=attempt,
            ) from exc
        return delay

    def _succeeded(self, response: LlmResponse, attempt: int) -> LlmResponse:
        if self.breaker is not None:
            self.breaker.record_success()
        return dataclasses.replace(response, attempts=attempt)

    def complete(self, request: LlmRequest) -> LlmResponse:
        """Send ``request`` with retries, within the budget.

        Raises:
            LlmCircuitOpenError: the breaker is open (nothing was sent).
            LlmBudgetExceededError: the budget ran out (``__cause__`` is the last failure).
            LlmTransportError: the last attempt's transport failure.
            LlmError: any non-transport failure (not retried).
        """
        deadline = self._clock() + self.budget_s
        attempt = 0
        while True:
            attempt += 1
            sent = self._attempt_request(request, deadline, attempt)
            try:
                response = self.inner.complete(sent)
            except LlmError as exc:
                delay = self._after_failure(exc, attempt, deadline)
                self._sleep(delay)
                continue
            return self._succeeded(response, attempt)

    async def acomplete(self, request: LlmRequest) -> LlmResponse:
        """:meth:`complete` on an asyncio loop; each attempt is also cut off by
        ``asyncio.wait_for`` at its timeout."""
        deadline = self._clock() + self.budget_s
        attempt = 0
        while True:
            attempt += 1
            sent = self._attempt_request(request, deadline, attempt)
            timeout = sent.timeout_s if sent.timeout_s is not None else self.timeout_s
            try:
                try:
                    response = await asyncio.wait_for(self.inner.acomplete(sent), timeout + 0.05)
                except TimeoutError as exc:
                    raise LlmTimeoutError(
                        f"no reply within {timeout:g} s",
                        backend=self.name,
                        timeout_s=timeout,
                    ) from exc
            except LlmError as exc:
                delay = self._after_failure(exc, attempt, deadline)
                await self._async_sleep(delay)
                continue
            return self._succeeded(response, attempt)

    async def aclose(self) -> None:
        """Close the inner backend's pool for the running loop, when it has one."""
        aclose = getattr(self.inner, "aclose", None)
        if aclose is not None:
            await aclose()

    def close(self) -> None:
        """Close the inner backend."""
        self.inner.close()
