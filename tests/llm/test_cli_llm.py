"""``run_llm_bench`` against the in-process server, and the reusable LLM options."""

from __future__ import annotations

import pytest

from astraweave.cli._bench_llm import run_llm_bench
from astraweave.cli._llm_options import (
    LlmOptions,
    describe_client,
    llm_client_from_options,
    llm_planner_from_options,
    plan_tier_summary,
)
from astraweave.errors import CliError
from astraweave.llm import ServerReply, local_available


def test_bench_reports_sequential_and_batched_on_the_same_server() -> None:
    out = run_llm_bench(None, 16, "fake-model", latency_s=0.02)
    assert out["benchmark"] == "llm" and out["workload"]["agents"] == 16
    assert out["server"]["kind"].startswith("in-process FakeChatServer")
    for run in ("sequential", "batched"):
        assert out[run]["plans"] == 16 and out[run]["failed"] == 0
        assert out[run]["p95_ms"] >= out[run]["p50_ms"] > 0
    assert out["batched"]["max_in_flight"] > 1
    assert out["speedup"] is not None and "machine" in out
    assert out["prompt"]["ratio"] > 1


def test_bench_against_an_external_url(serve) -> None:
    server = serve(lambda body: ServerReply.text('{"steps": [{"tool": "Wait"}]}'))
    out = run_llm_bench(server.url, 4, "m")
    assert out["server"] == {"kind": "external", "url": server.url}
    assert out["sequential"]["plans"] == 4 and server.calls == 8


def test_bench_counts_failures(serve) -> None:
    server = serve([ServerReply.error(400)], repeat_last=True)
    out = run_llm_bench(server.url, 2, "m")
    assert out["sequential"]["failed"] == 2 and out["sequential"]["plans_per_s"] == 0.0


def test_bench_argument_errors() -> None:
    with pytest.raises(CliError):
        run_llm_bench(None, 0, "m")
    with pytest.raises(CliError):
        run_llm_bench("http://x/v1", 1, "m", local=True)


def test_options_build_clients() -> None:
    client = llm_client_from_options(LlmOptions(url="http://127.0.0.1:9/v1", model="qwen"))
    assert client.name == "openai" and client.model == "qwen"
    assert describe_client(client) == "LLM: openai at http://127.0.0.1:9/v1 (model qwen)"
    for bad in (
        LlmOptions(url="http://x/v1"),
        LlmOptions(backend="remote"),
        LlmOptions(backend="local", url="http://x/v1", model="m"),
    ):
        with pytest.raises(CliError):
            llm_client_from_options(bad)
    default = llm_client_from_options(LlmOptions())
    assert default.name in ("local", "unavailable")
    planner = llm_planner_from_options(LlmOptions(url="http://127.0.0.1:9/v1", model="m"))
    assert planner.name == "llm" and planner.blocking
    if local_available():
        assert llm_client_from_options(LlmOptions(backend="local")).name == "local"
    else:
        with pytest.raises(CliError, match="not installed"):
            llm_client_from_options(LlmOptions(backend="local"))


def test_tier_summary() -> None:
    assert plan_tier_summary([object()]) == {"tiers": {}, "fallback_reasons": {}}
