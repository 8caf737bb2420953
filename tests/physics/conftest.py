"""Helpers for the physics tests: small apps with the physics plugin."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from astraweave.ecs import App
from astraweave.physics import PhysicsConfig, PhysicsWorld, plugin


def make_app(config: PhysicsConfig | None = None, seed: int = 1) -> App:
    """An App with only the physics plugin."""
    app = App(seed=seed)
    app.add_plugin(plugin, config=config)
    return app


@pytest.fixture()
def app_factory() -> Callable[..., App]:
    return make_app


def physics_of(app: App) -> PhysicsWorld:
    return app.world.resource(PhysicsWorld)
