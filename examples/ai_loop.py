"""The AI loop by hand: perceive, plan, validate, act, in a few lines.

Run it with ``python examples/ai_loop.py``. It loads the built-in hello_companion
scenario, shows what the companion knows (its snapshot), asks the rule planner for a
plan, shows the sandbox rejecting a bad plan without touching the world, then runs
the whole loop and prints the outcome.
"""

from __future__ import annotations

from astraweave import ai, core
from astraweave.ecs import App


def main(ticks: int = 600) -> str:
    scenario = core.builtin_scenario("hello_companion")
    app = App(world=scenario.build_world())
    app.add_plugin(ai.plugin)  # core's systems plus the AI planning system
    world = app.world
    companion = scenario.entity_id(world, "companion")

    snapshot = core.perceive(world, companion)
    print("companion at", snapshot.agent.pos, "sees", [e.name for e in snapshot.enemies])

    plan = ai.RulePlanner().plan(snapshot, core.registry_of(world), rng=world.rng, budget_s=0.05)
    print("rule plan:", plan.brief(), plan.provenance.notes)

    before = world.hash()
    bad = {"steps": [{"tool": "ThrowExplosive", "x": 2.5, "y": 3.5}, {"tool": "Fly"}]}
    report = core.submit_plan(world, companion, bad)
    for err in report.errors:
        print(f"  rejected: {type(err).__name__}: {err}")
    assert world.hash() == before  # a rejected plan changes nothing

    app.run(ticks)
    outcome = world.resource(core.Outcome)
    print("after", world.tick, "ticks:", outcome.status, outcome.reason or "")
    print("plans:", ai.plan_log(app).counts(), "world hash:", world.hash())
    return outcome.status


if __name__ == "__main__":
    main(ticks=2400)
