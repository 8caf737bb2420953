"""The sandbox: validate a whole plan by a dry run before anything executes.

:func:`validate` parses every step against the registry, then walks the steps in
order carrying the actor's state forward (position, time, cooldowns, ammo, items,
door changes), checking each step against the state the earlier steps leave. It
collects *every* violation as a typed :class:`~astraweave.errors.ToolError` naming
the step index, the tool and the reason. It only reads the world: a rejected plan
changes nothing, and so does an accepted one until the executor runs it.

Per step, in order: the tool is known and allowed; the arguments fit its model;
it is off cooldown; the actor holds what it costs; then the tool's own check
(bounds, path, sight, range, target). A step that fails leaves the carried state
as it was, and the next steps are still checked.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from astraweave.core._plan import PlanIntent, ToolArgs
from astraweave.core._registry import (
    COOLDOWN_EPS_S,
    ActorState,
    ToolRegistry,
)
from astraweave.core._rules import GameRules
from astraweave.core._view import WorldView
from astraweave.ecs import World
from astraweave.errors import (
    ActorUnableError,
    InsufficientResourceError,
    MalformedPlanError,
    OnCooldownError,
    ToolError,
)

__all__ = ["BUILTIN_TOOLS", "Report", "check_step", "default_registry", "registry_of", "validate"]


BUILTIN_TOOLS = (
    "MoveTo",
    "Approach",
    "Retreat",
    "TakeCover",
    "Patrol",
    "Attack",
    "AimedShot",
    "CoverFire",
    "ThrowSmoke",
    "ThrowExplosive",
    "Heal",
    "Revive",
    "Reload",
    "UseItem",
    "Interact",
    "Scan",
    "Wait",
    "MarkTarget",
    "Distract",
    "Regroup",
)
"""The built-in tools, in registration (cooldown slot) order."""


@functools.cache
def _default() -> ToolRegistry:
    from astraweave.core._tools_combat import combat_tools
    from astraweave.core._tools_move import movement_tools
    from astraweave.core._tools_support import support_tools
    from astraweave.core._tools_utility import utility_tools

    tools = (*movement_tools(), *combat_tools(), *support_tools(), *utility_tools())
    by_name = {t.name: t for t in tools}
    order = BUILTIN_TOOLS
    return ToolRegistry(by_name[n] for n in order)


def default_registry() -> ToolRegistry:
    """A new registry holding the 20 built-in tools (add your own with ``register``).

    Example:
        >>> reg = default_registry()
        >>> len(reg), reg.names()[:3]
        (20, ['MoveTo', 'Approach', 'Retreat'])
    """
    return _default().copy()


def registry_of(world: World) -> ToolRegistry:
    """The world's :class:`ToolRegistry` resource, or the built-in one."""
    reg = world.try_resource(ToolRegistry)
    return reg if reg is not None else _default()


@dataclass
class Report:
    """The sandbox's verdict on a plan.

    Attributes:
        plan: the parsed plan (``None`` when some step did not parse).
        errors: every violation, in step order.
        final_state: the actor's state after the dry run (``None`` if it cannot act).
        duration_s: the estimated run time of the plan in seconds.
    """

    plan: PlanIntent | None
    errors: list[ToolError] = field(default_factory=list)
    final_state: ActorState | None = None
    duration_s: float = 0.0

    @property
    def ok(self) -> bool:
        """True when the plan was accepted."""
        return not self.errors and self.plan is not None

    def raise_first(self) -> None:
        """Raise the first error, if any."""
        if self.errors:
            raise self.errors[0]

    def summary(self) -> str:
        """One line per error (or ``"ok"``)."""
        if self.ok:
            return "ok"
        return "\n".join(f"{type(e).__name__}: {e}" for e in self.errors)


def _with_step(err: ToolError, index: int, tool: str) -> ToolError:
    """A copy of ``err`` whose message and context name the step and tool."""
    context = {k: v for k, v in err.context.items() if k not in ("step", "tool", "reason")}
    return type(err)(
        f"step {index} ({tool}): {err.message}",
        hint=err.hint,
        step=index,
        tool=tool,
        reason=err.message,
        **context,
    )


def check_step(
    registry: ToolRegistry,
    view: WorldView,
    state: ActorState,
    args: ToolArgs,
    index: int,
) -> tuple[ActorState | None, float, list[ToolError]]:
    """Check one parsed step against ``state``.

    Returns:
        ``(next_state, duration_s, errors)``: the state after the step (cost paid,
        cooldown started, time advanced) and its estimated duration, or ``None`` and
        the step's errors.
    """
    tool = registry.get(args.tool)
    errors: list[ToolError] = []
    remaining = state.cooldowns.get(tool.name, 0.0)
    if remaining > COOLDOWN_EPS_S:
        errors.append(
            OnCooldownError(
                f"step {index} ({tool.name}): on cooldown for {remaining:.2f} s more",
                step=index,
                tool=tool.name,
                reason="on cooldown",
                remaining_s=round(remaining, 3),
                hint=f"insert Wait(seconds={remaining:.2f}) or use another tool",
            )
        )
    costs = tool.costs(args)
    for res, amount in sorted(costs.items()):
        have = state.resource(res)
        if have < amount:
            errors.append(
                InsufficientResourceError(
                    f"step {index} ({tool.name}): needs {amount} {res}, has {have}",
                    step=index,
                    tool=tool.name,
                    reason=f"not enough {res}",
                    resource=res,
                    needed=amount,
                    available=have,
                )
            )
    try:
        forecast = tool.check(view.overlay(state.tiles), state, args)
    except ToolError as exc:
        errors.append(_with_step(exc, index, tool.name))
        return None, 0.0, errors
    if errors:
        return None, 0.0, errors
    nxt = forecast.state
    if costs:
        res_after = dict(nxt.resources)
        for res, amount in costs.items():
            res_after[res] = res_after.get(res, 0) - amount
        nxt = nxt.replace(resources=res_after)
    if tool.cooldown_s > 0:
        nxt = nxt.replace(cooldowns=dict(nxt.cooldowns, **{tool.name: tool.cooldown_s}))
    return nxt.advance(forecast.duration_s), forecast.duration_s, []


def validate(
    plan: PlanIntent | dict[str, Any] | str,
    world: World,
    actor: int,
    *,
    registry: ToolRegistry | None = None,
    forbidden: Iterable[str] | None = None,
) -> Report:
    """Check a whole plan for ``actor`` by a dry run; the world is not changed.

    Args:
        plan: a :class:`PlanIntent`, or raw data (dict or JSON text) to parse.
        world: the world (read only).
        actor: the entity that would run the plan.
        registry: the tools (default: the world's :class:`ToolRegistry` resource, or
            the built-in tools).
        forbidden: tools the scenario forbids (default: the world's
            :class:`GameRules`).

    Returns:
        A :class:`Report` with every violation (``report.ok`` when none).

    Example:
        >>> from astraweave.core import load_scenario
        >>> sc = load_scenario('''
        ... [scenario]
        ... name = "doc"
        ... map = ["#####", "#A..#", "#####"]
        ... [[entities]]
        ... name = "a"
        ... at = "A"
        ... ''')
        >>> world = sc.build_world()
        >>> a = sc.entity_id(world, "a")
        >>> validate({"steps": [{"tool": "MoveTo", "x": 3.5, "y": 1.5}]}, world, a).ok
        True
        >>> r = validate({"steps": [{"tool": "MoveTo", "x": 9.0, "y": 1.5}]}, world, a)
        >>> type(r.errors[0]).__name__, r.errors[0].step
        ('TargetOutOfBoundsError', 0)
    """
    reg = registry if registry is not None else registry_of(world)
    if forbidden is None:
        rules = world.try_resource(GameRules)
        forbidden = rules.forbidden_tools if rules is not None else ()
    parsed, steps, errors = reg.parse_plan_collect(plan, tuple(forbidden))
    if not steps and not errors:
        errors.append(
            MalformedPlanError(
                "the plan has no steps", step=None, reason="empty plan", hint="add Wait(...)"
            )
        )
    try:
        state = ActorState.of(world, actor, reg)
    except ActorUnableError as exc:
        errors.append(exc)
        errors.sort(key=lambda e: -1 if e.step is None else int(e.step))
        return Report(parsed, errors)
    view = WorldView(world)
    total = 0.0
    for i, args in enumerate(steps):
        if args is None:
            continue
        nxt, duration, step_errors = check_step(reg, view, state, args, i)
        if step_errors or nxt is None:
            errors.extend(step_errors)
            continue
        state = nxt
        total += duration
    errors.sort(key=lambda e: -1 if e.step is None else int(e.step))
    return Report(parsed, errors, state, total)
