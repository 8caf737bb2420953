"""The tool registry: the one vocabulary of what agents may do.

Each tool is a :class:`Tool` subclass defined once, with its argument model, a
one-line summary, cooldown, costs, range, symbolic facts for GOAP
(``requires``/``provides``/``removes``, ``goap_cost``), the check the sandbox runs
in its dry run (:meth:`Tool.check`) and the effect the executor runs over ticks
(:meth:`Tool.start`, :meth:`Tool.update`). Everything else derives from the
registry: the JSON Schema of a plan, the prompt text, the allowlist, plan parsing,
the documentation table.
"""

from __future__ import annotations

import dataclasses
import json
import math
import types
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    ClassVar,
    Literal,
    Union,
    cast,
    get_args,
    get_origin,
)

from pydantic import BaseModel, Field, TypeAdapter, ValidationError, create_model

from astraweave.core._components import (
    MAX_TOOL_SLOTS,
    ActivePlan,
    Ammo,
    Cooldowns,
    Health,
    Inventory,
    Mover,
    PathFollow,
    Stance,
    Status,
    Team,
)
from astraweave.core._events import GameEvent
from astraweave.core._map import Point
from astraweave.core._plan import PlanIntent, ToolArgs
from astraweave.core._view import WorldView
from astraweave.ecs import Position, World
from astraweave.errors import (
    ActorUnableError,
    BadArgumentsError,
    MalformedPlanError,
    NoPathError,
    PlanTooLongError,
    ToolError,
    ToolRegistrationError,
    UnknownToolError,
)

if TYPE_CHECKING:
    from astraweave.core._snapshot import WorldSnapshot

__all__ = [
    "MAX_PLAN_STEPS",
    "RESOURCES",
    "ActorState",
    "Forecast",
    "StepRun",
    "Tool",
    "ToolRegistry",
]

MAX_PLAN_STEPS = 32
"""The most steps a plan may have; longer plans are rejected whole (PlanTooLongError)."""

RESOURCES = ("ammo", "reserve", "smoke", "grenade", "medkit", "keys")
"""Resource names tools may cost: magazine rounds, spare rounds, and items."""

COOLDOWN_EPS_S = 1e-6


@dataclass(frozen=True, slots=True)
class ActorState:
    """The actor as the sandbox's dry run carries it from step to step.

    ``time_s`` is the estimated time since the plan started; cooldowns decay as it
    advances. ``resources`` holds :data:`RESOURCES`; ``magazine`` is the magazine size.
    ``tiles`` lists map changes earlier steps make, as ``(cx, cy, kind)`` (a door an
    ``Interact`` step opens), so later steps are checked against the changed map.
    """

    entity: int
    team: int
    x: float
    y: float
    hp: float
    max_hp: float
    speed_mps: float
    magazine: int
    crouched: bool = False
    tiles: tuple[tuple[int, int, int], ...] = ()
    time_s: float = 0.0
    cooldowns: Mapping[str, float] = field(default_factory=dict)
    resources: Mapping[str, int] = field(default_factory=dict)

    @property
    def pos(self) -> Point:
        """``(x, y)`` in metres."""
        return self.x, self.y

    def replace(self, **changes: Any) -> ActorState:
        """A copy with ``changes`` applied."""
        return dataclasses.replace(self, **changes)

    def advance(self, seconds: float) -> ActorState:
        """``seconds`` later: time advances and every cooldown decays."""
        if seconds <= 0:
            return self
        cds = {k: max(0.0, v - seconds) for k, v in self.cooldowns.items()}
        return dataclasses.replace(self, time_s=self.time_s + seconds, cooldowns=cds)

    def resource(self, name: str) -> int:
        """How much of resource ``name`` the actor holds (0 when unknown)."""
        return int(self.resources.get(name, 0))

    @classmethod
    def of(cls, world: World, entity: int, registry: ToolRegistry) -> ActorState:
        """The current state of ``entity`` (must have Position, Team, Health).

        Raises:
            ActorUnableError: the entity is absent, dead, downed, or lacks components.
        """
        if not world.is_alive(entity):
            raise ActorUnableError(f"actor {entity} does not exist", actor=entity)
        pos = world.try_get(entity, Position)
        team = world.try_get(entity, Team)
        health = world.try_get(entity, Health)
        if pos is None or team is None or health is None:
            raise ActorUnableError(
                f"actor {entity} lacks Position, Team or Health and cannot use tools",
                actor=entity,
            )
        status = world.try_get(entity, Status)
        if status is not None and (status.dead or status.downed):
            state = "dead" if status.dead else "downed"
            raise ActorUnableError(f"actor {entity} is {state} and cannot act", actor=entity)
        ammo = world.try_get(entity, Ammo) or Ammo(rounds=0, magazine=0, reserve=0)
        inv = world.try_get(entity, Inventory) or Inventory()
        mover = world.try_get(entity, Mover)
        stance = world.try_get(entity, Stance)
        cds = world.try_get(entity, Cooldowns)
        cooldowns = {}
        if cds is not None:
            for name in registry.names():
                cooldowns[name] = float(cds.remaining_s[registry.slot(name)])
        return cls(
            entity=int(entity),
            team=team.id,
            x=pos.x,
            y=pos.y,
            hp=health.hp,
            max_hp=health.max_hp,
            speed_mps=mover.speed_mps if mover is not None else 0.0,
            magazine=ammo.magazine,
            crouched=bool(stance.crouched) if stance is not None else False,
            cooldowns=cooldowns,
            resources={
                "ammo": ammo.rounds,
                "reserve": ammo.reserve,
                "smoke": inv.smoke,
                "grenade": inv.grenade,
                "medkit": inv.medkit,
                "keys": inv.keys,
            },
        )


@dataclass(frozen=True, slots=True)
class Forecast:
    """What a step will do in the dry run: the actor's state after its own effects
    (position, reloaded rounds; not costs or cooldown, which the sandbox applies) and
    how long it takes."""

    state: ActorState
    duration_s: float


class StepRun:
    """The executor's handle on one running step, given to :meth:`Tool.start` and
    :meth:`Tool.update`.

    ``elapsed_s`` is how long the step has run (0 in ``start``); ``phase``,
    ``count``, ``aux_x``, ``aux_y`` are scratch values kept in the world between
    ticks (in :class:`ActivePlan`), so a step survives snapshot/restore.
    """

    def __init__(
        self, world: World, view: WorldView, actor: int, args: ToolArgs, plan: ActivePlan
    ) -> None:
        self.world = world
        self.view = view
        self.actor = actor
        self.args = args
        self.elapsed_s = plan.elapsed_s
        self.phase = plan.phase
        self.count = plan.count
        self.aux_x = plan.aux_x
        self.aux_y = plan.aux_y

    @property
    def dt(self) -> float:
        """The world's fixed step in seconds."""
        return self.world.dt

    @property
    def pos(self) -> Point:
        """The actor's current position."""
        p = self.world.get(self.actor, Position)
        return p.x, p.y

    def send(self, kind: str, target: int = -1, value: float = 0.0, detail: str = "") -> None:
        """Send a :class:`GameEvent` with this actor."""
        self.world.send(GameEvent(self.world.tick, kind, self.actor, int(target), value, detail))

    def move_along(self, waypoints: list[Point]) -> None:
        """Start walking the actor along ``waypoints`` (kinematically, or as a physics
        body when the actor has a character controller)."""
        if not waypoints:
            self.stop()
            return
        pts = tuple((float(x), float(y)) for x, y in waypoints)
        if _controller(self.world, self.actor) is not None:
            from astraweave.physics import set_waypoints

            set_waypoints(self.world, self.actor, pts)
        else:
            self.world.set(
                self.actor,
                PathFollow(active=True, tx=pts[0][0], ty=pts[0][1], index=0, waypoints=pts),
            )
        stance = self.world.try_get(self.actor, Stance)
        if stance is not None and stance.crouched:
            self.world.set(self.actor, Stance(crouched=False))

    def moving(self) -> bool:
        """True while the actor still walks a path.

        Raises:
            NoPathError: a physics body got stuck (no progress for 2 s).
        """
        cc = _controller(self.world, self.actor)
        if cc is not None:
            from astraweave.physics import ControllerStatus

            if cc.status == ControllerStatus.STUCK:
                x, y = self.pos
                raise NoPathError(
                    f"the actor is stuck at ({x:.1f}, {y:.1f})", start=(x, y), goal=None
                )
            return bool(cc.status == ControllerStatus.MOVING)
        pf = self.world.try_get(self.actor, PathFollow)
        return pf is not None and bool(pf.active)

    def stop(self) -> None:
        """Stop walking."""
        stop_moving(self.world, self.actor)


def _controller(world: World, entity: int) -> Any:
    from astraweave.physics import CharacterController

    return world.try_get(entity, CharacterController)


def stop_moving(world: World, entity: int) -> None:
    """Stop ``entity`` walking (kinematic path or physics controller)."""
    if world.has(entity, PathFollow):
        pf = world.get(entity, PathFollow)
        if pf.active:
            world.set(entity, PathFollow())
    cc = _controller(world, entity)
    if cc is not None and cc.waypoints is not None:
        from astraweave.physics import set_waypoints

        set_waypoints(world, entity, ())


class Tool(ABC):
    """One tool of the vocabulary. Subclass it and register an instance.

    Class attributes describe the tool (they feed the docs, the prompt, GOAP):

    - ``name``: the tool's name, equal to the ``tool`` literal of ``args_model``.
    - ``args_model``: a :class:`ToolArgs` subclass.
    - ``summary``: one line for prompts and docs.
    - ``cooldown_s``: seconds before it can be used again, counted from the step's start.
    - ``cost_text``: what it consumes, in words (``costs()`` gives the numbers).
    - ``range_m``: how far it reaches (``None``: not a fixed range; ``range_text`` then
      says what limits it, e.g. the weapon's range).
    - ``interruptible``: whether a planner's newer plan may replace the plan while
      this step runs (walking and waiting may be cut short; a heal, revive, reload or
      burst, once paid for, runs to its end).
    - ``requires``/``provides``/``removes``: symbolic facts (see ``docs/ai-contract.md``)
      a GOAP planner derives actions from; ``goap_cost`` its relative cost.
    """

    name: ClassVar[str]
    args_model: ClassVar[type[ToolArgs]]
    summary: ClassVar[str]
    category: ClassVar[str] = "utility"
    cooldown_s: ClassVar[float] = 0.0
    cost_text: ClassVar[str] = "-"
    range_m: ClassVar[float | None] = None
    range_text: ClassVar[str | None] = None
    interruptible: ClassVar[bool] = False
    requires: ClassVar[frozenset[str]] = frozenset()
    provides: ClassVar[frozenset[str]] = frozenset()
    removes: ClassVar[frozenset[str]] = frozenset()
    goap_cost: ClassVar[float] = 1.0

    def costs(self, args: Any) -> dict[str, int]:
        """Resources the step consumes (name in :data:`RESOURCES` -> amount)."""
        return {}

    @abstractmethod
    def check(self, view: WorldView, state: ActorState, args: Any) -> Forecast:
        """Check the tool's own preconditions for ``state`` (the dry run).

        Cooldown and costs are checked by the sandbox. Must not change the world.

        Raises:
            ToolError: a subclass naming the reason; the sandbox adds step and tool.
        """

    @abstractmethod
    def start(self, run: StepRun) -> None:
        """Begin the step (called once, after it was re-validated)."""

    @abstractmethod
    def update(self, run: StepRun) -> bool:
        """Advance the step by one tick; ``True`` when it is finished.

        Raises:
            ToolError: the step cannot go on (the plan ends with this reason).
        """

    def bind(self, snapshot: WorldSnapshot) -> list[ToolArgs]:
        """Candidate argument values for this tool in a situation (for GOAP and utility
        planners); tools whose arguments cannot be guessed return ``[]``."""
        return []

    def apply_facts(self, facts: frozenset[str]) -> frozenset[str] | None:
        """The abstract effect: ``facts`` after the tool, or ``None`` when its
        ``requires`` do not hold."""
        if not self.requires <= facts:
            return None
        return (facts - self.removes) | self.provides


def _loc(err: Any) -> str:
    parts = [str(p) for p in err.get("loc", ())]
    return ".".join(parts)


class ToolRegistry:
    """The tools agents may use, in registration order (which fixes cooldown slots).

    Example:
        >>> from astraweave.core import default_registry
        >>> reg = default_registry()
        >>> "MoveTo" in reg.names() and reg.get("Attack").cooldown_s > 0
        True
        >>> reg.allowlist(forbidden=["ThrowExplosive"])[:3]
        ['AimedShot', 'Approach', 'Attack']
    """

    def __init__(self, tools: Iterable[Tool] = ()) -> None:
        self._tools: dict[str, Tool] = {}
        self._adapter: TypeAdapter[Any] | None = None
        self._plans: dict[str, PlanIntent] = {}
        for tool in tools:
            self.register(tool)

    def __getstate__(self) -> dict[str, Any]:
        return {"_tools": self._tools}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._tools = state["_tools"]
        self._adapter = None
        self._plans = {}

    # ------------------------------------------------------------ registration
    def register(self, tool: Tool) -> None:
        """Add ``tool``.

        Raises:
            ToolRegistrationError: the name is taken, the argument model's ``tool``
                literal differs from the name, or the registry holds
                :data:`MAX_TOOL_SLOTS` tools already.
        """
        name = getattr(tool, "name", None)
        if not isinstance(tool, Tool) or not isinstance(name, str) or not name:
            raise ToolRegistrationError(f"{tool!r} is not a Tool with a name", tool=name)
        if name in self._tools:
            raise ToolRegistrationError(f"tool {name!r} is already registered", tool=name)
        model = getattr(tool, "args_model", None)
        if not (isinstance(model, type) and issubclass(model, ToolArgs)):
            raise ToolRegistrationError(
                f"tool {name!r} has no args_model subclassing ToolArgs", tool=name
            )
        literal = get_args(model.model_fields["tool"].annotation)
        if literal != (name,):
            raise ToolRegistrationError(
                f"tool {name!r}: args_model.tool must be Literal[{name!r}], got {literal!r}",
                tool=name,
                hint=f'declare  tool: Literal["{name}"] = "{name}"',
            )
        if len(self._tools) >= MAX_TOOL_SLOTS:
            raise ToolRegistrationError(f"the registry is full ({MAX_TOOL_SLOTS} tools)", tool=name)
        self._tools[name] = tool
        self._adapter = None

    def copy(self) -> ToolRegistry:
        """A new registry with the same tools (to add game-specific ones to)."""
        return ToolRegistry(self._tools.values())

    # ----------------------------------------------------------------- lookup
    def names(self) -> list[str]:
        """Tool names in registration order."""
        return list(self._tools)

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def __len__(self) -> int:
        return len(self._tools)

    def get(self, name: str) -> Tool:
        """The tool called ``name``.

        Raises:
            UnknownToolError: no such tool.
        """
        tool = self._tools.get(name)
        if tool is None:
            raise UnknownToolError(
                f"unknown tool {name!r}",
                tool=name,
                reason="not in the registry",
                known=self.names(),
            )
        return tool

    def slot(self, name: str) -> int:
        """The cooldown slot of tool ``name`` (its registration index)."""
        return list(self._tools).index(name)

    def allowlist(self, forbidden: Iterable[str] = ()) -> list[str]:
        """The names agents may use (sorted, case-insensitively), minus ``forbidden``."""
        banned = set(forbidden)
        return sorted((n for n in self._tools if n not in banned), key=str.lower)

    # ---------------------------------------------------------------- schemas
    def step_union(self) -> Any:
        """The discriminated union (on ``tool``) of every argument model."""
        models = tuple(t.args_model for t in self._tools.values())
        if not models:
            raise ToolRegistrationError("the registry has no tools")
        if len(models) == 1:
            return models[0]
        return Annotated[Union[models], Field(discriminator="tool")]  # noqa: UP007  (runtime tuple)

    def plan_model(self) -> type[BaseModel]:
        """A pydantic model of a plan (``plan_id`` and ``steps``) over these tools."""
        from pydantic import ConfigDict

        return create_model(
            "Plan",
            __config__=ConfigDict(extra="forbid"),
            plan_id=(str, Field(default="plan", max_length=128)),
            steps=(
                cast(Any, list[self.step_union()]),  # type: ignore[misc]  # a union built at run time
                Field(max_length=MAX_PLAN_STEPS, description="the steps, run in order"),
            ),
        )

    def plan_json_schema(self) -> dict[str, Any]:
        """The JSON Schema of a plan (for constrained decoding and docs)."""
        return self.plan_model().model_json_schema()

    def prompt_text(self, forbidden: Iterable[str] = ()) -> str:
        """A compact description of the allowed tools, one line each, for prompts."""
        lines = []
        for name in self.allowlist(forbidden):
            tool = self._tools[name]
            lines.append(f"- {_signature(tool)}: {tool.summary}{_facts_suffix(tool)}")
        return "\n".join(lines)

    def doc_table(self) -> str:
        """The Markdown table of every tool (``docs/ai-contract.md`` embeds it)."""
        rows = [
            "| tool | arguments | summary | cooldown | costs | range |",
            "|---|---|---|---|---|---|",
        ]
        for name, tool in self._tools.items():
            rng = _range_text(tool) or "-"
            args = (", ".join(_arg_text(tool.args_model)) or "-").replace("|", "\\|")
            rows.append(
                f"| `{name}` | {args} | {tool.summary} | {tool.cooldown_s:g} s "
                f"| {tool.cost_text} | {rng} |"
            )
        return "\n".join(rows)

    def facts_table(self) -> str:
        """The Markdown table of each tool's GOAP facts."""
        rows = ["| tool | requires | provides | removes | cost |", "|---|---|---|---|---|"]
        for name, tool in self._tools.items():
            rows.append(
                f"| `{name}` | {', '.join(sorted(tool.requires)) or '-'} "
                f"| {', '.join(sorted(tool.provides)) or '-'} "
                f"| {', '.join(sorted(tool.removes)) or '-'} | {tool.goap_cost:g} |"
            )
        return "\n".join(rows)

    # ---------------------------------------------------------------- parsing
    def _step_adapter(self) -> TypeAdapter[Any]:
        if self._adapter is None:
            self._adapter = TypeAdapter(self.step_union())
        return self._adapter

    def parse_step(self, raw: Any, index: int = 0, forbidden: Iterable[str] = ()) -> ToolArgs:
        """Check one raw step (a dict) against its tool's argument model.

        Raises:
            MalformedPlanError: the step is not an object.
            UnknownToolError: the tool is not registered or is forbidden.
            BadArgumentsError: the arguments do not fit the model (``field`` names
                the first bad field).
        """
        if isinstance(raw, ToolArgs):
            raw = raw.model_dump()
        if not isinstance(raw, dict):
            raise MalformedPlanError(
                f"step {index}: a step must be an object with a 'tool' key, got "
                f"{type(raw).__name__}",
                step=index,
                reason="step is not an object",
            )
        name = raw.get("tool")
        if not isinstance(name, str):
            raise UnknownToolError(
                f"step {index}: missing or non-string 'tool' (got {name!r:.40})",
                step=index,
                tool=None,
                reason="no tool name",
                known=self.names(),
            )
        if name not in self._tools:
            raise UnknownToolError(
                f"step {index} ({name:.40}): unknown tool; known tools: "
                f"{', '.join(self.allowlist())}",
                step=index,
                tool=name,
                reason="not in the registry",
                known=self.names(),
            )
        if name in set(forbidden):
            raise UnknownToolError(
                f"step {index} ({name}): the tool is forbidden in this scenario",
                step=index,
                tool=name,
                reason="forbidden",
                known=self.allowlist(forbidden),
            )
        try:
            return self._tools[name].args_model.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = _loc(first)
            raise BadArgumentsError(
                f"step {index} ({name}): bad argument {where!r}: {first['msg']}",
                step=index,
                tool=name,
                reason=first["msg"],
                field=where,
            ) from None

    def parse_plan_collect(
        self, raw: Any, forbidden: Iterable[str] = ()
    ) -> tuple[PlanIntent | None, list[ToolArgs | None], list[ToolError]]:
        """Parse a raw plan, collecting every error instead of stopping at the first.

        Args:
            raw: a :class:`PlanIntent`, a dict, or JSON text.
            forbidden: tools this scenario forbids.

        Returns:
            ``(plan, steps, errors)``: ``plan`` is ``None`` unless every step parsed;
            ``steps`` holds the parsed step or ``None`` for each raw step.
        """
        forbidden = tuple(forbidden)
        if isinstance(raw, PlanIntent):
            raw = raw.model_dump(mode="python")
        if isinstance(raw, (str, bytes)):
            try:
                raw = json.loads(raw)
            except ValueError as exc:
                err = MalformedPlanError(
                    f"the plan is not valid JSON: {exc}", step=None, reason="invalid JSON"
                )
                return None, [], [err]
        if not isinstance(raw, dict) or not isinstance(raw.get("steps"), list):
            return (
                None,
                [],
                [
                    MalformedPlanError(
                        "a plan must be an object with a 'steps' list",
                        step=None,
                        reason="no steps list",
                    )
                ],
            )
        extra = sorted(set(raw) - {"plan_id", "steps", "provenance"})
        errors: list[ToolError] = []
        if extra:
            errors.append(
                MalformedPlanError(
                    f"the plan has unknown keys {extra}", step=None, reason="extra keys"
                )
            )
        raw_steps = raw["steps"]
        if len(raw_steps) > MAX_PLAN_STEPS:
            errors.append(
                PlanTooLongError(
                    f"the plan has {len(raw_steps)} steps; at most {MAX_PLAN_STEPS} are allowed",
                    steps=len(raw_steps),
                    limit=MAX_PLAN_STEPS,
                    reason="too many steps",
                    hint="split the work into several plans",
                )
            )
            return None, [], errors
        steps: list[ToolArgs | None] = []
        for i, rs in enumerate(raw_steps):
            try:
                steps.append(self.parse_step(rs, i, forbidden))
            except ToolError as exc:
                errors.append(exc)
                steps.append(None)
        plan: PlanIntent | None = None
        if not errors:
            try:
                plan = PlanIntent.model_validate(
                    {
                        "plan_id": raw.get("plan_id", "plan"),
                        "steps": steps,
                        "provenance": raw.get("provenance") or {},
                    }
                )
            except ValidationError as exc:
                first = exc.errors()[0]
                errors.append(
                    MalformedPlanError(
                        f"bad plan field {_loc(first)!r}: {first['msg']}",
                        step=None,
                        reason=first["msg"],
                        field=_loc(first),
                    )
                )
        return plan, steps, errors

    def parse_plan(self, raw: Any, forbidden: Iterable[str] = ()) -> PlanIntent:
        """Parse a raw plan (dict, JSON text or :class:`PlanIntent`).

        Raises:
            ToolError: the first problem found (see :meth:`parse_plan_collect`).
        """
        plan, _, errors = self.parse_plan_collect(raw, forbidden)
        if errors:
            raise errors[0]
        if plan is None:  # pragma: no cover  (errors is non-empty whenever plan is None)
            raise MalformedPlanError("the plan could not be parsed", step=None)
        return plan

    def cached_plan(self, text: str) -> PlanIntent:
        """Parse canonical plan JSON that was already validated (memoised; the
        executor calls this every tick).

        Raises:
            ToolError: the text does not parse (see :meth:`parse_plan`).
        """
        plan = self._plans.get(text)
        if plan is None:
            plan = self.parse_plan(text)
            if len(self._plans) > 1024:
                self._plans.clear()
            self._plans[text] = plan
        return plan


def _type_text(ann: Any) -> str:
    origin = get_origin(ann)
    args = get_args(ann)
    if origin is Literal:
        return " | ".join(repr(a) for a in args)
    if origin in (Union, types.UnionType):
        return " | ".join(_type_text(a) for a in args)
    if origin is list:
        return f"list[{_type_text(args[0])}]" if args else "list"
    if ann is type(None):
        return "None"
    return getattr(ann, "__name__", None) or str(ann).replace("typing.", "")


def _arg_text(model: type[ToolArgs]) -> list[str]:
    out = []
    for fname, info in model.model_fields.items():
        if fname == "tool":
            continue
        tname = _type_text(info.annotation)
        default = "" if info.is_required() else f"={info.default!r}"
        out.append(f"{fname}: {tname}{default}")
    return out


def _range_text(tool: Tool) -> str:
    if tool.range_m is not None:
        return f"{tool.range_m:g} m"
    return tool.range_text or ""


def _signature(tool: Tool) -> str:
    return f"{tool.name}({', '.join(_arg_text(tool.args_model))})"


def _facts_suffix(tool: Tool) -> str:
    bits = []
    if tool.cooldown_s:
        bits.append(f"cooldown {tool.cooldown_s:g}s")
    if tool.cost_text != "-":
        bits.append(f"costs {tool.cost_text}")
    if _range_text(tool):
        bits.append(f"range {_range_text(tool)}")
    return f" [{'; '.join(bits)}]" if bits else ""


def finite(value: float) -> bool:
    """True for a finite float (helper for tools)."""
    return math.isfinite(value)
