"""``core.plugin(app)``: the systems and resources of the AI contract.

=================  ======================  =============================================
stage              system                  job
=================  ======================  =============================================
PRE_SIMULATION     ``core.inbox``          submit queued plans (player commands, inputs)
PERCEPTION         ``core.perception``     update agents' memories of enemies (10 Hz)
SIMULATION         ``core.hazards``        hazard damage
SIMULATION         ``core.explosives``     grenade fuses and explosions
SIMULATION         ``core.smoke``          smoke expiry
SIMULATION         ``core.status``         cooldowns, status timers, morale, bleed-out, death
AI_PLANNING        ``core.executor``       run plan steps (planners go before it)
PHYSICS            ``core.movement``       kinematic path following (``physics.*``
                                           systems when the world has physics)
POST_SIMULATION    ``core.outcome``        the mission's success or failure
=================  ======================  =============================================
"""

from __future__ import annotations

from astraweave.core._bodies import uses_physics
from astraweave.core._executor import executor_system, inbox_system
from astraweave.core._mission import outcome_system
from astraweave.core._movement import movement_system
from astraweave.core._perception import perception_system
from astraweave.core._registry import ToolRegistry
from astraweave.core._rules import (
    GameRules,
    explosive_system,
    hazard_system,
    smoke_system,
    status_system,
)
from astraweave.core._sandbox import default_registry
from astraweave.ecs import App, Stage

__all__ = ["EXECUTOR_SYSTEM", "plugin"]

EXECUTOR_SYSTEM = "core.executor"
"""Name of the executor system (planning systems order themselves before it)."""


def plugin(
    app: App, *, registry: ToolRegistry | None = None, rules: GameRules | None = None
) -> None:
    """Register core's systems and default resources on ``app``.

    Args:
        app: the app.
        registry: the tools (default: the world's registry, else the built-in ones).
        rules: game rules (default: the world's, else :class:`GameRules`).

    Add it with ``app.add_plugin(core.plugin)`` (adding it twice is a no-op).
    """
    world = app.world
    if registry is not None or not world.has_resource(ToolRegistry):
        world.insert_resource(registry if registry is not None else default_registry())
    if rules is not None or not world.has_resource(GameRules):
        world.insert_resource(rules if rules is not None else GameRules())
    if uses_physics(world):
        from astraweave import physics

        app.add_plugin(physics.plugin)
    add = app.add_system
    add(inbox_system, stage=Stage.PRE_SIMULATION, name="core.inbox")
    add(perception_system, stage=Stage.PERCEPTION, name="core.perception")
    add(hazard_system, stage=Stage.SIMULATION, name="core.hazards")
    add(explosive_system, stage=Stage.SIMULATION, name="core.explosives")
    add(smoke_system, stage=Stage.SIMULATION, name="core.smoke")
    add(status_system, stage=Stage.SIMULATION, name="core.status")
    add(executor_system, stage=Stage.AI_PLANNING, name=EXECUTOR_SYSTEM)
    add(movement_system, stage=Stage.PHYSICS, name="core.movement")
    add(outcome_system, stage=Stage.POST_SIMULATION, name="core.outcome")
