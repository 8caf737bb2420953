"""Retries with seeded jitter, the total budget, the circuit breaker (fake clocks)."""

from __future__ import annotations

import asyncio
import random

import pytest

from astraweave.errors import (
    LlmBudgetExceededError,
    LlmCircuitOpenError,
    LlmConfigError,
    LlmConnectionError,
    LlmInvalidJsonError,
    LlmRateLimitError,
    LlmRequestError,
    LlmServerError,
    LlmTimeoutError,
)
from astraweave.llm import (
    BreakerState,
    ChatMessage,
    CircuitBreaker,
    LlmRequest,
    LlmResponse,
    ResilientClient,
    RetryPolicy,
    ScriptedLlm,
    ScriptedReply,
    ServerReply,
)

REQ = LlmRequest(messages=(ChatMessage("user", "plan"),))


class FakeTime:
    """A clock that only moves when something sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


def _client(inner: ScriptedLlm, t: FakeTime, **kwargs: object) -> ResilientClient:
    return ResilientClient(
        inner,
        clock=t.clock,
        sleep=t.sleep,
        async_sleep=t.asleep,
        rng=random.Random(7),
        **kwargs,  # type: ignore[arg-type]
    )


def test_policy_delays_are_exponential_bounded_and_seeded() -> None:
    policy = RetryPolicy(base_delay_s=0.1, multiplier=2.0, max_delay_s=0.3, jitter=0.5)
    a = [policy.delay_s(n, random.Random(3)) for n in range(1, 6)]
    b = [policy.delay_s(n, random.Random(3)) for n in range(1, 6)]
    assert a == b
    for n, d in enumerate(a, start=1):
        full = min(0.3, 0.1 * 2 ** (n - 1))
        assert 0.5 * full <= d <= full


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_attempts": 0},
        {"base_delay_s": -1.0},
        {"max_delay_s": float("nan")},
        {"multiplier": 0.5},
        {"jitter": 1.5},
    ],
)
def test_policy_rejects_bad_values(kwargs: dict[str, float]) -> None:
    with pytest.raises(LlmConfigError):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


def test_transport_errors_are_retried_with_the_same_delays_every_run() -> None:
    runs = []
    for _ in range(2):
        t = FakeTime()
        inner = ScriptedLlm(
            [
                ScriptedReply.fail(LlmServerError("500")),
                ScriptedReply.fail(LlmConnectionError("reset")),
                "ok",
            ]
        )
        reply = _client(inner, t).complete(REQ)
        assert reply.text == "ok" and reply.attempts == 3
        runs.append(t.sleeps)
    assert runs[0] == runs[1] and len(runs[0]) == 2


@pytest.mark.parametrize("error", [LlmRequestError("400"), LlmInvalidJsonError("bad", text="x")])
def test_non_transport_errors_are_not_retried(error: Exception) -> None:
    t = FakeTime()
    inner = ScriptedLlm([ScriptedReply.fail(error), "never"])  # type: ignore[arg-type]
    with pytest.raises(type(error)):
        _client(inner, t).complete(REQ)
    assert inner.calls == 1 and t.sleeps == []


def test_last_transport_error_is_raised_after_max_attempts() -> None:
    t = FakeTime()
    inner = ScriptedLlm([ScriptedReply.fail(LlmServerError("500"))], repeat_last=True)
    client = _client(inner, t, retry=RetryPolicy(max_attempts=2), breaker=None)
    with pytest.raises(LlmServerError):
        client.complete(REQ)
    assert inner.calls == 2


def test_retry_after_is_honoured() -> None:
    t = FakeTime()
    inner = ScriptedLlm([ScriptedReply.fail(LlmRateLimitError("429", retry_after_s=1.5)), "ok"])
    _client(inner, t).complete(REQ)
    assert t.sleeps == [1.5]


def test_budget_bounds_the_whole_call() -> None:
    t = FakeTime()
    inner = ScriptedLlm([ScriptedReply.fail(LlmRateLimitError("429", retry_after_s=5.0)), "ok"])
    with pytest.raises(LlmBudgetExceededError) as info:
        _client(inner, t, budget_s=2.0).complete(REQ)
    assert isinstance(info.value.__cause__, LlmRateLimitError)
    assert inner.calls == 1


def test_each_attempt_gets_at_most_the_remaining_budget() -> None:
    t = FakeTime()
    inner = ScriptedLlm(["ok"])
    _client(inner, t, timeout_s=30.0, budget_s=4.0).complete(REQ)
    assert inner.requests[0].timeout_s == 4.0


def test_budget_spent_before_an_attempt() -> None:
    t = FakeTime()

    def slow(request: LlmRequest) -> ScriptedReply:
        t.now += 10.0
        return ScriptedReply.fail(LlmServerError("500"))

    client = _client(ScriptedLlm(slow), t, budget_s=5.0, retry=RetryPolicy(base_delay_s=0.0))
    with pytest.raises(LlmBudgetExceededError):
        client.complete(REQ)


def test_breaker_opens_half_opens_and_closes() -> None:
    t = FakeTime()
    breaker = CircuitBreaker(failure_threshold=3, cooldown_s=10.0, clock=t.clock)
    inner = ScriptedLlm(
        [ScriptedReply.fail(LlmServerError("500"))] * 3 + ["ok"]  # type: ignore[list-item]
    )
    client = _client(inner, t, breaker=breaker, retry=RetryPolicy(max_attempts=1))
    for _ in range(3):
        with pytest.raises(LlmServerError):
            client.complete(REQ)
    assert breaker.state is BreakerState.OPEN and breaker.times_opened == 1
    with pytest.raises(LlmCircuitOpenError) as info:
        client.complete(REQ)
    assert inner.calls == 3  # nothing was sent while open
    assert info.value.retry_in_s == pytest.approx(10.0)
    t.now += 10.0
    assert client.complete(REQ).text == "ok"  # the probe
    assert breaker.state is BreakerState.CLOSED and breaker.failures == 0
    assert breaker.stats() == {"state": "closed", "failures": 0, "times_opened": 1}


def test_failed_probe_reopens_and_only_one_probe_at_a_time() -> None:
    t = FakeTime()
    breaker = CircuitBreaker(failure_threshold=1, cooldown_s=1.0, clock=t.clock)
    breaker.record_failure()
    t.now = 1.0
    breaker.before_call()
    assert breaker.state is BreakerState.HALF_OPEN
    with pytest.raises(LlmCircuitOpenError):
        breaker.before_call()  # second caller while the probe is out
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN and breaker.times_opened == 2


def test_breaker_lives_with_the_client() -> None:
    """A breaker rebuilt per call never trips; ours is one object for the client's life."""
    t = FakeTime()
    inner = ScriptedLlm([ScriptedReply.fail(LlmServerError("500"))], repeat_last=True)
    client = _client(inner, t, retry=RetryPolicy(max_attempts=1))
    assert client.breaker is not None
    first = client.breaker
    for _ in range(5):
        with pytest.raises(LlmServerError):
            client.complete(REQ)
    assert client.breaker is first and first.state is BreakerState.OPEN
    with pytest.raises(LlmCircuitOpenError):
        client.complete(REQ)


def test_breaker_config_errors() -> None:
    with pytest.raises(LlmConfigError):
        CircuitBreaker(failure_threshold=0)
    with pytest.raises(LlmConfigError):
        CircuitBreaker(cooldown_s=-1)
    with pytest.raises(LlmConfigError):
        ResilientClient(ScriptedLlm([]), timeout_s=0)
    with pytest.raises(LlmConfigError):
        ResilientClient(ScriptedLlm([]), budget_s=float("inf"))


def test_async_path_retries_and_reports_attempts() -> None:
    t = FakeTime()
    inner = ScriptedLlm([ScriptedReply.fail(LlmServerError("500")), "ok"])
    client = _client(inner, t)
    reply = asyncio.run(client.acomplete(REQ))
    assert reply.text == "ok" and reply.attempts == 2 and len(t.sleeps) == 1
    assert client.name == "scripted" and client.model == "scripted"
    assert client.supports_schema is False
    client.close()


class _Stuck:
    """A backend that ignores its timeout (the async path must cut it off)."""

    name = "stuck"
    model = "stuck"
    supports_schema = False

    def complete(self, request: LlmRequest) -> LlmResponse:
        raise NotImplementedError

    async def acomplete(self, request: LlmRequest) -> LlmResponse:
        await asyncio.sleep(30)
        raise NotImplementedError

    def close(self) -> None:
        pass


def test_async_hard_timeout() -> None:
    client = ResilientClient(_Stuck(), timeout_s=0.05, retry=RetryPolicy(max_attempts=1))
    with pytest.raises(LlmTimeoutError):
        asyncio.run(client.acomplete(REQ))


def test_breaker_opens_against_a_dead_http_server(serve, http_client) -> None:
    server = serve([ServerReply.error(503)], repeat_last=True)
    breaker = CircuitBreaker(failure_threshold=2, cooldown_s=60.0)
    client = ResilientClient(
        http_client(server),
        breaker=breaker,
        retry=RetryPolicy(max_attempts=2, base_delay_s=0.01),
    )
    with pytest.raises(LlmServerError):
        client.complete(REQ)
    assert breaker.state is BreakerState.OPEN
    with pytest.raises(LlmCircuitOpenError):
        client.complete(REQ)
    assert server.calls == 2
