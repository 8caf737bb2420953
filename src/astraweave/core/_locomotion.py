"""The bridge from path *planning* (nav) to path *following* (physics).

``astraweave.nav`` plans paths into :class:`~astraweave.nav.NavAgent` and
``astraweave.physics`` steers :class:`~astraweave.physics.CharacterController` agents
along waypoints; neither may import the other. :func:`locomotion_plugin` adds both and
registers :func:`follow_nav_paths`, which hands every new path (a bumped
``NavAgent.path_version``) to the agent's controller, so agents re-path around a wall
that appears and walk as physics bodies around each other.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from astraweave import nav, physics
from astraweave.ecs import App, Stage, World, component

__all__ = ["PathSync", "follow_nav_paths", "locomotion_plugin"]

FOLLOW_SYSTEM = "astraweave.core.follow_nav_paths"


@component
class PathSync:
    """Which ``NavAgent.path_version`` the agent's controller is following (-1: none)."""

    version: int = -1


def follow_nav_paths(world: World) -> None:
    """Copy new nav paths into character controllers (only agents whose path changed)."""
    for chunk in world.query(nav.NavAgent, physics.CharacterController, PathSync):
        agent, sync = chunk[nav.NavAgent], chunk[PathSync]
        stale = np.flatnonzero(agent.path_version != sync.version)
        if not len(stale):
            continue
        ids = chunk.entities[stale].tolist()
        paths = agent.path[stale].tolist()
        versions = agent.path_version[stale].copy()
        for entity, path in zip(ids, paths, strict=True):
            physics.set_waypoints(world, int(entity), path or ())
        sync.version[stale] = versions


def locomotion_plugin(app: App, **nav_config: Any) -> None:
    """Add navigation (``nav.plugin(app, **nav_config)``), physics, and the bridge.

    Agents need ``NavAgent``, the components of ``physics.character_bundle`` and
    :class:`PathSync`. Set ``NavAgent.goal_x``/``goal_y`` and they walk there.

    Args:
        app: the app.
        **nav_config: passed to :func:`astraweave.nav.plugin` (``grid=``, ``navmesh=``,
            ``algorithm=``, ``smooth=``).
    """
    app.add_plugin(nav.plugin, **nav_config)
    app.add_plugin(physics.plugin)
    app.add_system(
        follow_nav_paths,
        stage=Stage.AI_PLANNING,
        reads=[nav.NavAgent],
        writes=[physics.CharacterController, PathSync],
        after=["astraweave.nav.replan"],
        name=FOLLOW_SYSTEM,
    )
