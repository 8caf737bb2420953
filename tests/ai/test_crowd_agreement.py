"""The crowd's vectorised validation agrees with core's per-agent sandbox.

For random small worlds (walls, low cover, doors, smoke, random health, ammo,
cooldowns, ranges and speeds) and random actions (the planner's own choices and
deliberately bad ones: friendly, stale and self targets, far targets, walls, off-map
and unreachable destinations), every agent's action is valid for the crowd exactly
when ``core.validate`` accepts the same one-step plan for that agent in that world.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from astraweave.ai._crowd import spawn_crowd
from astraweave.ai._crowd_planner import CrowdPlanner
from astraweave.ai._crowd_rules import CrowdAction, CrowdReject, CrowdRules
from astraweave.ai._crowd_state import CrowdActions, CrowdConfig
from astraweave.ai._crowd_systems import _smoke, crowd_chunk, crowd_state
from astraweave.core import (
    Ammo,
    Cooldowns,
    GameRules,
    Health,
    Mover,
    Smoke,
    TileMap,
    Weapon,
    default_registry,
    validate,
)
from astraweave.ecs import Position, World

REGISTRY = default_registry()
RULES = CrowdRules.from_registry(REGISTRY)


def random_map(rng: np.random.Generator, w: int, h: int) -> TileMap:
    chars = np.array([".", "#", "=", "D", "d"])
    weights = np.array([0.72, 0.12, 0.08, 0.04, 0.04])
    tiles = chars[rng.choice(len(chars), size=(h, w), p=weights)]
    return TileMap.from_ascii("\n".join("".join(r) for r in tiles))


def build(seed: int, n: int, smoke: bool) -> tuple[World, TileMap, np.ndarray]:
    rng = np.random.default_rng(seed)
    w, h = int(rng.integers(6, 14)), int(rng.integers(6, 14))
    tm = random_map(rng, w, h)
    world = World(seed=seed)
    world.insert_resource(tm)
    world.insert_resource(GameRules())
    ys, xs = np.nonzero(tm.walkable)
    if len(xs) == 0:
        ys, xs = np.array([0]), np.array([0])
    pick = rng.integers(0, len(xs), size=n)
    x = xs[pick] + rng.choice([0.0, 0.5, 0.999, 0.25], size=n)
    y = ys[pick] + rng.choice([0.0, 0.5, 0.999, 0.75], size=n)
    team = rng.integers(0, 2, size=n)
    ids = spawn_crowd(world, x, y, team)
    chunk = crowd_chunk(world)
    assert chunk is not None
    chunk[Health].hp[:] = rng.choice([0.0, 5.0, 60.0, 100.0], size=n)
    chunk[Health].max_hp[:] = rng.choice([0.0, 100.0, 100.0, 100.0], size=n)
    chunk[Ammo].rounds[:] = rng.choice([0, 1, 3], size=n)
    chunk[Weapon].range_m[:] = rng.choice([1.0, 2.5, 4.0, 9.0, 14.0], size=n)
    chunk[Mover].speed_mps[:] = rng.choice([0.0, 3.0, 3.0], size=n)
    slot = chunk[Cooldowns].remaining_s[:, RULES.attack_slot]
    slot[:] = rng.choice([0.0, 1e-7, 2e-6, 0.3], size=n)
    # a few agents are despawned: their ids go stale
    gone = ids[rng.random(n) < 0.15]
    if len(gone) < n:
        world.despawn_batch(gone)
    else:
        gone = gone[:0]
    if smoke:
        cx, cy = float(rng.uniform(0, w)), float(rng.uniform(0, h))
        world.spawn(Position(cx, cy), Smoke(radius_m=float(rng.uniform(0.5, 2.5))))
    return world, tm, gone


def random_actions(
    rng: np.random.Generator,
    planned: CrowdActions,
    ids: np.ndarray,
    gone: np.ndarray,
    tm: TileMap,
) -> CrowdActions:
    n = len(planned)
    acts = CrowdActions.empty(n)
    for i in range(n):
        kind = int(rng.integers(0, 6))
        if kind == 0:  # the planner's own choice
            acts.code[i] = planned.code[i]
            acts.target_row[i] = planned.target_row[i]
            acts.target[i] = planned.target[i]
            acts.dest_x[i] = planned.dest_x[i]
            acts.dest_y[i] = planned.dest_y[i]
        elif kind in (1, 2):  # attack anyone alive (self and friends included)
            j = int(rng.integers(0, n))
            acts.code[i] = CrowdAction.ATTACK
            acts.target_row[i] = j
            acts.target[i] = ids[j]
        elif kind == 3:  # attack a stale id, or nobody
            acts.code[i] = CrowdAction.ATTACK
            acts.target[i] = int(gone[0]) if len(gone) and rng.random() < 0.5 else -1
        elif kind == 4:  # walk anywhere, on or off the map
            acts.code[i] = CrowdAction.MOVE if rng.random() < 0.5 else CrowdAction.RETREAT
            acts.dest_x[i] = float(rng.uniform(-1.5, tm.width + 1.5))
            acts.dest_y[i] = float(rng.uniform(-1.5, tm.height + 1.5))
        else:
            acts.code[i] = CrowdAction.WAIT
    return acts


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(2, 14), smoke=st.booleans())
def test_crowd_validation_agrees_with_the_sandbox(seed: int, n: int, smoke: bool) -> None:
    world, tm, gone = build(seed, n, smoke)
    chunk = crowd_chunk(world)
    assert chunk is not None
    planner = CrowdPlanner(tm, RULES, CrowdConfig(bucket_m=3.0))
    state = crowd_state(chunk, RULES)
    smoke_cols = _smoke(world)
    planned = planner.plan(state, smoke=smoke_cols)
    rng = np.random.default_rng(seed + 1)
    acts = random_actions(rng, planned, chunk.entities, gone, tm)
    valid, reason = planner.validate(state, acts, smoke=smoke_cols)
    for i, entity in enumerate(chunk.entities.tolist()):
        step = acts.step(i, RULES, wait_s=1.0)
        report = validate({"steps": [step]}, world, entity, registry=REGISTRY)
        assert bool(valid[i]) == report.ok, (
            f"agent {i} ({entity}) {step}: crowd says {CrowdReject(int(reason[i])).name}, "
            f"sandbox says {report.summary()}"
        )
        if not report.ok:
            # the crowd's reason names the sandbox's first error
            expected = CrowdReject(int(reason[i])).error
            assert expected is not None
            assert any(isinstance(e, expected) for e in report.errors), (
                f"agent {i} {step}: crowd reason {CrowdReject(int(reason[i])).name}, "
                f"sandbox {report.summary()}"
            )


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(2, 14))
def test_planned_actions_pass_the_sandbox(seed: int, n: int) -> None:
    """The planner's own actions, once validated, are accepted by the sandbox."""
    world, tm, _ = build(seed, n, smoke=False)
    chunk = crowd_chunk(world)
    assert chunk is not None
    planner = CrowdPlanner(tm, RULES, CrowdConfig(bucket_m=3.0))
    acts = planner.plan(crowd_state(chunk, RULES))
    for i, entity in enumerate(chunk.entities.tolist()):
        if acts.valid[i]:
            step = acts.step(i, RULES)
            assert validate({"steps": [step]}, world, entity, registry=REGISTRY).ok, step


def test_forbidden_tools_are_rejected_like_the_sandbox() -> None:
    world, tm, _ = build(7, 6, smoke=False)
    world.insert_resource(GameRules(forbidden_tools=("Attack",)))
    chunk = crowd_chunk(world)
    assert chunk is not None
    rules = CrowdRules.from_registry(REGISTRY, world.resource(GameRules))
    planner = CrowdPlanner(tm, rules)
    acts = CrowdActions.empty(len(chunk))
    acts.code[:] = CrowdAction.ATTACK
    acts.target_row[:] = np.arange(len(chunk))[::-1]
    acts.target[:] = chunk.entities[::-1]
    valid, reason = planner.validate(crowd_state(chunk, rules), acts)
    assert not valid.any()
    assert set(reason.tolist()) == {CrowdReject.FORBIDDEN}
    step = acts.step(0, rules)
    assert not validate({"steps": [step]}, world, int(chunk.entities[0])).ok
