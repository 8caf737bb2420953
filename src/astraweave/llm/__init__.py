"""LLM clients, prompts, parsing, resilience, caching and batching (placeholder map)."""

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
from astraweave.llm._mock import ScriptedLlm, ScriptedReply
from astraweave.llm._openai import OpenAiClient
from astraweave.llm._resilience import CircuitBreaker, ResilientClient, RetryPolicy
