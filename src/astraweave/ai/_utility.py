"""The utility planner: score every candidate plan, run the best one.

**Candidates** come from the registry: every tool the agent may use now (allowed and
off cooldown), bound (:func:`~astraweave.ai._goap_bind.bind_step`) to each subject
it can be about (each visible enemy, downed or hurt ally, the leader, open
objectives, nearby points of interest, where a lost enemy was last seen). A tool
whose ``requires`` facts hold is a one-step candidate; one whose missing facts a
single other tool ``provides`` (Approach before Attack, Reload before Attack) is a
two-step candidate.

**Scores.** Each candidate is scored by the profile (:class:`ActionProfile`) of its
last step's tool, looked up as ``"<Tool>@<subject kind>"`` then ``"<Tool>"``: the
profile's ``weight`` times the product of its considerations. A
:class:`Consideration` reads one input in 0..1 from the snapshot (:data:`INPUTS`:
distance, health, ammo, cover, threat, ...) and maps it through a response
:class:`Curve` (linear, polynomial, logistic, step, constant). Products of many
factors shrink, so each factor is compensated as in Dave Mark's Infinite Axis Utility
System (``compensate``). The best score wins; ties go to the earlier tool in registry
order, then the earlier subject. A tool with no profile scores ``default_weight``.

**Tuning** (:class:`UtilityConfig`, a scenario's planner table): ``weights`` (tool
or ``Tool@kind`` -> multiplier), ``actions`` (replace profiles), ``noise`` (random
jitter drawn from the world's generator, 0 by default), ``max_targets``,
``min_score`` (below it the agent waits), ``default_weight``.

Example of a profile in TOML (a scenario's ``planner_config``)::

    [weights]
    Attack = 1.2
    [actions.Regroup]
    weight = 0.6
    considerations = [
        { input = "leader_distance", curve = { kind = "logistic", m = 25.0, c = 0.2 } },
    ]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from astraweave.ai._goap import SITUATION_FACTS, situation_facts, subject_facts
from astraweave.ai._goap_bind import (
    TOUCH_M,
    TOUCH_TOOLS,
    AgentConfigs,
    Situation,
    Subject,
    bind_step,
    cut_after_blind_move,
    parse_config,
)
from astraweave.core import (
    FACTS,
    PlanIntent,
    Provenance,
    ToolArgs,
    ToolRegistry,
    WaitArgs,
    WorldSnapshot,
)
from astraweave.errors import NoActionsError, ToolError

__all__ = [
    "DEFAULT_PROFILES",
    "INPUTS",
    "ActionProfile",
    "Candidate",
    "Consideration",
    "Curve",
    "UtilityConfig",
    "UtilityPlanner",
]

DISTANCE_NORM_M = 20.0
"""Distances are divided by this (and clamped to 1) to give the ``distance`` inputs."""


class Curve(BaseModel):
    """A response curve from an input ``x`` in 0..1 to a score in 0..1.

    ``kind`` and parameters (``m`` slope or steepness, ``k`` exponent, ``c`` shift
    along x or threshold, ``b`` shift along y):

    - ``linear``: ``m * (x - c) + b``
    - ``polynomial``: ``m * (x - c) ** k + b`` (the power keeps the sign of ``x - c``)
    - ``logistic``: ``1 / (1 + exp(-m * (x - c))) + b``
    - ``step``: ``m + b`` when ``x >= c``, else ``b``
    - ``constant``: ``b``

    The result is clamped to 0..1, then ``invert`` turns ``y`` into ``1 - y``.

    Example:
        >>> Curve(kind="linear").score(0.25), Curve(kind="step", c=0.5).score(0.25)
        (0.25, 0.0)
        >>> round(Curve(kind="logistic", m=10.0, c=0.5, invert=True).score(0.2), 3)
        0.953
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    kind: Literal["linear", "polynomial", "logistic", "step", "constant"] = "linear"
    m: float = Field(default=1.0, ge=-1000.0, le=1000.0)
    k: float = Field(default=1.0, gt=0.0, le=100.0)
    c: float = Field(default=0.0, ge=-10.0, le=10.0)
    b: float = Field(default=0.0, ge=-10.0, le=10.0)
    invert: bool = False

    def score(self, x: float) -> float:
        """The curve at ``x`` (clamped to 0..1)."""
        kind = self.kind
        if kind == "linear":
            y = self.m * (x - self.c) + self.b
        elif kind == "polynomial":
            t = x - self.c
            y = self.m * math.copysign(abs(t) ** self.k, t) + self.b
        elif kind == "logistic":
            z = -self.m * (x - self.c)
            y = (0.0 if z > 700 else 1.0 / (1.0 + math.exp(z))) + self.b
        elif kind == "step":
            y = (self.m if x >= self.c else 0.0) + self.b
        else:
            y = self.b
        y = 0.0 if y < 0.0 else 1.0 if y > 1.0 else y
        return 1.0 - y if self.invert else y


@dataclass(frozen=True, slots=True)
class _Ctx:
    sit: Situation
    subject: Subject
    steps: int
    conds: frozenset[str]


def _enemy_of(ctx: _Ctx) -> Any:
    return ctx.sit.enemy(ctx.subject.id) if ctx.subject.kind == "enemy" else None


def _subject_distance(ctx: _Ctx) -> float:
    s = ctx.subject
    if s.kind == "none":
        return 0.0
    me = ctx.sit.me.pos
    return min(1.0, math.hypot(s.pos[0] - me[0], s.pos[1] - me[1]) / DISTANCE_NORM_M)


def _in_range(ctx: _Ctx) -> float:
    e = _enemy_of(ctx)
    return 1.0 if e is not None and e.distance <= ctx.sit.me.weapon_range_m else 0.0


def _threat(ctx: _Ctx) -> float:
    sit = ctx.sit
    radius = max(1.0, sit.me.perception_radius_m)
    total = 0.0
    for e in sit.visible:
        hp = e.hp / e.max_hp if e.max_hp > 0 else 0.0
        total += hp * max(0.0, 1.0 - e.distance / radius)
    return min(1.0, total / 2.0)


def _cluster(ctx: _Ctx) -> float:
    e = _enemy_of(ctx)
    if e is None:
        return 0.0
    near = sum(
        1
        for v in ctx.sit.visible
        if (v.pos[0] - e.pos[0]) ** 2 + (v.pos[1] - e.pos[1]) ** 2 <= 6.25
    )
    return min(1.0, near / 3.0)


def _ally_health(ctx: _Ctx) -> float:
    if ctx.subject.kind != "ally":
        return 1.0
    a = ctx.sit.snap.ally(ctx.subject.id)
    if a is None:
        return 1.0
    return 0.0 if a.downed else (a.hp / a.max_hp if a.max_hp > 0 else 0.0)


def _enemy_health(ctx: _Ctx) -> float:
    e = _enemy_of(ctx)
    return 1.0 if e is None or e.max_hp <= 0 else e.hp / e.max_hp


def _lost(ctx: _Ctx) -> float:
    sit = ctx.sit
    if sit.visible:
        return 0.0
    if sit.remembered:
        return 1.0
    return 0.3 if not sit.snap.enemies else 0.0


def _concealment(ctx: _Ctx) -> float:
    sit = ctx.sit
    if not sit.visible:
        return 0.0
    return 1.0 if sit.downed or sit.hp_frac < 0.35 else 0.0


INPUTS: dict[str, tuple[str, Callable[[_Ctx], float]]] = {
    "constant": ("always 1", lambda c: 1.0),
    "health": ("own hp / max hp", lambda c: c.sit.hp_frac),
    "ammo": (
        "rounds in the magazine / magazine size",
        lambda c: c.sit.me.ammo / c.sit.me.magazine if c.sit.me.magazine > 0 else 0.0,
    ),
    "reserve": (
        "spare rounds / magazine size (capped at 1)",
        lambda c: min(1.0, c.sit.me.reserve / max(1, c.sit.me.magazine)),
    ),
    "morale": ("own morale (0..1)", lambda c: c.sit.me.morale),
    "distance": (f"distance to the subject / {DISTANCE_NORM_M:g} m", _subject_distance),
    "in_range": ("1 when the subject enemy is within weapon range", _in_range),
    "target_cover": ("the subject enemy's cover / 0.9", lambda c: _cover(c)),
    "cover": ("1 when the agent is in cover", lambda c: 1.0 if c.sit.in_cover else 0.0),
    "threat": ("visible enemies weighted by health and closeness (2 close = 1)", _threat),
    "enemies": ("visible enemies / 4 (capped at 1)", lambda c: min(1.0, len(c.sit.visible) / 4)),
    "cluster": ("visible enemies within 2.5 m of the subject enemy / 3", _cluster),
    "enemy_health": ("the subject enemy's hp fraction", _enemy_health),
    "ally_health": ("the subject ally's hp fraction (0 when downed)", _ally_health),
    "leader_distance": (
        f"distance to the leader / {DISTANCE_NORM_M:g} m (0 without a leader)",
        lambda c: min(1.0, c.sit.leader.distance / DISTANCE_NORM_M) if c.sit.leader else 0.0,
    ),
    "objective_distance": (
        "distance to the nearest open objective / 40 m",
        lambda c: min(1.0, c.sit.objectives[0].distance / 40.0) if c.sit.objectives else 0.0,
    ),
    "lost_enemies": ("1 when enemies are remembered but none in sight; 0.3 when none known", _lost),
    "concealment": ("1 when enemies are in sight and an ally is downed or hp < 35 %", _concealment),
    "extra_steps": ("steps before the scored one / 3", lambda c: min(1.0, (c.steps - 1) / 3)),
}
"""Consideration inputs: name -> (meaning, function). Also ``role:<role>`` (1 when
the agent has that role) and ``fact:<fact>`` (1 when a fact of
:data:`~astraweave.core.FACTS` or :data:`~astraweave.ai._goap.SITUATION_FACTS`
holds)."""


def _cover(ctx: _Ctx) -> float:
    e = _enemy_of(ctx)
    return 0.0 if e is None else min(1.0, e.cover / 0.9)


class Consideration(BaseModel):
    """One factor of an action's score: an input (see :data:`INPUTS`) through a curve."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    input: str
    curve: Curve = Field(default_factory=Curve)

    @field_validator("input")
    @classmethod
    def _known(cls, v: str) -> str:
        if v in INPUTS:
            return v
        kind, _, arg = v.partition(":")
        if kind == "role" and arg:
            return v
        if kind == "fact" and (arg in FACTS or arg in SITUATION_FACTS):
            return v
        raise ValueError(
            f"unknown input {v!r}; inputs: {', '.join(sorted(INPUTS))}, role:<role>, fact:<fact>"
        )

    def score(self, ctx: _Ctx) -> float:
        """The curve at this input's value in ``ctx``."""
        name = self.input
        if name in INPUTS:
            x = INPUTS[name][1](ctx)
        elif name.startswith("role:"):
            x = 1.0 if ctx.sit.me.role == name[5:] else 0.0
        else:
            x = 1.0 if name[5:] in ctx.conds else 0.0
        return self.curve.score(x)


class ActionProfile(BaseModel):
    """How to score the candidates of one tool: a weight and considerations."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    weight: float = Field(default=1.0, ge=0.0, le=100.0)
    considerations: tuple[Consideration, ...] = Field(default=(), strict=False)


def _c(inp: str, kind: str = "linear", **kw: Any) -> Consideration:
    return Consideration(input=inp, curve=Curve.model_validate({"kind": kind, **kw}))


def _p(weight: float, *cons: Consideration) -> ActionProfile:
    return ActionProfile(weight=weight, considerations=cons)


_EXTRA = _c("extra_steps", m=-0.4, b=1.0)
_CALM = _c("threat", m=-0.3, b=1.0)

DEFAULT_PROFILES: dict[str, ActionProfile] = {
    "Revive@ally": _p(1.0, _CALM, _c("extra_steps", m=-0.2, b=1.0)),
    "UseItem": _p(0.95, _c("health", "logistic", m=14.0, c=0.4, invert=True)),
    "Reload": _p(0.9, _c("ammo", "polynomial", m=-1.0, c=1.0, k=3.0)),
    "ThrowExplosive@enemy": _p(0.85, _c("cluster", "step", c=0.6), _EXTRA),
    "Heal@ally": _p(0.8, _c("ally_health", "logistic", m=14.0, c=0.45, invert=True), _EXTRA),
    "TakeCover": _p(
        0.75,
        _c("health", "logistic", m=12.0, c=0.55, invert=True),
        _c("threat", m=2.0),
        _c("cover", invert=True),
    ),
    "ThrowSmoke": _p(0.7, _c("concealment", "step", c=0.5)),
    "Retreat": _p(0.7, _c("health", "logistic", m=15.0, c=0.25, invert=True), _c("threat", m=2.0)),
    "MarkTarget@enemy": _p(0.65, _c("threat", m=-0.3, b=1.0)),
    "AimedShot@enemy": _p(
        0.6,
        _c("target_cover", m=0.6, b=0.4),
        _c("enemy_health", m=-0.3, b=1.0),
        _c("distance", m=-0.4, b=1.0),
        _EXTRA,
    ),
    "Attack@enemy": _p(
        0.6,
        _c("target_cover", m=-0.6, b=1.0),
        _c("enemy_health", m=-0.3, b=1.0),
        _c("distance", m=-0.4, b=1.0),
        _EXTRA,
    ),
    "Regroup": _p(0.5, _c("leader_distance", "logistic", m=40.0, c=0.2), _c("threat", m=-0.5, b=1)),
    "MoveTo@poi": _p(
        0.45,
        _c("role:lead"),
        _c("objective_distance", "step", c=0.02),
        _c("fact:door_blocking", invert=True),
    ),
    "CoverFire@enemy": _p(0.4, _c("enemies", m=2.0, c=0.25), _c("ammo", "step", c=0.3)),
    "Scan": _p(0.35, _c("lost_enemies")),
    "MoveTo@point": _p(0.3, _c("role:guard"), _c("lost_enemies", "step", c=0.9)),
    "Interact@poi": _p(0.5, _c("role:lead"), _c("fact:door_blocking")),
    "Patrol": _p(0.25, _c("role:guard"), _c("fact:distracted", invert=True)),
    "Approach@enemy": _p(0.2, _c("in_range", invert=True)),
    "Distract": _p(0.1, _c("enemies")),
    "Approach@ally": _p(0.1, _c("ally_health", invert=True)),
    "Approach@poi": _p(0.0),
    "Wait": _p(0.05),
}
"""The built-in profiles, by ``Tool@subject kind`` or ``Tool``."""

SUBJECT_KINDS: dict[str, tuple[str, ...]] = {
    "Attack": ("enemy",),
    "AimedShot": ("enemy",),
    "CoverFire": ("enemy",),
    "MarkTarget": ("enemy",),
    "ThrowExplosive": ("enemy",),
    "Approach": ("enemy", "ally", "poi"),
    "MoveTo": ("poi", "point"),
    "Heal": ("ally",),
    "Revive": ("ally",),
    "Interact": ("poi",),
}
"""Which subjects the built-in tools are bound to (any other tool: none)."""


class UtilityConfig(BaseModel):
    """The utility planner's configuration (see the module docstring).

    Attributes:
        weights: tool (or ``Tool@kind``) -> weight multiplier (>= 0; 0 disables it).
        actions: tool (or ``Tool@kind``) -> profile replacing the built-in one.
        default_weight: the weight of tools without a profile (default 0.1).
        noise: jitter of up to this share of each score, drawn from the world's
            generator (default 0: no draw).
        max_targets: the nearest visible enemies considered as subjects (default 4).
        min_score: below this best score the agent waits (default 0.01).
        wait_s: that wait in seconds (default 0.5).
        compensate: compensate products of many considerations (default on).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    weights: dict[str, float] = Field(default_factory=dict)
    actions: dict[str, ActionProfile] = Field(default_factory=dict)
    default_weight: float = Field(default=0.1, ge=0.0, le=100.0)
    noise: float = Field(default=0.0, ge=0.0, le=1.0)
    max_targets: int = Field(default=4, ge=1, le=64)
    min_score: float = Field(default=0.01, ge=0.0, le=100.0)
    wait_s: float = Field(default=0.5, gt=0.0, le=10.0)
    compensate: bool = True

    @field_validator("weights")
    @classmethod
    def _nonneg(cls, v: dict[str, float]) -> dict[str, float]:
        for key, w in v.items():
            if not (w >= 0.0 and math.isfinite(w)):
                raise ValueError(f"weight of {key!r} must be a finite number >= 0, got {w}")
        return v

    def profile(self, tool: str, kind: str) -> tuple[ActionProfile | None, float]:
        """The profile for ``tool`` about a subject of ``kind`` and its weight multiplier."""
        keyed = f"{tool}@{kind}"
        prof = (
            self.actions.get(keyed)
            or self.actions.get(tool)
            or DEFAULT_PROFILES.get(keyed)
            or DEFAULT_PROFILES.get(tool)
        )
        mult = self.weights.get(keyed, self.weights.get(tool, 1.0))
        return prof, mult


@dataclass(frozen=True)
class Candidate:
    """A scored candidate plan.

    Attributes:
        key: ``Tool@kind`` of the scored (last) step. subject: what it is about.
        steps: the plan's steps. score: its utility. factors: each consideration's
            score, in profile order.
    """

    key: str
    subject: Subject
    steps: tuple[ToolArgs, ...]
    score: float
    factors: tuple[float, ...] = ()


def _subjects(sit: Situation, max_targets: int) -> dict[str, list[Subject]]:
    out: dict[str, list[Subject]] = {"none": [Subject()]}
    out["enemy"] = [Subject("enemy", e.id, e.pos) for e in sit.visible[:max_targets]]
    allies = list(sit.downed) + [a for a in sit.hurt_allies if a not in sit.downed]
    if sit.leader is not None and sit.leader not in allies:
        allies.append(sit.leader)
    out["ally"] = [Subject("ally", a.id, a.pos) for a in allies]
    door = sit.blocking_door
    if door is None:
        pois = list(sit.objectives)
    else:
        # the objective lies behind a closed door: the door (and its key) come first
        pois = [door]
        if door.locked and sit.me.items.get("keys", 0) <= 0 and sit.key is not None:
            pois = [sit.key]
    pois += [
        p
        for p in sit.snap.pois
        if p.distance <= TOUCH_M and p not in pois and p not in sit.objectives
    ]
    out["poi"] = [Subject("poi", p.id, p.pos) for p in pois]
    out["point"] = [Subject("point", -1, e.pos) for e in sit.remembered[:1]]
    return out


class UtilityPlanner:
    """Scores candidate plans built from the registry with response curves.

    Args:
        config: a :class:`UtilityConfig` or a mapping (a scenario's table).

    Raises:
        PlannerConfigError: the configuration is invalid.

    Example:
        >>> import numpy as np
        >>> from astraweave.core import WorldSnapshot, default_registry
        >>> snap = WorldSnapshot.example()
        >>> me = snap.agent.model_copy(update={"cooldowns": {}})
        >>> snap = snap.model_copy(update={"agent": me})
        >>> plan = UtilityPlanner().plan(snap, default_registry(),
        ...                              rng=np.random.default_rng(0), budget_s=0.01)
        >>> plan.brief(), plan.provenance.notes[0]
        ('Attack(target=2, shots=3)', 'utility: Attack@enemy 0.403')
    """

    name = "utility"

    def __init__(self, config: UtilityConfig | Mapping[str, Any] | None = None) -> None:
        self.configs: AgentConfigs[UtilityConfig] = AgentConfigs(
            parse_config(UtilityConfig, config, self.name)
        )

    @property
    def config(self) -> UtilityConfig:
        """The default configuration."""
        return self.configs.default

    def configure(
        self, config: UtilityConfig | Mapping[str, Any], *, agent: str | None = None
    ) -> None:
        """Set the configuration of one agent (name or ``role:<role>``) or the default.

        Raises:
            PlannerConfigError: the configuration is invalid.
        """
        self.configs.set(agent, parse_config(UtilityConfig, config, self.name))

    # ---------------------------------------------------------------- scoring
    def candidates(
        self,
        snapshot: WorldSnapshot,
        registry: ToolRegistry,
        *,
        rng: np.random.Generator | None = None,
    ) -> list[Candidate]:
        """Every candidate with its score, best first (ties: registry order, subject
        order).

        Args:
            snapshot: what the agent knows.
            registry: the tools.
            rng: the world's generator (drawn from only when ``noise > 0``).

        Raises:
            NoActionsError: no tool may be used.
        """
        cfg = self.configs.for_snapshot(snapshot)
        if len(registry) == 0 or not snapshot.tools:
            raise NoActionsError(
                f"utility: agent {snapshot.agent.id} has no tool to plan with",
                planner=self.name,
                agent=snapshot.agent.id,
            )
        sit = Situation(snapshot)
        conds = situation_facts(sit)
        subjects = _subjects(sit, cfg.max_targets)
        names = [n for n in registry.names() if sit.ready(n)]
        tools = {n: registry.get(n) for n in names}
        out: list[Candidate] = []
        seen: set[str] = set()
        facts_cache: dict[tuple[str, int], frozenset[str]] = {}
        for n in names:
            tool = tools[n]
            for kind in SUBJECT_KINDS.get(n, ("none",)):
                prof, mult = cfg.profile(n, kind)
                weight = (prof.weight if prof is not None else cfg.default_weight) * mult
                if weight <= 0:
                    continue
                for subj in subjects.get(kind, []):
                    step = bind_step(sit, registry, n, subj, wait_s=cfg.wait_s)
                    if step is None:
                        continue
                    fkey = subj.key()
                    facts = facts_cache.get(fkey)
                    if facts is None:
                        facts = subject_facts(sit, subj)
                        facts_cache[fkey] = facts
                    steps = self._chain(
                        sit, registry, tools, names, tool.requires, facts, subj, step
                    )
                    if steps is None:
                        continue
                    sig = repr(steps)
                    if sig in seen:
                        continue
                    seen.add(sig)
                    ctx = _Ctx(sit, subj, len(steps), conds)
                    score, factors = _score(prof, weight, ctx, cfg.compensate)
                    out.append(Candidate(f"{n}@{kind}", subj, steps, score, factors))
        if cfg.noise > 0 and out:
            jitter = (rng or np.random.default_rng(0)).random(len(out))
            out = [
                Candidate(
                    c.key, c.subject, c.steps, c.score * (1 + cfg.noise * (2 * j - 1)), c.factors
                )
                for c, j in zip(out, jitter.tolist(), strict=True)
            ]
        order = sorted(range(len(out)), key=lambda i: (-out[i].score, i))
        return [out[i] for i in order]

    @staticmethod
    def _chain(
        sit: Situation,
        registry: ToolRegistry,
        tools: Mapping[str, Any],
        names: Sequence[str],
        requires: frozenset[str],
        facts: frozenset[str],
        subj: Subject,
        step: ToolArgs,
    ) -> tuple[ToolArgs, ...] | None:
        missing = requires - facts
        if not missing:
            return (step,)
        best: tuple[float, int, ToolArgs] | None = None
        for i, e in enumerate(names):
            enabler = tools[e]
            if missing <= enabler.provides and enabler.requires <= facts and e != step.tool:
                if best is not None and best[0] <= enabler.goap_cost:
                    continue
                first = bind_step(sit, registry, e, subj, touch=step.tool in TOUCH_TOOLS)
                if first is None:
                    continue
                best = (enabler.goap_cost, i, first)
        if best is None:
            return None
        first = best[2]
        if first.tool == "Reload" and step.tool in ("Attack", "CoverFire"):
            reloaded = min(sit.me.magazine, sit.me.ammo + sit.me.reserve)
            rebound = bind_step(sit, registry, step.tool, subj, ammo=reloaded)
            if rebound is None:
                return None
            step = rebound
        return (first, step)

    def plan(
        self,
        snapshot: WorldSnapshot,
        registry: ToolRegistry,
        *,
        rng: np.random.Generator,
        budget_s: float,
    ) -> PlanIntent:
        """The best-scoring candidate (``Wait`` when none scores ``min_score``).

        Raises:
            NoActionsError: no tool may be used.
        """
        return self._pick(snapshot, registry, rng, set(), [])

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
        """The best candidate whose steps differ from every rejected plan's."""
        seen = {repr(tuple(p.steps)) for p in rejected}
        plan = self._pick(snapshot, registry, rng, seen, [f"after {len(rejected)} rejection(s)"])
        return None if repr(tuple(plan.steps)) in seen else plan

    def _pick(
        self,
        snapshot: WorldSnapshot,
        registry: ToolRegistry,
        rng: np.random.Generator,
        exclude: set[str],
        extra: list[str],
    ) -> PlanIntent:
        cfg = self.configs.for_snapshot(snapshot)
        ranked = [
            c
            for c in self.candidates(snapshot, registry, rng=rng)
            if repr(tuple(cut_after_blind_move(list(c.steps)))) not in exclude
        ]
        if not ranked or ranked[0].score < cfg.min_score:
            notes = ["utility: idle (no candidate scores high enough)", *extra]
            steps: tuple[ToolArgs, ...] = (WaitArgs(seconds=cfg.wait_s),)
        else:
            best = ranked[0]
            notes = [f"utility: {best.key} {best.score:.3f}"]
            if len(ranked) > 1:
                notes.append(f"runner-up: {ranked[1].key} {ranked[1].score:.3f}")
            notes += extra
            steps = tuple(cut_after_blind_move(list(best.steps)))
        return PlanIntent(
            plan_id=f"utility-{snapshot.agent.id}-{snapshot.tick}",
            steps=list(steps),
            provenance=Provenance(planner=self.name, notes=notes),
        )


def _score(
    prof: ActionProfile | None, weight: float, ctx: _Ctx, compensate: bool
) -> tuple[float, tuple[float, ...]]:
    if prof is None or not prof.considerations:
        return weight, ()
    cons = prof.considerations
    mod = 1.0 - 1.0 / len(cons)
    total = 1.0
    factors = []
    for c in cons:
        s = c.score(ctx)
        factors.append(s)
        if compensate:
            s = s + (1.0 - s) * mod * s
        total *= s
        if total == 0.0:
            break
    return weight * total, tuple(factors)
