"""The GOAP planner: goals with priorities, actions from the tool registry, A* search.

**Facts.** The search state is the set of symbolic facts of
:func:`~astraweave.core.facts_of` (``enemy_visible``, ``has_ammo``, ``self_hurt``,
...), made specific to the goal's subject (``enemy_in_range`` means *the target* is
in range, ``near_ally`` means *the ally to revive* is within reach), held as a
bitmask.

**Actions** are not written by hand: each tool of the registry that the agent may
use becomes one action, with the tool's ``requires`` as preconditions, ``provides``
and ``removes`` as effects and ``goap_cost`` as cost (overridable per tool with
``costs``). A tool is left out when the snapshot shows it cannot be bound (no
target, nothing to heal) or when it cools down for more than ``max_wait_s``; a tool
cooling down for less is kept at an extra ``wait_penalty`` and its step is preceded
by a ``Wait``.

**Goals** (:class:`GoalSpec`) say which facts to reach, when they apply (condition
facts: every fact of :data:`~astraweave.core.FACTS` plus :data:`SITUATION_FACTS`),
for which roles, about which subject, and with which priority. They are tried from
the highest priority down; the first one with a plan wins. No applicable goal means
a short ``Wait`` (``goal: idle``); applicable goals that are all unreachable give the
same ``Wait`` with the reasons in the provenance, or
:class:`~astraweave.errors.GoalUnreachableError` with ``on_unreachable = "error"``.

**Search** is :func:`~astraweave.ai._goap_search.astar` over the facts that matter
(the goal's and the available actions' preconditions), limited to
``max_expansions`` states and ``max_depth`` actions.

**Cache.** Search results are cached under exactly what decides them: the goal, the
relevant facts of the start state, which actions are available (and which wait),
the registry's tools and the search settings. A change in an irrelevant fact is a
cache hit; a change in a relevant one is a miss. The cache holds abstract plans;
arguments are bound from each snapshot (target ids, positions), so a hit never
replays stale arguments.

**Configuration** (:class:`GoapConfig`, a scenario's planner table): ``goals``
(replace the default goals), ``priorities`` (goal -> priority), ``disable`` (goal
names), ``costs`` (tool -> cost), search limits, ``max_wait_s``, ``wait_penalty``,
``follow_distance_m``, ``idle_wait_s``, ``on_unreachable``, ``extra_facts``.

**Learning from rejections.** The snapshot has no walls, so some steps cannot be
checked before the sandbox sees them (no path, no cover, cornered). When the sandbox
rejects a plan, :meth:`GoapPlanner.replan` plans without that goal and tool, and the
tool stays out of the agent's plans for ``avoid_ticks`` while it stays within 1.5 m.

Determinism: the planner reads only the snapshot and its own memory of rejections
(it never draws from ``rng`` and never reads the clock); ties go to the earlier goal,
then to the earlier tool in registry order. :meth:`GoapPlanner.reset` forgets the
rejections (the cache never changes results).
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

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
from astraweave.ai._goap_search import FactSpace, GoapAction, SearchResult, astar
from astraweave.core import (
    FACTS,
    MAX_PLAN_STEPS,
    PlanIntent,
    Provenance,
    ToolArgs,
    ToolRegistry,
    WaitArgs,
    WorldSnapshot,
    default_registry,
)
from astraweave.errors import (
    GoalUnreachableError,
    NoActionsError,
    PlannerConfigError,
    ToolError,
)

__all__ = [
    "DEFAULT_GOALS",
    "SITUATION_FACTS",
    "GoalSpec",
    "GoapConfig",
    "GoapPlanner",
    "situation_facts",
    "subject_facts",
]

SITUATION_FACTS: dict[str, str] = {
    "enemy_remembered": "an enemy is remembered but not in sight",
    "enemy_unmarked": "the target is visible and not marked",
    "enemy_cluster": "two or more visible enemies stand within 2.5 m of the target",
    "no_enemies": "the agent knows of no enemy",
    "leader_far": "the leader is farther than follow_distance_m",
    "objective_open": "an objective not yet active lies farther than 0.75 m",
    "badly_hurt": "below 35 % health",
    "out_of_ammo": "the magazine is empty",
    "has_patrol": "the agent has patrol points",
    "distracted": "a noise draws the agent's eye",
    "door_blocking": "a closed door seems to stand between the agent and the objective",
    "blocking_door_locked": "that door is locked",
    "key_known": "a key not yet taken is known",
    "interact_open": "a reachable terminal or switch is worth using (see Situation)",
}
"""Condition facts goals may test besides :data:`~astraweave.core.FACTS`."""

Subjects = Literal[
    "none",
    "target",
    "threat",
    "downed_ally",
    "hurt_ally",
    "leader",
    "objective",
    "remembered",
    "blocking_door",
    "key",
    "interactable",
]


class GoalSpec(BaseModel):
    """One goal.

    Attributes:
        name: unique name (appears in the plan's provenance as ``goal: <name>``).
        want: facts the plan must make true (all of them).
        when: condition facts that must all hold for the goal to apply.
        unless: condition facts none of which may hold.
        roles: roles the goal applies to (empty: every role).
        subject: what the goal is about: ``target`` (the enemy to fight),
            ``threat`` (the nearest visible enemy), ``downed_ally``, ``hurt_ally``,
            ``leader``, ``objective`` (nearest open objective), ``remembered`` (where
            the nearest unseen enemy was last seen), ``blocking_door`` (a closed door
            that seems to stand before the objective), ``key`` (the nearest key not
            yet taken), ``interactable`` (a terminal or switch worth using) or
            ``none``.
        priority: higher goals are tried first.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_\-]{0,39}$")
    want: tuple[str, ...] = Field(min_length=1, strict=False)
    when: tuple[str, ...] = Field(default=(), strict=False)
    unless: tuple[str, ...] = Field(default=(), strict=False)
    roles: tuple[str, ...] = Field(default=(), strict=False)
    subject: Subjects = "none"
    priority: float = Field(ge=0.0, le=1000.0)


def _g(
    name: str,
    want: str,
    priority: float,
    *,
    when: str = "",
    unless: str = "",
    roles: str = "",
    subject: Subjects = "none",
) -> GoalSpec:
    return GoalSpec(
        name=name,
        want=tuple(want.split()),
        when=tuple(when.split()),
        unless=tuple(unless.split()),
        roles=tuple(roles.split()),
        subject=subject,
        priority=float(priority),
    )


DEFAULT_GOALS: tuple[GoalSpec, ...] = (
    _g(
        "smoke_and_revive",
        "concealed ally_revived",
        96,
        when="ally_downed enemy_visible has_smoke",
        unless="concealed",
        subject="downed_ally",
    ),
    _g("revive_ally", "ally_revived", 95, when="ally_downed", subject="downed_ally"),
    _g("patch_up", "self_healthy", 90, when="badly_hurt has_medkit"),
    _g("reload", "has_ammo", 85, when="out_of_ammo has_reserve"),
    _g(
        "escape",
        "safe_distance",
        78,
        when="badly_hurt enemy_visible",
        unless="has_medkit in_cover",
        subject="threat",
    ),
    _g(
        "take_cover",
        "in_cover",
        80,
        when="self_hurt enemy_visible",
        unless="in_cover",
        subject="threat",
    ),
    _g(
        "heal_ally",
        "ally_healthy",
        70,
        when="ally_hurt has_medkit",
        roles="companion",
        subject="hurt_ally",
    ),
    _g(
        "mark_and_engage",
        "enemy_marked enemy_damaged",
        62,
        when="enemy_visible enemy_unmarked",
        subject="target",
    ),
    _g("engage", "enemy_damaged", 60, when="enemy_visible", subject="target"),
    _g(
        "hunt",
        "at_destination",
        45,
        when="enemy_remembered",
        unless="enemy_visible",
        roles="guard",
        subject="remembered",
    ),
    _g("search", "area_scanned", 40, when="enemy_remembered", unless="enemy_visible area_scanned"),
    _g(
        "fetch_key",
        "poi_used",
        37,
        when="door_blocking blocking_door_locked key_known",
        unless="has_key",
        roles="lead",
        subject="key",
    ),
    _g(
        "use_interactable",
        "poi_used",
        38,
        when="interact_open",
        roles="lead",
        subject="interactable",
    ),
    _g("open_door", "door_open", 36, when="door_blocking", roles="lead", subject="blocking_door"),
    _g(
        "reach_objective",
        "at_destination",
        35,
        when="objective_open",
        unless="door_blocking",
        roles="lead",
        subject="objective",
    ),
    _g("follow_leader", "near_ally", 30, when="leader_far", roles="companion", subject="leader"),
    _g("patrol", "area_patrolled", 20, when="has_patrol", unless="distracted", roles="guard"),
    _g(
        "look_around",
        "area_scanned",
        10,
        when="no_enemies",
        unless="area_scanned",
        roles="companion guard",
    ),
)
"""The built-in goals, highest priority first (see :class:`GoalSpec`)."""

AVOID_RADIUS_M = 1.5
"""A tool the sandbox rejected is avoided while the agent stays this close to where
it was rejected (see ``avoid_ticks``)."""

DEFAULT_COSTS: dict[str, float] = {"Regroup": 0.9}
"""Cost overrides of the built-in configuration (``Regroup`` beats ``Approach`` for
following the leader)."""


def _known_facts(extra: Sequence[str]) -> frozenset[str]:
    facts = set(FACTS) | set(extra)
    for tool in (default_registry().get(n) for n in default_registry().names()):
        facts |= tool.requires | tool.provides | tool.removes
    return frozenset(facts)


class GoapConfig(BaseModel):
    """The GOAP planner's configuration (see the module docstring).

    Attributes:
        goals: the goals (default :data:`DEFAULT_GOALS`).
        priorities: goal name -> priority overrides.
        disable: names of goals to leave out.
        costs: tool name -> action cost (> 0), over :data:`DEFAULT_COSTS` and the
            tools' ``goap_cost``.
        max_expansions: states the search may expand per goal (default 2000).
        max_depth: actions in a plan at most (default 6, at most 16).
        max_wait_s: a tool cooling down for at most this long is planned after a
            ``Wait`` (default 1.0 s).
        wait_penalty: the extra cost of such a tool (default 0.5).
        follow_distance_m: ``leader_far`` beyond this distance (default 3.5 m).
        idle_wait_s: the ``Wait`` when no goal applies (default 0.5 s).
        on_unreachable: ``"wait"`` (default) or ``"error"`` when every applicable goal
            is unreachable.
        extra_facts: fact names custom tools use (so goals may name them).
        cache_size: cached searches at most (default 4096; 0 disables the cache).
        avoid_ticks: after the sandbox rejects a step, its tool is left out of this
            agent's plans for this many ticks while it stays within 1.5 m (default
            120; 0 disables it).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    goals: tuple[GoalSpec, ...] = Field(default=DEFAULT_GOALS, strict=False)
    priorities: dict[str, float] = Field(default_factory=dict)
    disable: tuple[str, ...] = Field(default=(), strict=False)
    costs: dict[str, float] = Field(default_factory=dict)
    max_expansions: int = Field(default=2000, ge=1, le=1_000_000)
    max_depth: int = Field(default=6, ge=1, le=16)
    max_wait_s: float = Field(default=1.0, ge=0.0, le=10.0)
    wait_penalty: float = Field(default=0.5, ge=0.0, le=100.0)
    follow_distance_m: float = Field(default=3.5, gt=0.0, le=100.0)
    idle_wait_s: float = Field(default=0.5, gt=0.0, le=10.0)
    on_unreachable: Literal["wait", "error"] = "wait"
    extra_facts: tuple[str, ...] = Field(default=(), strict=False)
    cache_size: int = Field(default=4096, ge=0, le=1_000_000)
    avoid_ticks: int = Field(default=120, ge=0, le=100_000)

    @model_validator(mode="after")
    def _check(self) -> GoapConfig:
        names = [g.name for g in self.goals]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"goal names must be unique; repeated: {dup}")
        for key, label in (
            (self.priorities, "priorities"),
            (dict.fromkeys(self.disable), "disable"),
        ):
            unknown = sorted(set(key) - set(names))
            if unknown:
                raise ValueError(f"{label} names unknown goals {unknown}; goals: {names}")
        for tool, cost in self.costs.items():
            if not cost > 0:
                raise ValueError(f"costs.{tool} must be > 0, got {cost}")
        known = _known_facts(self.extra_facts)
        conds = known | set(SITUATION_FACTS)
        for g in self.goals:
            bad_want = sorted(set(g.want) - known)
            if bad_want:
                raise ValueError(
                    f"goal {g.name!r}: unknown facts in want {bad_want} "
                    "(declare custom ones in extra_facts)"
                )
            bad = sorted((set(g.when) | set(g.unless)) - conds)
            if bad:
                raise ValueError(f"goal {g.name!r}: unknown condition facts {bad}")
        return self

    def active_goals(self) -> list[GoalSpec]:
        """The enabled goals with their priorities, highest first (ties: file order)."""
        out = []
        for g in self.goals:
            if g.name in self.disable:
                continue
            if g.name in self.priorities:
                g = g.model_copy(update={"priority": float(self.priorities[g.name])})
            out.append(g)
        order = sorted(range(len(out)), key=lambda i: (-out[i].priority, i))
        return [out[i] for i in order]

    def cost(self, tool: str, default: float) -> float:
        """The action cost of ``tool`` (``costs``, else :data:`DEFAULT_COSTS`, else
        ``default``, the tool's ``goap_cost``)."""
        return self.costs.get(tool, DEFAULT_COSTS.get(tool, default))

    def search_key(self) -> tuple[Any, ...]:
        """What of the configuration decides search results (part of the cache key)."""
        return (
            tuple(sorted(self.costs.items())),
            self.max_expansions,
            self.max_depth,
            self.wait_penalty,
        )


@dataclass
class _Compiled:
    """The actions of one registry (rebuilt when its tools change)."""

    names: tuple[str, ...]
    facts: FactSpace
    actions: list[GoapAction]
    index: dict[str, int]
    relevant: dict[int, int] = field(default_factory=dict)
    cache: dict[tuple[Any, ...], SearchResult] = field(default_factory=dict)

    @classmethod
    def build(cls, registry: ToolRegistry) -> _Compiled:
        names = tuple(registry.names())
        fs = FactSpace(sorted(FACTS))
        for n in names:
            t = registry.get(n)
            for f in sorted(t.requires | t.provides | t.removes):
                fs.add(f)
        actions = []
        for n in names:
            t = registry.get(n)
            actions.append(
                GoapAction(
                    n,
                    fs.mask(t.requires),
                    fs.mask(t.provides),
                    fs.mask(t.removes),
                    float(t.goap_cost),
                )
            )
        return cls(names, fs, actions, {n: i for i, n in enumerate(names)})

    def relevant_tools(self, goal: int) -> int:
        """Mask over actions that can contribute to ``goal`` (backward closure)."""
        hit = self.relevant.get(goal)
        if hit is not None:
            return hit
        need, tools = goal, 0
        changed = True
        while changed:
            changed = False
            for i, a in enumerate(self.actions):
                if not tools >> i & 1 and a.add & need:
                    tools |= 1 << i
                    need |= a.pre
                    changed = True
        self.relevant[goal] = tools
        return tools


_GoalRow = tuple[GoalSpec, frozenset[str], frozenset[str], frozenset[str]]


@dataclass(frozen=True)
class _Outcome:
    goal: GoalSpec
    steps: list[ToolArgs]
    cost: float


class GoapPlanner:
    """Goal-oriented action planning over the registry's tool facts (module docstring).

    Args:
        config: a :class:`GoapConfig` or a mapping (a scenario's table); default
            settings when omitted.

    Raises:
        PlannerConfigError: the configuration is invalid.

    Example:
        >>> import numpy as np
        >>> from astraweave.core import WorldSnapshot, default_registry
        >>> planner = GoapPlanner()
        >>> plan = planner.plan(WorldSnapshot.example(), default_registry(),
        ...                     rng=np.random.default_rng(0), budget_s=0.01)
        >>> plan.brief()
        'Wait(seconds=0.27) -> Attack(target=2, shots=3)'
        >>> plan.provenance.notes[:2]
        ['goal: engage', 'cost: 1.5']
    """

    name = "goap"

    def __init__(self, config: GoapConfig | Mapping[str, Any] | None = None) -> None:
        self.configs: AgentConfigs[GoapConfig] = AgentConfigs(
            parse_config(GoapConfig, config, self.name)
        )
        self._compiled: weakref.WeakKeyDictionary[ToolRegistry, _Compiled] = (
            weakref.WeakKeyDictionary()
        )
        self._avoid: dict[int, dict[str, tuple[int, tuple[float, float]]]] = {}
        self._goal_rows: dict[int, tuple[GoapConfig, list[_GoalRow]]] = {}
        self.stats: dict[str, int] = {
            "plans": 0,
            "searches": 0,
            "cache_hits": 0,
            "cache_misses": 0,
            "expanded": 0,
            "limit_hits": 0,
        }
        """Counters (plans made, searches run, cache hits and misses, states expanded,
        searches that hit ``max_expansions``)."""

    @property
    def config(self) -> GoapConfig:
        """The default configuration."""
        return self.configs.default

    def configure(
        self, config: GoapConfig | Mapping[str, Any], *, agent: str | None = None
    ) -> None:
        """Set the configuration of one agent (by name, or ``role:<role>``) or, with
        ``agent=None``, the default.

        Raises:
            PlannerConfigError: the configuration is invalid.
        """
        self.configs.set(agent, parse_config(GoapConfig, config, self.name))

    def reset(self, agent: int | None = None) -> None:
        """Forget the remembered rejections of one agent (entity id) or of all."""
        if agent is None:
            self._avoid.clear()
        else:
            self._avoid.pop(agent, None)

    def clear_cache(self) -> None:
        """Forget every cached search."""
        for comp in list(self._compiled.values()):
            comp.cache.clear()

    def cache_hit_rate(self) -> float:
        """Share of searches answered from the cache (0 when none ran)."""
        total = self.stats["cache_hits"] + self.stats["cache_misses"]
        return self.stats["cache_hits"] / total if total else 0.0

    # ------------------------------------------------------------------ planning
    def _goals(self, cfg: GoapConfig) -> list[_GoalRow]:
        """The active goals of ``cfg`` with their role and condition sets (cached)."""
        rows = self._goal_rows.get(id(cfg))
        if rows is None or rows[0] is not cfg:
            goals = [
                (g, frozenset(g.roles), frozenset(g.when), frozenset(g.unless))
                for g in cfg.active_goals()
            ]
            rows = (cfg, goals)
            self._goal_rows[id(cfg)] = rows
        return rows[1]

    def _compile(self, registry: ToolRegistry) -> _Compiled:
        comp = self._compiled.get(registry)
        if comp is None or comp.names != tuple(registry.names()):
            comp = _Compiled.build(registry)
            self._compiled[registry] = comp
        return comp

    def plan(
        self,
        snapshot: WorldSnapshot,
        registry: ToolRegistry,
        *,
        rng: np.random.Generator,
        budget_s: float,
    ) -> PlanIntent:
        """Plan for the highest-priority goal that can be reached.

        Args:
            snapshot: what the agent knows.
            registry: the tools.
            rng: the world's generator (not used: the search is deterministic).
            budget_s: advisory; the search is bounded by ``max_expansions``.

        Returns:
            The plan; its provenance notes name the goal (``goal: <name>``), the cost
            and every higher goal that was skipped, with why.

        Raises:
            NoActionsError: no tool may be used.
            GoalUnreachableError: every applicable goal is unreachable and
                ``on_unreachable = "error"``.
        """
        return self._plan(snapshot, registry, frozenset(), frozenset(), [])

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
        """Plan again without the goals of the ``rejected`` plans and without the tools
        the sandbox's ``errors`` name; ``None`` when only idling is left."""
        goals = set()
        for p in rejected:
            for note in p.provenance.notes:
                if note.startswith("goal: "):
                    goals.add(note[6:])
        tools = {e.tool for e in errors if isinstance(getattr(e, "tool", None), str)}
        cfg = self.configs.for_snapshot(snapshot)
        if cfg.avoid_ticks:
            memo = self._avoid.setdefault(snapshot.agent.id, {})
            for t in sorted(tools):
                memo[t] = (snapshot.tick + cfg.avoid_ticks, snapshot.agent.pos)
        if "idle" in goals:
            return None
        plan = self._plan(
            snapshot,
            registry,
            frozenset(goals),
            frozenset(tools),
            [f"after {len(rejected)} rejection(s)"],
        )
        return None if plan.provenance.notes[0] == "goal: idle" and goals else plan

    @staticmethod
    def _avoided(
        memo: dict[str, tuple[int, tuple[float, float]]], snapshot: WorldSnapshot
    ) -> frozenset[str]:
        out = []
        x, y = snapshot.agent.pos
        for tool, (until, (px, py)) in sorted(memo.items()):
            if snapshot.tick >= until or (x - px) ** 2 + (y - py) ** 2 > AVOID_RADIUS_M**2:
                del memo[tool]
            else:
                out.append(tool)
        return frozenset(out)

    def _plan(
        self,
        snapshot: WorldSnapshot,
        registry: ToolRegistry,
        banned_goals: frozenset[str],
        banned_tools: frozenset[str],
        extra_notes: list[str],
    ) -> PlanIntent:
        cfg = self.configs.for_snapshot(snapshot)
        memo = self._avoid.get(snapshot.agent.id)
        if memo:
            banned_tools = banned_tools | self._avoided(memo, snapshot)
        if len(registry) == 0 or not snapshot.tools:
            raise NoActionsError(
                f"goap: agent {snapshot.agent.id} has no tool to plan with "
                "(empty registry or every tool forbidden)",
                planner=self.name,
                agent=snapshot.agent.id,
            )
        comp = self._compile(registry)
        sit = Situation(snapshot)
        conds = situation_facts(sit, cfg.follow_distance_m)
        skipped: list[str] = []
        self.stats["plans"] += 1
        role = sit.me.role
        for goal, roles, when, unless in self._goals(cfg):
            if goal.name in banned_goals or (roles and role not in roles):
                continue
            if not when <= conds or not unless.isdisjoint(conds):
                continue
            subject = _subject(goal, sit)
            if subject is None:
                continue
            out = self._try_goal(comp, cfg, sit, registry, goal, subject, banned_tools)
            if isinstance(out, str):
                skipped.append(f"skipped {goal.name}: {out}")
                continue
            notes = [f"goal: {goal.name}", f"cost: {out.cost:g}", *skipped, *extra_notes]
            return self._make(snapshot, out.steps, notes)
        if skipped and cfg.on_unreachable == "error":
            raise GoalUnreachableError(
                f"goap: no applicable goal is reachable for agent {snapshot.agent.id}: "
                + "; ".join(skipped),
                planner=self.name,
                agent=snapshot.agent.id,
                goals=list(skipped),
            )
        if "Wait" not in sit.allowed or "Wait" not in registry:
            raise GoalUnreachableError(
                f"goap: agent {snapshot.agent.id} has no reachable goal and may not Wait",
                planner=self.name,
                agent=snapshot.agent.id,
                goals=list(skipped),
            )
        notes = ["goal: idle", *skipped, *extra_notes]
        return self._make(snapshot, [WaitArgs(seconds=cfg.idle_wait_s)], notes)

    def _make(self, snapshot: WorldSnapshot, steps: list[ToolArgs], notes: list[str]) -> PlanIntent:
        return PlanIntent(
            plan_id=f"goap-{snapshot.agent.id}-{snapshot.tick}",
            steps=steps,
            provenance=Provenance(planner=self.name, notes=notes),
        )

    def _try_goal(
        self,
        comp: _Compiled,
        cfg: GoapConfig,
        sit: Situation,
        registry: ToolRegistry,
        goal: GoalSpec,
        subject: Subject,
        banned_tools: frozenset[str],
    ) -> _Outcome | str:
        fs = comp.facts
        goal_mask = fs.mask(goal.want)
        if len(fs.names(goal_mask)) != len(goal.want):
            return "no tool provides " + ", ".join(sorted(set(goal.want) - fs.names(goal_mask)))
        start = fs.mask(subject_facts(sit, subject))
        if start & goal_mask == goal_mask:
            return "already satisfied"
        candidates = comp.relevant_tools(goal_mask)
        me = sit.me
        potential = max(me.ammo, min(me.magazine, me.ammo + me.reserve))
        avail = wait = 0
        wait_ok = "Wait" in sit.allowed and "Wait" in registry
        for i, a in enumerate(comp.actions):
            if not candidates >> i & 1 or a.name in banned_tools or a.name not in sit.allowed:
                continue
            cd = sit.cooldown(a.name)
            if cd > 0 and (cd > cfg.max_wait_s or not wait_ok):
                continue
            if bind_step(sit, registry, a.name, subject, ammo=potential) is None:
                continue
            avail |= 1 << i
            if cd > 0:
                wait |= 1 << i
        relevant = goal_mask
        for i, a in enumerate(comp.actions):
            if avail >> i & 1:
                relevant |= a.pre
        key = (goal.name, goal_mask, start & relevant, avail, wait, cfg.search_key())
        result = comp.cache.get(key) if cfg.cache_size else None
        self.stats["searches"] += 1
        if result is None:
            self.stats["cache_misses"] += 1
            actions = []
            index = []
            for i, a in enumerate(comp.actions):
                if avail >> i & 1:
                    cost = cfg.cost(a.name, a.cost)
                    if wait >> i & 1:
                        cost += cfg.wait_penalty
                    actions.append(GoapAction(a.name, a.pre, a.add, a.rem, cost))
                    index.append(i)
            found = astar(
                start & relevant,
                goal_mask,
                actions,
                max_expansions=cfg.max_expansions,
                max_depth=cfg.max_depth,
            )
            result = SearchResult(
                found.status, tuple(index[k] for k in found.actions), found.cost, found.expanded
            )
            self.stats["expanded"] += result.expanded
            if result.status == "limit":
                self.stats["limit_hits"] += 1
            if cfg.cache_size:
                if len(comp.cache) >= cfg.cache_size:
                    comp.cache.clear()
                comp.cache[key] = result
        else:
            self.stats["cache_hits"] += 1
        if result.status == "limit":
            return f"search limit ({cfg.max_expansions} states)"
        if not result.ok:
            return "unreachable"
        steps = _concretize(sit, registry, comp, result.actions, subject, cfg)
        if steps is None:
            return "cannot bind arguments"
        return _Outcome(goal, steps, result.cost)


def situation_facts(sit: Situation, follow_distance_m: float = 3.5) -> frozenset[str]:
    """The facts of ``sit`` plus the :data:`SITUATION_FACTS` that hold (``leader_far``
    beyond ``follow_distance_m``)."""
    f = set(sit.facts)
    me = sit.me
    if sit.remembered:
        f.add("enemy_remembered")
    if sit.target is not None:
        if not sit.target.marked:
            f.add("enemy_unmarked")
        tx, ty = sit.target.pos
        near = sum(1 for e in sit.visible if (e.pos[0] - tx) ** 2 + (e.pos[1] - ty) ** 2 <= 6.25)
        if near >= 2:
            f.add("enemy_cluster")
    if not sit.snap.enemies:
        f.add("no_enemies")
    if sit.leader is not None and sit.leader.distance > follow_distance_m:
        f.add("leader_far")
    if any(p.distance > 0.75 for p in sit.objectives):
        f.add("objective_open")
    if sit.hp_frac < 0.35:
        f.add("badly_hurt")
    if me.ammo == 0:
        f.add("out_of_ammo")
    if me.patrol:
        f.add("has_patrol")
    if me.distraction is not None:
        f.add("distracted")
    if sit.blocking_door is not None:
        f.add("door_blocking")
        if sit.blocking_door.locked:
            f.add("blocking_door_locked")
    if sit.key is not None:
        f.add("key_known")
    if sit.interactable is not None:
        f.add("interact_open")
    return frozenset(f)


def _subject(goal: GoalSpec, sit: Situation) -> Subject | None:
    kind = goal.subject
    if kind == "none":
        return Subject()
    if kind in ("target", "threat"):
        e = sit.target if kind == "target" else sit.threat
        return None if e is None else Subject("enemy", e.id, e.pos)
    if kind in ("downed_ally", "hurt_ally", "leader"):
        pool = {"downed_ally": sit.downed, "hurt_ally": sit.hurt_allies}.get(kind)
        a = (pool[0] if pool else None) if pool is not None else sit.leader
        return None if a is None else Subject("ally", a.id, a.pos)
    if kind in ("objective", "blocking_door", "key", "interactable"):
        p = {
            "objective": sit.objectives[0] if sit.objectives else None,
            "blocking_door": sit.blocking_door,
            "key": sit.key,
            "interactable": sit.interactable,
        }[kind]
        return None if p is None else Subject("poi", p.id, p.pos)
    if not sit.remembered:
        return None
    r = sit.remembered[0]
    return Subject("point", -1, r.pos)


def subject_facts(sit: Situation, subject: Subject) -> frozenset[str]:
    """The start facts, made specific to ``subject``."""
    if subject.kind == "enemy":
        f = set(sit.facts)
        e = sit.enemy(subject.id)
        up = e is not None and e.visible and not e.downed
        f.discard("enemy_visible")
        f.discard("enemy_in_range")
        if up and e is not None:
            f.add("enemy_visible")
            if e.distance <= sit.me.weapon_range_m:
                f.add("enemy_in_range")
        return frozenset(f)
    if subject.kind == "ally":
        f = set(sit.facts)
        a = sit.snap.ally(subject.id)
        f.discard("near_ally")
        if a is not None and a.distance <= TOUCH_M:
            f.add("near_ally")
        return frozenset(f)
    if subject.kind == "poi":
        f = set(sit.facts)
        p = sit.poi(subject.id)
        f.discard("near_poi")
        if p is not None and p.distance <= TOUCH_M:
            f.add("near_poi")
        return frozenset(f)
    return sit.facts


def _concretize(
    sit: Situation,
    registry: ToolRegistry,
    comp: _Compiled,
    actions: tuple[int, ...],
    subject: Subject,
    cfg: GoapConfig,
) -> list[ToolArgs] | None:
    me = sit.me
    ammo = me.ammo
    steps: list[ToolArgs] = []
    used: set[str] = set()
    names = [comp.actions[i].name for i in actions]
    for k, name in enumerate(names):
        cd = sit.cooldown(name)
        if cd > 0 and name not in used:
            steps.append(WaitArgs(seconds=min(10.0, round(cd + 0.02, 2))))
        touch = k + 1 < len(names) and names[k + 1] in TOUCH_TOOLS
        step = bind_step(
            sit, registry, name, subject, ammo=ammo, wait_s=cfg.idle_wait_s, touch=touch
        )
        if step is None:
            return None
        used.add(name)
        if name == "Reload":
            ammo = min(me.magazine, ammo + me.reserve)
        else:
            ammo -= int(registry.get(name).costs(step).get("ammo", 0))
        steps.append(step)
    if len(steps) > MAX_PLAN_STEPS:  # pragma: no cover  (max_depth <= 16 keeps it short)
        raise PlannerConfigError("goap: plan longer than MAX_PLAN_STEPS", planner="goap")
    return cut_after_blind_move(steps)
