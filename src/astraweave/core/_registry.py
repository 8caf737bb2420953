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

import json
import types
from abc import ABC, abstractmethod
from collections.abc import Iterable
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

from astraweave.core._components import MAX_TOOL_SLOTS
from astraweave.core._plan import PlanIntent, ToolArgs
from astraweave.core._step import ActorState, Forecast, StepRun, stop_moving
from astraweave.core._view import WorldView
from astraweave.errors import (
    BadArgumentsError,
    MalformedPlanError,
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
    "stop_moving",
]

MAX_PLAN_STEPS = 32
"""The most steps a plan may have; longer plans are rejected whole (PlanTooLongError)."""

RESOURCES = ("ammo", "reserve", "smoke", "grenade", "medkit", "keys")
"""Resource names tools may cost: magazine rounds, spare rounds, and items."""

COOLDOWN_EPS_S = 1e-6


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
