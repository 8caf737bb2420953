"""LLM integration: clients, prompts, parsing, resilience, caching and batching.

Map of this package:

- ``_client``: the interface every backend implements (:class:`LlmClient`, sync
  ``complete`` and async ``acomplete``), :class:`LlmRequest`, :class:`LlmResponse`,
  :class:`ChatMessage`, :class:`SamplingParams`.
- ``_openai``: :class:`OpenAiClient`, any OpenAI-compatible server through
  ``base_url`` (Ollama, vLLM, llama.cpp's server, hosted APIs); strict JSON Schema
  ``response_format``; ``openai`` errors translated (:data:`OPENAI_ERROR_MAP`).
- ``_local``: :class:`LocalLlm`, the embedded llama-cpp-python backend with
  grammar-constrained decoding (extra ``llm-local``; the Gemma 3 270M model).
- ``_mock``: :class:`ScriptedLlm`, a public fake backend for tests (canned, slow,
  malformed and failing replies).
- ``_fake_server``: :class:`FakeChatServer`, a real scripted OpenAI-compatible HTTP
  server on 127.0.0.1 (tests, ``astraweave bench llm``).
- ``_prompt``: :func:`build_prompt` from the snapshot and the tool registry (compact
  and verbose forms, token counts, :func:`measure_compression`), the repair prompt.
- ``_schema``: :func:`strict_json_schema` for constrained decoders.
- ``_parse``: :func:`extract_json` and :func:`parse_plan_reply`, the tolerant parser.
- ``_resilience``: :class:`ResilientClient` (timeouts, total budget, retries with
  backoff and seeded jitter), :class:`CircuitBreaker`, :class:`RetryPolicy`.
- ``_cache``: :class:`PlanCache`, an exact-key LRU, and :func:`cache_key`.
- ``_batch``: :class:`BatchRunner` with an :class:`AdaptiveLimit` on concurrency.
- ``_background``: :class:`BackgroundLoop` and :class:`Ticket`, the non-blocking path
  the game tick polls.

The LLM planner that puts these together lives in :mod:`astraweave.ai`
(``LlmPlanner``). Importing this package imports neither ``openai`` nor
``llama_cpp`` and starts no thread. See ``docs/llm.md``.
"""

from astraweave.llm._background import BackgroundLoop, Ticket, default_loop
from astraweave.llm._batch import AdaptiveLimit, BatchOutcome, BatchRunner
from astraweave.llm._cache import DEFAULT_CACHE_ENTRIES, PlanCache, cache_key
from astraweave.llm._client import (
    DEFAULT_MAX_TOKENS,
    DEFAULT_TIMEOUT_S,
    ChatMessage,
    LlmClient,
    LlmRequest,
    LlmResponse,
    SamplingParams,
    TokenUsage,
)
from astraweave.llm._fake_server import FakeChatServer, ServerReply
from astraweave.llm._local import (
    DEFAULT_LOCAL_TIMEOUT_S,
    LLAMA_CPP_ERROR_MAP,
    LOCAL_INSTALL,
    LocalLlm,
    default_model_path,
    local_available,
)
from astraweave.llm._mock import ScriptedLlm, ScriptedReply
from astraweave.llm._openai import (
    DEFAULT_MAX_RESPONSE_BYTES,
    OPENAI_ERROR_MAP,
    OpenAiClient,
    translate_openai_error,
)
from astraweave.llm._parse import MAX_REPLY_CHARS, ParsedReply, extract_json, parse_plan_reply
from astraweave.llm._prompt import (
    DEFAULT_PERSONA,
    Prompt,
    build_prompt,
    build_repair_messages,
    compact_snapshot,
    estimate_tokens,
    measure_compression,
)
from astraweave.llm._resilience import (
    DEFAULT_BUDGET_S,
    BreakerState,
    CircuitBreaker,
    ResilientClient,
    RetryPolicy,
)
from astraweave.llm._schema import schema_for_tools, strict_json_schema

__all__ = [
    "DEFAULT_BUDGET_S",
    "DEFAULT_CACHE_ENTRIES",
    "DEFAULT_LOCAL_TIMEOUT_S",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_TOKENS",
    "DEFAULT_PERSONA",
    "DEFAULT_TIMEOUT_S",
    "LLAMA_CPP_ERROR_MAP",
    "LOCAL_INSTALL",
    "MAX_REPLY_CHARS",
    "OPENAI_ERROR_MAP",
    "AdaptiveLimit",
    "BackgroundLoop",
    "BatchOutcome",
    "BatchRunner",
    "BreakerState",
    "ChatMessage",
    "CircuitBreaker",
    "FakeChatServer",
    "LlmClient",
    "LlmRequest",
    "LlmResponse",
    "LocalLlm",
    "OpenAiClient",
    "ParsedReply",
    "PlanCache",
    "Prompt",
    "ResilientClient",
    "RetryPolicy",
    "SamplingParams",
    "ScriptedLlm",
    "ScriptedReply",
    "ServerReply",
    "Ticket",
    "TokenUsage",
    "build_prompt",
    "build_repair_messages",
    "cache_key",
    "compact_snapshot",
    "default_loop",
    "default_model_path",
    "estimate_tokens",
    "extract_json",
    "local_available",
    "measure_compression",
    "parse_plan_reply",
    "schema_for_tools",
    "strict_json_schema",
    "translate_openai_error",
]
