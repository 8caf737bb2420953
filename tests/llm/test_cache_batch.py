"""The exact-key LRU cache and batch inference with an adaptive concurrency limit."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from astraweave.errors import LlmConfigError, LlmServerError, LlmTimeoutError
from astraweave.llm import (
    AdaptiveLimit,
    BatchOutcome,
    BatchRunner,
    ChatMessage,
    LlmRequest,
    LlmResponse,
    PlanCache,
    ScriptedLlm,
    ScriptedReply,
    ServerReply,
    cache_key,
)

BASE = {
    "snapshot_json": '{"tick":1}',
    "registry_version": "r1",
    "model": "m",
    "sampling": {"temperature": 0.0, "seed": 0},
    "extra": {"persona": "p", "actor": 3},
}


def test_key_changes_with_every_part() -> None:
    base = cache_key(**BASE)  # type: ignore[arg-type]
    variants = [
        {"snapshot_json": '{"tick":2}'},
        {"registry_version": "r2"},
        {"model": "m2"},
        {"sampling": {"temperature": 0.1, "seed": 0}},
        {"extra": {"persona": "p", "actor": 4}},
    ]
    keys = {cache_key(**{**BASE, **v}) for v in variants}  # type: ignore[arg-type]
    assert base not in keys and len(keys) == len(variants)
    # dict order never matters
    assert cache_key(**{**BASE, "sampling": {"seed": 0, "temperature": 0.0}}) == base  # type: ignore[arg-type]


def test_key_is_stable_across_processes() -> None:
    code = (
        "from astraweave.llm import cache_key;"
        "print(cache_key(snapshot_json='{\"a\":1}', registry_version='v', model='m',"
        " sampling={'t': 0, 's': 1}, extra={'b': [1, 2], 'a': 'x'}))"
    )
    outs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": ""},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outs) == 1


def test_lru_bound_and_hit_rate() -> None:
    cache: PlanCache[int] = PlanCache(max_entries=2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # a is now most recent
    cache.put("c", 3)  # evicts b
    assert "b" not in cache and "a" in cache and len(cache) == 2
    assert cache.get("b") is None
    stats = cache.stats()
    assert stats["hits"] == 1 and stats["misses"] == 1 and stats["evictions"] == 1
    assert stats["hit_rate"] == 0.5
    cache.clear()
    assert len(cache) == 0 and cache.hit_rate == 0.5
    assert PlanCache().hit_rate == 0.0
    with pytest.raises(LlmConfigError):
        PlanCache(max_entries=0)


def test_adaptive_limit_grows_under_queue_and_shrinks_on_latency_and_overload() -> None:
    lim = AdaptiveLimit(initial=4, min_limit=2, max_limit=32)
    for _ in range(20):
        lim.update(latency_s=0.05, queued=100)
    grown = lim.limit
    assert grown > 4 and lim.peak >= grown
    for _ in range(6):
        lim.update(latency_s=1.0, queued=100)  # 20x the best latency: the server queues
    slowed = lim.limit
    assert slowed < grown
    lim.update(latency_s=0.05, queued=0, overloaded=True)
    assert lim.limit <= max(2, int(slowed * 0.7) + 1)
    for _ in range(50):
        lim.update(latency_s=0.0, queued=0, overloaded=True)
    assert lim.limit == 2
    # deterministic: the same samples give the same limits
    a, b = AdaptiveLimit(), AdaptiveLimit()
    seq = [(0.1, 5), (0.2, 3), (0.05, 9), (0.4, 0)]
    assert [a.update(latency_s=x, queued=q) for x, q in seq] == [
        b.update(latency_s=x, queued=q) for x, q in seq
    ]


@pytest.mark.parametrize(
    "kwargs", [{"initial": 0}, {"min_limit": 5, "initial": 4}, {"tolerance": 0.5}, {"backoff": 1.0}]
)
def test_adaptive_limit_config(kwargs: dict[str, float]) -> None:
    with pytest.raises(LlmConfigError):
        AdaptiveLimit(**kwargs)  # type: ignore[arg-type]


def _req(i: int) -> LlmRequest:
    return LlmRequest(messages=(ChatMessage("user", f"agent {i}"),), request_id=str(i))


def test_batch_matches_results_to_ids_and_isolates_failures() -> None:
    def reply(request: LlmRequest) -> ScriptedReply:
        if request.request_id == "3":
            return ScriptedReply.fail(LlmServerError("boom"))
        return ScriptedReply(text=f"plan for {request.request_id}", delay_s=0.01)

    llm = ScriptedLlm(reply)
    runner = BatchRunner(limit=AdaptiveLimit(initial=4, max_limit=8))
    out = runner.complete_many(llm, {str(i): _req(i) for i in range(10)})
    assert list(out) == [str(i) for i in range(10)]
    assert isinstance(out["3"].error, LlmServerError) and not out["3"].ok
    with pytest.raises(LlmServerError):
        out["3"].unwrap()
    for i in (0, 1, 2, 4, 9):
        assert out[str(i)].unwrap().text == f"plan for {i}"
    assert 1 < runner.max_in_flight <= 8
    stats = runner.stats()
    assert stats["completed"] == 9 and stats["failed"] == 1


def test_batch_shrinks_on_timeouts_and_survives_programming_errors() -> None:
    async def work(i: int) -> int:
        if i % 2:
            raise LlmTimeoutError("slow")
        if i == 4:
            raise KeyError("bug in one agent")
        await asyncio.sleep(0)
        return i

    runner = BatchRunner(limit=AdaptiveLimit(initial=8, max_limit=8))
    out = runner.run(work, [(str(i), i) for i in range(8)])
    assert out["0"].unwrap() == 0 and out["6"].unwrap() == 6
    assert isinstance(out["4"].error, KeyError)
    assert runner.limit.limit < 8


def test_batch_rejects_duplicate_ids() -> None:
    async def work(i: int) -> int:
        return i

    with pytest.raises(LlmConfigError):
        asyncio.run(BatchRunner().amap(work, [("a", 1), ("a", 2)]))


def test_batch_over_http_runs_requests_concurrently(serve, http_client) -> None:
    server = serve(lambda body: ServerReply.text("ok", delay_s=0.05))
    client = http_client(server, timeout_s=5.0)
    runner = BatchRunner(limit=AdaptiveLimit(initial=8, max_limit=16))

    async def run() -> dict[str, BatchOutcome[LlmResponse]]:
        try:
            return await runner.acomplete_many(client, {str(i): _req(i) for i in range(24)})
        finally:
            await client.aclose()

    out = asyncio.run(run())
    assert all(o.ok for o in out.values()) and server.calls == 24
    assert runner.max_in_flight >= 8
    assert {o.unwrap().request_id for o in out.values()} == {str(i) for i in range(24)}
