"""The executor: runs accepted plans step by step in the AI_PLANNING stage.

:func:`submit_plan` is the one way a plan takes effect: it validates the whole plan
(:func:`validate`) and, only if accepted, stores it in the agent's
:class:`ActivePlan`. Each tick :func:`executor_system` advances every running plan
(agents in id order): a step that has not started is **re-validated** against the
world as it is now (the world moved on since the plan was checked); on success its
costs are paid, its cooldown starts and the tool's ``start`` runs; then the tool's
``update`` runs once per tick until it reports done. A step that fails its check,
raises a :class:`~astraweave.errors.ToolError` while running, or overruns its
deadline (three times its forecast duration plus 5 s) ends the plan with that typed
reason (event ``plan_failed``), and the agent plans again on the next tick.
Instantaneous steps finish in the tick they start, so several can run in one tick.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from astraweave.core._components import (
    PLAN_STATUS,
    ActivePlan,
    Agent,
    Ammo,
    Cooldowns,
    Inventory,
    Status,
)
from astraweave.core._events import GameEvent
from astraweave.core._plan import PlanIntent
from astraweave.core._registry import ActorState, StepRun, ToolRegistry, stop_moving
from astraweave.core._sandbox import Report, check_step, registry_of, validate
from astraweave.core._view import WorldView
from astraweave.ecs import World
from astraweave.errors import (
    ActorUnableError,
    MissingComponentError,
    PreconditionFailedError,
    ToolError,
)

__all__ = [
    "PlanInbox",
    "cancel_plan",
    "executor_system",
    "inbox_system",
    "start_plan",
    "submit_plan",
]

_STEP_SLACK_S = 5.0


def start_plan(world: World, actor: int, plan: PlanIntent) -> None:
    """Store an *already validated* plan as ``actor``'s active plan (replacing any).

    Prefer :func:`submit_plan`, which validates first.

    Raises:
        MissingComponentError: the actor has no :class:`ActivePlan`.
    """
    if not world.has(actor, ActivePlan):
        raise MissingComponentError(
            f"entity {actor} has no ActivePlan component and cannot run plans",
            entity=actor,
            component="ActivePlan",
        )
    old = world.get(actor, ActivePlan)
    if old.plan_json is not None:
        world.send(
            GameEvent(world.tick, "plan_replaced", actor, -1, float(old.step), str(old.plan_id))
        )
    _stop_moving(world, actor)
    world.set(
        actor,
        ActivePlan(
            plan_json=plan.canonical_json(),
            plan_id=plan.plan_id,
            started_tick=world.tick,
            status=PLAN_STATUS.index("running"),
        ),
    )
    world.send(
        GameEvent(world.tick, "plan_started", actor, -1, float(len(plan.steps)), plan.brief())
    )


def submit_plan(
    world: World,
    actor: int,
    plan: PlanIntent | dict[str, Any] | str,
    *,
    registry: ToolRegistry | None = None,
) -> Report:
    """Validate ``plan`` for ``actor`` and start it only if it is accepted.

    A rejected plan changes nothing but sends a ``plan_rejected`` event.

    Returns:
        The sandbox :class:`Report` (``report.ok`` tells whether the plan started).
    """
    report = validate(plan, world, actor, registry=registry)
    if report.ok and report.plan is not None:
        start_plan(world, actor, report.plan)
    else:
        first = report.errors[0] if report.errors else None
        detail = f"{type(first).__name__}: {first}" if first is not None else "rejected"
        world.send(
            GameEvent(world.tick, "plan_rejected", actor, -1, float(len(report.errors)), detail)
        )
    return report


def cancel_plan(world: World, actor: int, reason: str = "cancelled") -> None:
    """Stop ``actor``'s running plan (no event is failed; status ``"cancelled"``)."""
    ap = world.try_get(actor, ActivePlan)
    if ap is None or ap.plan_json is None:
        return
    _stop_moving(world, actor)
    world.set(actor, ActivePlan(status=PLAN_STATUS.index("cancelled"), last_error=reason))


def _stop_moving(world: World, actor: int) -> None:
    stop_moving(world, actor)


def _finish(world: World, actor: int, ap: ActivePlan, steps: int) -> None:
    world.set(actor, ActivePlan(status=PLAN_STATUS.index("done")))
    world.send(GameEvent(world.tick, "plan_done", actor, -1, float(steps), str(ap.plan_id)))
    _replan_soon(world, actor)


def _fail(world: World, actor: int, ap: ActivePlan, err: ToolError) -> None:
    _stop_moving(world, actor)
    message = f"{type(err).__name__}: {err}"
    world.set(actor, ActivePlan(status=PLAN_STATUS.index("failed"), last_error=message))
    world.send(GameEvent(world.tick, "plan_failed", actor, -1, float(ap.step), message))
    _replan_soon(world, actor)


def _replan_soon(world: World, actor: int) -> None:
    agent = world.try_get(actor, Agent)
    if agent is not None:
        agent.next_plan_tick = world.tick + 1
        world.set(actor, agent)


def _pay(world: World, actor: int, costs: dict[str, int]) -> None:
    if not costs:
        return
    ammo = world.try_get(actor, Ammo)
    inv = world.try_get(actor, Inventory)
    for res, amount in costs.items():
        if res == "ammo" and ammo is not None:
            ammo.rounds -= amount
        elif res == "reserve" and ammo is not None:
            ammo.reserve -= amount
        elif inv is not None and hasattr(inv, res):
            setattr(inv, res, getattr(inv, res) - amount)
    if ammo is not None:
        world.set(actor, ammo)
    if inv is not None:
        world.set(actor, inv)


def _advance(world: World, view: WorldView, reg: ToolRegistry, actor: int) -> None:
    ap = world.get(actor, ActivePlan)
    plan = reg.cached_plan(ap.plan_json)
    status = world.try_get(actor, Status)
    if status is not None and (status.dead or status.downed):
        how = "dead" if status.dead else "downed"
        _fail(world, actor, ap, ActorUnableError(f"the actor is {how}", actor=actor))
        return
    for _ in range(len(plan.steps) + 1):
        if ap.step >= len(plan.steps):
            _finish(world, actor, ap, len(plan.steps))
            return
        args = plan.steps[ap.step]
        tool = reg.get(args.tool)
        try:
            if not ap.started:
                state = ActorState.of(world, actor, reg)
                nxt, duration, errors = check_step(reg, view, state, args, ap.step)
                if errors or nxt is None:
                    _fail(world, actor, ap, errors[0])
                    return
                _pay(world, actor, tool.costs(args))
                if tool.cooldown_s > 0:
                    cds = world.try_get(actor, Cooldowns)
                    if cds is not None:
                        cds.remaining_s[reg.slot(tool.name)] = tool.cooldown_s
                        world.set(actor, cds)
                ap.started, ap.elapsed_s, ap.phase, ap.count = True, 0.0, 0, 0
                ap.aux_x = ap.aux_y = 0.0
                ap.deadline_s = 3.0 * duration + _STEP_SLACK_S
                run = StepRun(world, view, actor, args, ap)
                world.send(
                    GameEvent(world.tick, "step_started", actor, -1, float(ap.step), tool.name)
                )
                tool.start(run)
            else:
                ap.elapsed_s += world.dt
                if ap.elapsed_s > ap.deadline_s:
                    raise PreconditionFailedError(
                        f"step {ap.step} ({tool.name}) timed out after {ap.elapsed_s:.1f} s",
                        step=ap.step,
                        tool=tool.name,
                        reason="timed out",
                    )
                run = StepRun(world, view, actor, args, ap)
            done = tool.update(run)
        except ToolError as exc:
            if exc.step is None:
                exc = type(exc)(
                    f"step {ap.step} ({tool.name}): {exc.message}",
                    hint=exc.hint,
                    **{**exc.context, "step": ap.step, "tool": tool.name, "reason": exc.message},
                )
            _fail(world, actor, ap, exc)
            return
        ap.phase, ap.count, ap.aux_x, ap.aux_y = run.phase, run.count, run.aux_x, run.aux_y
        if not done:
            world.set(actor, ap)
            return
        world.send(GameEvent(world.tick, "step_done", actor, -1, float(ap.step), tool.name))
        ap.step += 1
        ap.started = False
        world.set(actor, ap)
    # A plan cannot need more iterations than it has steps.
    _finish(world, actor, ap, len(plan.steps))  # pragma: no cover


def executor_system(world: World) -> None:
    """Advance every running plan by one tick (AI_PLANNING; agents in id order)."""
    running: list[int] = []
    for chunk in world.query(ActivePlan):
        col = chunk[ActivePlan].plan_json
        mask = np.fromiter((p is not None for p in col), dtype=np.bool_, count=len(col))
        running.extend(int(e) for e in chunk.entities[mask])
    if not running:
        return
    reg = registry_of(world)
    view = WorldView(world)
    for actor in sorted(running):
        if world.is_alive(actor):
            _advance(world, view, reg, actor)


@dataclass
class PlanInbox:
    """Plans queued from outside the simulation (player commands, scripted inputs,
    network): ``{tick: [(entity, plan JSON), ...]}`` (a world resource).

    :func:`inbox_system` submits each at its tick, in PRE_SIMULATION, through the
    sandbox like any planner's plan. ``applied`` records what was submitted, per
    tick, for replay capture. Pending inputs are not world state (they arrive from
    outside), so the inbox does not enter the world hash; their effects do.
    """

    pending: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    applied: list[tuple[int, int, str, bool]] = field(default_factory=list)

    def push(self, tick: int, entity: int, plan: PlanIntent | dict[str, Any] | str) -> None:
        """Queue ``plan`` for ``entity`` at ``tick``."""
        import json

        text = plan.canonical_json() if isinstance(plan, PlanIntent) else plan
        if not isinstance(text, str):
            text = json.dumps(text, sort_keys=True, separators=(",", ":"))
        self.pending.setdefault(int(tick), []).append((int(entity), text))


def inbox_system(world: World) -> None:
    """Submit the plans queued for this tick (PRE_SIMULATION)."""
    inbox = world.try_resource(PlanInbox)
    if inbox is None or world.tick not in inbox.pending:
        return
    for entity, text in inbox.pending.pop(world.tick):
        ok = False
        if world.is_alive(entity) and world.has(entity, ActivePlan):
            ok = submit_plan(world, entity, text).ok
        else:
            world.send(GameEvent(world.tick, "plan_rejected", entity, -1, 1.0, "no such agent"))
        inbox.applied.append((world.tick, entity, text, ok))
