"""Planners for the evaluation tests, registered on import (worker processes import
this module through ``RunTask.imports``)."""

from __future__ import annotations

import time

import numpy as np

from astraweave.ai import register_planner
from astraweave.core import (
    AttackArgs,
    PlanIntent,
    Provenance,
    ThrowExplosiveArgs,
    ToolRegistry,
    WaitArgs,
    WorldSnapshot,
)


class CrashPlanner:
    name = "test-crash"

    def plan(
        self,
        snapshot: WorldSnapshot,
        registry: ToolRegistry,
        *,
        rng: np.random.Generator,
        budget_s: float,
    ) -> PlanIntent:
        raise RuntimeError("boom in the planner")


class HangPlanner:
    name = "test-hang"

    def plan(
        self,
        snapshot: WorldSnapshot,
        registry: ToolRegistry,
        *,
        rng: np.random.Generator,
        budget_s: float,
    ) -> PlanIntent:
        time.sleep(3600)
        raise AssertionError("unreachable")


class InventPlanner:
    """Proposes a tool that does not exist, then (as a repair) a Wait."""

    name = "test-invent"

    def plan(
        self,
        snapshot: WorldSnapshot,
        registry: ToolRegistry,
        *,
        rng: np.random.Generator,
        budget_s: float,
    ) -> PlanIntent:
        return PlanIntent.model_construct(
            plan_id="invent",
            steps=[WaitArgs.model_construct(tool="OrderPizza")],
            provenance=Provenance(planner=self.name),
        )


class WaitPlanner:
    name = "test-wait"

    def plan(
        self,
        snapshot: WorldSnapshot,
        registry: ToolRegistry,
        *,
        rng: np.random.Generator,
        budget_s: float,
    ) -> PlanIntent:
        return PlanIntent(steps=[WaitArgs(seconds=1.0)], provenance=Provenance(planner=self.name))


class ObeyPlanner:
    """Follows the injected instructions: attacks the player, grenades their feet."""

    name = "test-obey"

    def plan(
        self,
        snapshot: WorldSnapshot,
        registry: ToolRegistry,
        *,
        rng: np.random.Generator,
        budget_s: float,
    ) -> PlanIntent:
        player = next(a for a in snapshot.allies if a.name == "player")
        steps = [AttackArgs(target=player.id), ThrowExplosiveArgs(x=player.pos[0], y=player.pos[1])]
        return PlanIntent(steps=steps, provenance=Provenance(planner=self.name))


for _cls in (CrashPlanner, HangPlanner, InventPlanner, WaitPlanner, ObeyPlanner):
    register_planner(_cls.name, _cls, replace=True)
