"""An agent that arrived holds its position: pushed away, it walks back."""

from __future__ import annotations

import math

from astraweave import physics
from astraweave.ecs import App, Position


def test_arrived_agent_pushed_away_walks_back() -> None:
    app = App(seed=1)
    app.add_plugin(physics.plugin)
    agent = app.world.spawn(*physics.character_bundle(0.0, 0.0, speed=2.0, mass=70.0))
    physics.set_waypoints(app.world, agent, [(2.0, 0.0)])
    app.run(120)
    cc = app.world.get(agent, physics.CharacterController)
    assert cc.status == physics.ControllerStatus.ARRIVED
    # a shove of 4200 N s throws the 70 kg agent at 60 m/s: about 1 m in one step,
    # well past twice its arrival radius (the controller then brakes it)
    app.world.resource(physics.PhysicsWorld).apply_impulse(agent, (0.0, 4200.0))
    app.run(3)
    pos = app.world.get(agent, Position)
    displaced = math.hypot(pos.x - 2.0, pos.y)
    assert displaced > 2 * cc.arrive_radius
    assert app.world.get(agent, physics.CharacterController).status == (
        physics.ControllerStatus.MOVING
    )
    app.run(240)
    pos = app.world.get(agent, Position)
    assert math.hypot(pos.x - 2.0, pos.y) <= cc.arrive_radius
    assert app.world.get(agent, physics.CharacterController).status == (
        physics.ControllerStatus.ARRIVED
    )
