"""The LLM planning pipeline: snapshot -> prompt -> cache or model -> parsed plan.

:class:`LlmPlanPipeline` is what the LLM planner (``astraweave.ai.LlmPlanner``) runs
for one agent: build the prompt from the snapshot and the registry, look the exact
key up in the cache, otherwise ask the client (with the plan's JSON Schema for
constrained decoding), parse the reply tolerantly, and once, when the reply cannot
be parsed, send the parse error back as a repair prompt. It raises only
:class:`~astraweave.errors.LlmError`; the planner turns errors into fallbacks.
The sandbox's own rejections come back through :meth:`LlmPlanPipeline.repair`.
"""

from __future__ import annotations

import hashlib
import json
import threading
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from astraweave.errors import LlmParseError
from astraweave.llm._cache import PlanCache, cache_key
from astraweave.llm._client import LlmClient, LlmRequest, LlmResponse, SamplingParams
from astraweave.llm._parse import ParsedReply, parse_plan_reply
from astraweave.llm._prompt import (
    DEFAULT_PERSONA,
    Prompt,
    PromptStyle,
    TokenCounter,
    build_prompt,
    build_repair_messages,
)
from astraweave.llm._schema import schema_for_tools

if TYPE_CHECKING:
    from astraweave.core import PlanIntent, ToolRegistry, WorldSnapshot

__all__ = ["LlmPlanPipeline", "LlmPlanResult", "PreparedRequest", "registry_version"]

_VERSIONS: weakref.WeakKeyDictionary[Any, tuple[tuple[str, ...], str, dict[str, Any]]] = (
    weakref.WeakKeyDictionary()
)
_VERSIONS_LOCK = threading.Lock()


def _registry_info(registry: ToolRegistry) -> tuple[str, dict[str, Any]]:
    names = tuple(registry.names())
    with _VERSIONS_LOCK:
        known = _VERSIONS.get(registry)
        if known is not None and known[0] == names:
            return known[1], known[2]
    schema = registry.plan_json_schema()
    explicit = getattr(registry, "version", None)
    if isinstance(explicit, str) and explicit:
        version = explicit
    else:
        text = json.dumps(
            {"schema": schema, "prompt": registry.prompt_text()},
            sort_keys=True,
            separators=(",", ":"),
        )
        version = "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    with _VERSIONS_LOCK:
        _VERSIONS[registry] = (names, version, schema)
    return version, schema


def registry_version(registry: ToolRegistry) -> str:
    """The registry's ``version`` attribute, else a digest of its plan schema and
    prompt text (part of the cache key: a changed tool invalidates cached plans).

    Example:
        >>> from astraweave.core import default_registry
        >>> registry_version(default_registry()).startswith("sha256:")
        True
    """
    return _registry_info(registry)[0]


@dataclass(frozen=True, slots=True)
class PreparedRequest:
    """A prompt and its request, ready to send (see :meth:`LlmPlanPipeline.prepare`)."""

    prompt: Prompt
    request: LlmRequest
    key: str
    forbidden: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LlmPlanResult:
    """A plan the model proposed (provenance not yet stamped).

    Attributes:
        plan: the parsed plan, every step's tool in the allowlist.
        reply: the reply text it came from ("" when it came from the cache).
        notes: deterministic remarks for the provenance (cache hit, repairs done,
            model, prompt tokens).
        cached: whether it came from the cache.
        response: the backend's response (``None`` on a cache hit).
    """

    plan: PlanIntent
    reply: str
    notes: tuple[str, ...]
    cached: bool = False
    response: LlmResponse | None = field(default=None, compare=False)


class LlmPlanPipeline:
    """Prompt, cache, model, parse, repair: one agent's LLM planning.

    Args:
        client: the backend (wrap it in :class:`~astraweave.llm.ResilientClient` for
            timeouts, retries and a circuit breaker).
        persona: who the agent is.
        objective: what it should achieve (default: the snapshot's objective).
        style: prompt style, ``"compact"`` (default) or ``"verbose"``.
        sampling: sampling parameters (default greedy).
        model: the model name (default: the client's).
        cache: the plan cache; ``True`` (default) makes a new one, ``False`` disables
            caching.
        parse_repair: send one repair prompt when a reply cannot be parsed.
        counter: token counter for prompt reports (default: the estimate).

    Example:
        >>> from astraweave.core import WorldSnapshot, default_registry
        >>> from astraweave.llm import ScriptedLlm, ScriptedReply
        >>> llm = ScriptedLlm([ScriptedReply.plan([{"tool": "Wait", "seconds": 1.0}])])
        >>> pipe = LlmPlanPipeline(llm)
        >>> result = pipe.plan(WorldSnapshot.example(), default_registry())
        >>> result.plan.brief(), result.cached
        ('Wait(seconds=1)', False)
        >>> pipe.plan(WorldSnapshot.example(), default_registry()).cached
        True
    """

    def __init__(
        self,
        client: LlmClient,
        *,
        persona: str = DEFAULT_PERSONA,
        objective: str | None = None,
        style: PromptStyle = "compact",
        sampling: SamplingParams | None = None,
        model: str | None = None,
        cache: PlanCache[str] | bool = True,
        parse_repair: bool = True,
        counter: TokenCounter | None = None,
    ) -> None:
        self.client = client
        self.persona = persona
        self.objective = objective
        self.style: PromptStyle = style
        self.sampling = sampling if sampling is not None else SamplingParams()
        self.model = model if model is not None else client.model
        if cache is True:
            cache = PlanCache()
        self.cache: PlanCache[str] | None = cache if isinstance(cache, PlanCache) else None
        self.parse_repair = parse_repair
        self.counter = counter

    # ----------------------------------------------------------------- preparing
    def prepare(
        self, snapshot: WorldSnapshot, registry: ToolRegistry, forbidden: Iterable[str] = ()
    ) -> PreparedRequest:
        """Build the prompt, the request and the cache key for ``snapshot``."""
        forbidden = tuple(forbidden)
        version, schema = _registry_info(registry)
        prompt = build_prompt(
            snapshot,
            registry,
            persona=self.persona,
            objective=self.objective,
            style=self.style,
            forbidden=forbidden,
            counter=self.counter,
            counter_name="model" if self.counter is not None else "estimate",
        )
        request = LlmRequest(
            messages=prompt.messages,
            model=self.model,
            sampling=self.sampling,
            response_schema=_steps_only(schema_for_tools(schema, prompt.allowed)),
            request_id=str(snapshot.agent.id),
        )
        key = cache_key(
            snapshot_json=snapshot.to_json(),
            registry_version=version,
            model=self.model,
            sampling=self.sampling.as_dict(),
            extra={
                "allowed": list(prompt.allowed),
                "backend": self.client.name,
                "objective": self.objective,
                "persona": self.persona,
                "style": self.style,
            },
        )
        return PreparedRequest(prompt, request, key, forbidden)

    def cached(self, prepared: PreparedRequest, registry: ToolRegistry) -> LlmPlanResult | None:
        """The cached plan for ``prepared``, if any (counts a hit or a miss)."""
        if self.cache is None:
            return None
        text = self.cache.get(prepared.key)
        if text is None:
            return None
        plan = registry.parse_plan(json.loads(text), prepared.forbidden)
        return LlmPlanResult(plan=plan, reply="", notes=("cache hit",), cached=True)

    def _store(self, prepared: PreparedRequest, parsed: ParsedReply) -> None:
        if self.cache is not None:
            self.cache.put(
                prepared.key, json.dumps(parsed.data, sort_keys=True, separators=(",", ":"))
            )

    def _result(
        self, prepared: PreparedRequest, parsed: ParsedReply, response: LlmResponse, extra: str
    ) -> LlmPlanResult:
        notes = [f"model {response.model or self.model}", f"prompt {prepared.prompt.tokens} tokens"]
        if parsed.repairs:
            notes.append("parser: " + "; ".join(parsed.repairs[:6]))
        if extra:
            notes.append(extra)
        return LlmPlanResult(
            plan=parsed.plan, reply=response.text, notes=tuple(notes), response=response
        )

    def _parse(self, text: str, registry: ToolRegistry, prepared: PreparedRequest) -> ParsedReply:
        banned = (*prepared.forbidden, *_banned(prepared, registry))
        return parse_plan_reply(text, registry, forbidden=banned)

    def _repair_request(
        self, prepared: PreparedRequest, reply: str, errors: Sequence[str]
    ) -> LlmRequest:
        messages = build_repair_messages(prepared.prompt, reply, errors)
        return LlmRequest(
            messages=messages,
            model=self.model,
            sampling=self.sampling,
            response_schema=prepared.request.response_schema,
            request_id=prepared.request.request_id,
        )

    # ------------------------------------------------------------------ sync path
    def plan(
        self, snapshot: WorldSnapshot, registry: ToolRegistry, forbidden: Iterable[str] = ()
    ) -> LlmPlanResult:
        """Plan for ``snapshot`` (blocking).

        Raises:
            LlmError: the model failed, or its reply (and the repaired reply) could not
                be parsed into a plan of allowed tools.
        """
        prepared = self.prepare(snapshot, registry, forbidden)
        hit = self.cached(prepared, registry)
        if hit is not None:
            return hit
        response = self.client.complete(prepared.request)
        try:
            parsed = self._parse(response.text, registry, prepared)
            extra = ""
        except LlmParseError as exc:
            if not self.parse_repair:
                raise
            fixed = self.client.complete(
                self._repair_request(prepared, response.text, [exc.message])
            )
            parsed = self._parse(fixed.text, registry, prepared)
            response, extra = fixed, f"repaired after: {type(exc).__name__}"
        self._store(prepared, parsed)
        return self._result(prepared, parsed, response, extra)

    def repair(
        self,
        snapshot: WorldSnapshot,
        registry: ToolRegistry,
        rejected: PlanIntent,
        errors: Sequence[str],
        forbidden: Iterable[str] = (),
    ) -> LlmPlanResult:
        """Ask the model once to fix a plan the sandbox rejected (blocking).

        Raises:
            LlmError: the model failed or the repaired reply is not a plan.
        """
        prepared = self.prepare(snapshot, registry, forbidden)
        reply = _plan_text(rejected)
        response = self.client.complete(self._repair_request(prepared, reply, errors))
        parsed = self._parse(response.text, registry, prepared)
        return self._result(prepared, parsed, response, "sandbox repair round")

    # ----------------------------------------------------------------- async path
    async def aplan(
        self, snapshot: WorldSnapshot, registry: ToolRegistry, forbidden: Iterable[str] = ()
    ) -> LlmPlanResult:
        """:meth:`plan` on an asyncio loop."""
        prepared = self.prepare(snapshot, registry, forbidden)
        hit = self.cached(prepared, registry)
        if hit is not None:
            return hit
        response = await self.client.acomplete(prepared.request)
        try:
            parsed = self._parse(response.text, registry, prepared)
            extra = ""
        except LlmParseError as exc:
            if not self.parse_repair:
                raise
            fixed = await self.client.acomplete(
                self._repair_request(prepared, response.text, [exc.message])
            )
            parsed = self._parse(fixed.text, registry, prepared)
            response, extra = fixed, f"repaired after: {type(exc).__name__}"
        self._store(prepared, parsed)
        return self._result(prepared, parsed, response, extra)

    async def arepair(
        self,
        snapshot: WorldSnapshot,
        registry: ToolRegistry,
        rejected: PlanIntent,
        errors: Sequence[str],
        forbidden: Iterable[str] = (),
    ) -> LlmPlanResult:
        """:meth:`repair` on an asyncio loop."""
        prepared = self.prepare(snapshot, registry, forbidden)
        reply = _plan_text(rejected)
        response = await self.client.acomplete(self._repair_request(prepared, reply, errors))
        parsed = self._parse(response.text, registry, prepared)
        return self._result(prepared, parsed, response, "sandbox repair round")


def _steps_only(schema: dict[str, Any]) -> dict[str, Any]:
    """The plan schema without ``plan_id`` (the engine names plans; a model spends
    tokens on it for nothing)."""
    props = schema.get("properties")
    if isinstance(props, dict) and "plan_id" in props:
        schema = {**schema, "properties": {k: v for k, v in props.items() if k != "plan_id"}}
        if isinstance(schema.get("required"), list):
            schema["required"] = [r for r in schema["required"] if r != "plan_id"]
    return schema


def _banned(prepared: PreparedRequest, registry: ToolRegistry) -> list[str]:
    """Registry tools outside the prompt's allowlist (the snapshot's ``tools``)."""
    allowed = set(prepared.prompt.allowed)
    return [name for name in registry.names() if name not in allowed]


def _plan_text(plan: PlanIntent) -> str:
    return json.dumps(
        {"steps": [s.model_dump(mode="json") for s in plan.steps]}, separators=(",", ":")
    )
