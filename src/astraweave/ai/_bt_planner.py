"""The behaviour-tree planner: one tick of the agent's tree per planning.

:class:`BehaviorTree` numbers a root node's nodes; :class:`BehaviorTreePlanner`
ticks the tree of each agent (chosen per agent name, then per role, then the
default) and turns the steps its actions add into a plan. A tick that adds no step
(everything failed, or a node waits for a retry) gives a short ``Wait``; a tick
that finishes the tree without a step (an action just completed) ticks it once more.

Running state lives in the planner, per agent and tree, and resumes on the agent's
next planning: a running action adds its step again, which the AI system keeps
running when it is the same plan. When the sandbox rejects a plan, :meth:`replan`
re-runs the same tick with the actions that added steps failing, so selectors move
on to their next child.

**Built-in trees** (:data:`DEFAULT_TREES`, by role ``companion``, ``lead``,
``guard``; others get ``default``) are definitions in the data format of
:mod:`astraweave.ai._bt_load`, so they double as examples.

**Configuration** (a scenario's planner table): ``tree`` (one tree for every
agent), ``trees`` (role -> tree), ``idle_wait_s``.

**Caveat:** the running state is the planner's, not the world's: restoring a world
snapshot does not restore it (call :meth:`BehaviorTreePlanner.reset`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from astraweave.ai._bt import BtNode, BtStatus, TickContext
from astraweave.ai._bt_load import parse_tree
from astraweave.ai._goap import situation_facts
from astraweave.ai._goap_bind import Situation
from astraweave.core import (
    MAX_PLAN_STEPS,
    PlanIntent,
    Provenance,
    ToolArgs,
    ToolRegistry,
    WaitArgs,
    WorldSnapshot,
)
from astraweave.errors import BehaviorTreeError, NoActionsError, PlannerConfigError, ToolError

__all__ = ["DEFAULT_TREES", "BehaviorTree", "BehaviorTreePlanner"]


def _cond(fact: str, negate: bool = False) -> dict[str, Any]:
    return {"type": "condition", "fact": fact, "negate": negate}


def _check(check: str, value: Any) -> dict[str, Any]:
    return {"type": "condition", "check": check, "value": value}


def _act(tool: str, target: str = "none", **kw: Any) -> dict[str, Any]:
    return {"type": "action", "tool": tool, "target": target, **kw}


def _seq(name: str, *children: dict[str, Any]) -> dict[str, Any]:
    return {"type": "sequence", "name": name, "children": list(children)}


def _sel(name: str, *children: dict[str, Any]) -> dict[str, Any]:
    return {"type": "selector", "name": name, "children": list(children)}


_PATCH_UP = _seq(
    "patch up",
    _check("hp_below", 0.35),
    _check("has_item", "medkit"),
    _act("UseItem", args={"item": "medkit"}),
)
_RELOAD = _seq("reload", _cond("out_of_ammo"), _cond("has_reserve"), _act("Reload"))
_TAKE_COVER = _seq(
    "cover when hurt",
    _check("hp_below", 0.5),
    _cond("enemy_visible"),
    _cond("in_cover", True),
    _act("TakeCover", "threat"),
)
_ESCAPE = _seq(
    "escape",
    _check("hp_below", 0.35),
    _cond("enemy_visible"),
    _cond("has_medkit", True),
    _act("Retreat", "threat"),
)
_ENGAGE = _sel(
    "engage",
    _TAKE_COVER,
    _seq("mark", _cond("enemy_unmarked"), _act("MarkTarget", "target")),
    _seq("grenade", _cond("enemy_cluster"), _act("ThrowExplosive", "target")),
    _seq(
        "shoot",
        _act("Approach", "target"),
        _sel(
            "fire",
            _seq("aimed", _check("target_cover_at_least", 0.5), _act("AimedShot", "target")),
            _act("Attack", "target"),
        ),
    ),
)
_FIGHT = _seq("fight", _cond("enemy_visible"), _ENGAGE)
_IDLE = _act("Wait", name="idle")

DEFAULT_TREES: dict[str, dict[str, Any]] = {
    "companion": _sel(
        "companion",
        _seq(
            "revive",
            _cond("ally_downed"),
            {
                "type": "force_success",
                "child": _seq(
                    "smoke first",
                    _cond("enemy_visible"),
                    _cond("has_smoke"),
                    _act("ThrowSmoke", "threat"),
                ),
            },
            _act("Approach", "downed_ally"),
            _act("Revive", "downed_ally"),
        ),
        _PATCH_UP,
        _RELOAD,
        _TAKE_COVER,
        _ESCAPE,
        _seq(
            "heal ally",
            _cond("ally_hurt"),
            _check("has_item", "medkit"),
            _act("Approach", "hurt_ally"),
            _act("Heal", "hurt_ally"),
        ),
        _FIGHT,
        _seq("search", _cond("enemy_remembered"), _act("Scan")),
        _seq("follow", _cond("leader_far"), _act("Regroup")),
        _IDLE,
    ),
    "lead": _sel(
        "lead",
        _PATCH_UP,
        _RELOAD,
        _FIGHT,
        _seq(
            "fetch key",
            _cond("door_blocking"),
            _cond("blocking_door_locked"),
            _cond("has_key", True),
            _cond("key_known"),
            _act("Approach", "key"),
            _act("Interact", "key"),
        ),
        _seq(
            "open door",
            _cond("door_blocking"),
            _act("Approach", "blocking_door"),
            _act("Interact", "blocking_door"),
        ),
        _seq("objective", _cond("objective_open"), _act("MoveTo", "objective")),
        _IDLE,
    ),
    "guard": _sel(
        "guard",
        _PATCH_UP,
        _RELOAD,
        _seq("flee", _check("hp_below", 0.25), _cond("enemy_visible"), _act("Retreat", "threat")),
        _FIGHT,
        _seq(
            "hunt",
            _cond("enemy_remembered"),
            _sel("look or go", _act("Scan"), _act("MoveTo", "remembered")),
        ),
        _seq("patrol", _cond("has_patrol"), _cond("distracted", True), _act("Patrol")),
        _IDLE,
    ),
    "default": _sel("default", _PATCH_UP, _RELOAD, _FIGHT, _IDLE),
}
"""The built-in trees by role (``default`` for other roles), as data."""


class BehaviorTree:
    """A root node with its nodes numbered (pre-order), ready to tick.

    Args:
        root: the root node, or a definition (mapping) to parse.
        name: the tree's name (default: the root's).
        registry: tools a definition's actions may name (default: built-in tools).

    Raises:
        BehaviorTreeError: an invalid definition, or a node used twice.

    Example:
        >>> from astraweave.ai._bt import Action, Condition, Sequence
        >>> tree = BehaviorTree(Sequence([Condition(fact="enemy_visible"), Action("Attack")]))
        >>> [n.id for n in tree.nodes]
        [0, 1, 2]
    """

    def __init__(
        self,
        root: BtNode | Mapping[str, Any],
        *,
        name: str | None = None,
        registry: ToolRegistry | None = None,
    ) -> None:
        if not isinstance(root, BtNode):
            root = parse_tree(root, registry=registry)
        self.root = root
        self.name = name or root.name
        self.nodes: list[BtNode] = list(root.walk())
        if len({id(n) for n in self.nodes}) != len(self.nodes):
            raise BehaviorTreeError(
                f"tree {self.name!r}: a node object appears twice; build a new node for each place",
                planner="bt",
            )
        for i, n in enumerate(self.nodes):
            n.id = i

    def tick(self, ctx: TickContext) -> BtStatus:
        """Tick the root once."""
        return self.root.tick(ctx)


def _tree_of(value: Any, key: str, registry: ToolRegistry | None = None) -> BehaviorTree:
    if isinstance(value, BehaviorTree):
        return value
    if isinstance(value, BtNode):
        return BehaviorTree(value)
    return BehaviorTree(parse_tree(value, registry=registry, key=key))


class BehaviorTreePlanner:
    """Ticks each agent's behaviour tree and plans the steps its actions add.

    Args:
        tree: a tree for every agent (:class:`BehaviorTree`, root node, or definition);
            default: :data:`DEFAULT_TREES` by role.
        trees: role -> tree, over the default trees.
        config: a mapping with ``tree``, ``trees`` and ``idle_wait_s`` (a scenario's
            planner table); cannot be combined with ``tree``/``trees``.
        registry: tools the definitions may name (default: the built-in tools).

    Raises:
        BehaviorTreeError: an invalid tree. PlannerConfigError: an invalid config.

    Example:
        >>> import numpy as np
        >>> from astraweave.core import WorldSnapshot, default_registry
        >>> bt = BehaviorTreePlanner({"type": "action", "tool": "Attack", "target": "target"})
        >>> snap = WorldSnapshot.example()
        >>> me = snap.agent.model_copy(update={"cooldowns": {}})
        >>> snap = snap.model_copy(update={"agent": me})
        >>> plan = bt.plan(snap, default_registry(), rng=np.random.default_rng(0), budget_s=0.01)
        >>> plan.brief(), plan.provenance.notes[0]
        ('Attack(target=2, shots=3)', 'bt: Attack@target running')
    """

    name = "bt"

    def __init__(
        self,
        tree: BehaviorTree | BtNode | Mapping[str, Any] | None = None,
        *,
        trees: Mapping[str, Any] | None = None,
        config: Mapping[str, Any] | None = None,
        registry: ToolRegistry | None = None,
    ) -> None:
        self.idle_wait_s = 0.5
        self._builtin: dict[str, BehaviorTree] = {}
        self._by_role: dict[str, BehaviorTree] = {}
        self._by_agent: dict[str, BehaviorTree] = {}
        self._default: BehaviorTree | None = None
        if config is not None:
            if tree is not None or trees is not None:
                raise PlannerConfigError(
                    "bt planner: give either config or tree/trees, not both", planner="bt"
                )
            tree, trees = self._read_config(config, registry)
        for role, d in DEFAULT_TREES.items():
            self._builtin[role] = BehaviorTree(parse_tree(d, key=f"DEFAULT_TREES.{role}"))
        for role, d in (trees or {}).items():
            self._by_role[str(role)] = _tree_of(d, f"trees.{role}", registry)
        if tree is not None:
            self._default = _tree_of(tree, "tree", registry)
        self._memory: dict[tuple[int, int], dict[int, dict[str, Any]]] = {}
        self._last: dict[int, tuple[BehaviorTree, dict[int, dict[str, Any]], list[int]]] = {}

    def _read_config(
        self, config: Mapping[str, Any], registry: ToolRegistry | None
    ) -> tuple[Any, Any]:
        if not isinstance(config, Mapping):
            raise PlannerConfigError(
                f"bt planner: the configuration must be a table, got {type(config).__name__}",
                planner="bt",
            )
        extra = sorted(str(k) for k in set(config) - {"tree", "trees", "idle_wait_s"})
        if extra:
            raise PlannerConfigError(
                f"bt planner configuration: unknown keys {extra} (known: tree, trees, idle_wait_s)",
                planner="bt",
                key=extra[0],
            )
        wait = config.get("idle_wait_s", 0.5)
        if isinstance(wait, bool) or not isinstance(wait, (int, float)) or not 0 < wait <= 10:
            raise PlannerConfigError(
                "bt planner configuration: idle_wait_s must be a number in (0, 10]",
                planner="bt",
                key="idle_wait_s",
            )
        self.idle_wait_s = float(wait)
        trees = config.get("trees")
        if trees is not None and not isinstance(trees, Mapping):
            raise PlannerConfigError(
                "bt planner configuration: trees must be a table of role = tree",
                planner="bt",
                key="trees",
            )
        return config.get("tree"), trees

    def configure(self, tree: Any, *, agent: str | None = None) -> None:
        """Use ``tree`` for one agent (by name; ``role:<role>`` for a role) or, with
        ``agent=None``, for every agent without one.

        Raises:
            BehaviorTreeError: an invalid tree.
        """
        t = _tree_of(tree, "tree" if agent is None else f"trees.{agent}")
        if agent is None:
            self._default = t
        elif agent.startswith("role:"):
            self._by_role[agent[5:]] = t
        else:
            self._by_agent[agent] = t

    def tree_for(self, snapshot: WorldSnapshot) -> BehaviorTree:
        """The tree of the agent ``snapshot`` describes: by its name, else a tree
        configured for its role, else the configured ``tree``, else the built-in tree
        of its role, else the built-in ``default``."""
        me = snapshot.agent
        return (
            self._by_agent.get(me.name)
            or self._by_role.get(me.role)
            or self._default
            or self._builtin.get(me.role)
            or self._builtin["default"]
        )

    def reset(self, agent: int | None = None) -> None:
        """Forget the running state of one agent (by entity id) or of all."""
        if agent is None:
            self._memory.clear()
            self._last.clear()
            return
        for key in [k for k in self._memory if k[0] == agent]:
            del self._memory[key]
        self._last.pop(agent, None)

    def running(self, agent: int) -> list[str]:
        """Names of the nodes of ``agent``'s tree with running state, in tree order."""
        last = self._last.get(agent)
        if last is None:
            return []
        tree = last[0]
        mem = self._memory.get((agent, id(tree)), {})
        return [n.name for n in tree.nodes if n.id in mem]

    # ---------------------------------------------------------------- planning
    def plan(
        self,
        snapshot: WorldSnapshot,
        registry: ToolRegistry,
        *,
        rng: np.random.Generator,
        budget_s: float,
    ) -> PlanIntent:
        """Tick the agent's tree once and plan the steps its actions added.

        Raises:
            NoActionsError: no tool may be used.
        """
        return self._tick(snapshot, registry, frozenset(), [])

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
        """Re-run the last tick with the actions that added the rejected steps failing.
        ``None`` when it gives the same plan again."""
        last = self._last.get(snapshot.agent.id)
        if last is None:
            return None
        tree, before, emitted = last
        self._memory[(snapshot.agent.id, id(tree))] = _copy(before)
        failed = frozenset(emitted)
        plan = self._tick(snapshot, registry, failed, [f"after {len(rejected)} rejection(s)"])
        same = {repr(tuple(p.steps)) for p in rejected}
        return None if repr(tuple(plan.steps)) in same else plan

    def _tick(
        self,
        snapshot: WorldSnapshot,
        registry: ToolRegistry,
        failed: frozenset[int],
        extra: list[str],
    ) -> PlanIntent:
        if len(registry) == 0 or not snapshot.tools:
            raise NoActionsError(
                f"bt: agent {snapshot.agent.id} has no tool to plan with",
                planner=self.name,
                agent=snapshot.agent.id,
            )
        agent = snapshot.agent.id
        tree = self.tree_for(snapshot)
        mem = self._memory.setdefault((agent, id(tree)), {})
        before = _copy(mem)
        prev = self._last.get(agent)
        if prev is not None and prev[0] is not tree:
            self._memory.pop((agent, id(prev[0])), None)
        sit = Situation(snapshot)
        ctx = TickContext(sit, registry, situation_facts(sit), mem, failed=failed)
        status = tree.tick(ctx)
        if not ctx.steps and status is not BtStatus.RUNNING:
            # The tree finished without a step (an action completed): start it over
            # at once, as a tree ticking every frame would.
            status = tree.tick(ctx)
        emitted = [nid for nid, _ in ctx.steps]
        self._last[agent] = (tree, before, emitted)
        steps: list[ToolArgs] = [s for _, s in ctx.steps][:MAX_PLAN_STEPS]
        actions = ", ".join(tree.nodes[nid].name for nid in emitted)
        if not steps:
            steps = [WaitArgs(seconds=self.idle_wait_s)]
            actions = "idle"
        notes = [f"bt: {actions} {status.value}", f"tree: {tree.name}", *extra]
        return PlanIntent(
            plan_id=f"bt-{agent}-{snapshot.tick}",
            steps=steps,
            provenance=Provenance(planner=self.name, notes=notes),
        )


def _copy(mem: dict[int, dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {k: dict(v) for k, v in mem.items()}
