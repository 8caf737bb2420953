import dataclasses

import pytest

from astraweave.errors import PhysicsConfigError, PhysicsError, UsageError
from astraweave.physics import PhysicsConfig, PhysicsWorld
from astraweave.physics._config import (
    DEFAULT_CELL_COUNT,
    DEFAULT_CELL_SIZE_M,
    DEFAULT_COLLISION_BIAS,
    DEFAULT_COLLISION_SLOP_M,
    DEFAULT_ITERATIONS,
    DEFAULT_SUBSTEPS,
)


def test_defaults_are_the_named_constants() -> None:
    cfg = PhysicsConfig()
    assert cfg.gravity_mps2 == (0.0, 0.0)
    assert cfg.substeps == DEFAULT_SUBSTEPS == 1
    assert cfg.iterations == DEFAULT_ITERATIONS == 10
    assert cfg.collision_slop_m == DEFAULT_COLLISION_SLOP_M == 0.01
    assert cfg.collision_bias == DEFAULT_COLLISION_BIAS == pytest.approx(0.0017970, abs=1e-6)
    assert cfg.cell_size_m == DEFAULT_CELL_SIZE_M == 1.0
    assert cfg.cell_count == DEFAULT_CELL_COUNT == 10_007
    assert cfg.velocity_kept_per_s == 1.0
    assert cfg.separation_gain == 1.0
    assert cfg.stuck_progress_m == 0.05


def test_keyword_only_frozen_and_compared_by_value() -> None:
    with pytest.raises(TypeError):
        PhysicsConfig((0.0, 9.81))  # type: ignore[misc]
    cfg = PhysicsConfig(substeps=3, gravity_mps2=(0, 9.81))
    assert cfg == PhysicsConfig(gravity_mps2=(0.0, 9.81), substeps=3)
    assert cfg != PhysicsConfig()
    assert cfg.gravity_mps2 == (0.0, 9.81) and isinstance(cfg.gravity_mps2[0], float)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.substeps = 2  # type: ignore[misc]
    assert "substeps=3" in repr(cfg)
    assert cfg.describe()["gravity_mps2"] == [0.0, 9.81]
    assert set(cfg.describe()) == {f.name for f in dataclasses.fields(PhysicsConfig)}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("substeps", 0),
        ("substeps", 1.5),
        ("substeps", True),
        ("iterations", 0),
        ("velocity_kept_per_s", 0.0),
        ("velocity_kept_per_s", 1.5),
        ("collision_slop_m", -0.1),
        ("collision_bias", float("nan")),
        ("cell_size_m", 0.0),
        ("cell_count", 0),
        ("separation_gain", -1.0),
        ("stuck_progress_m", float("inf")),
        ("gravity_mps2", (0.0,)),
        ("gravity_mps2", (0.0, float("nan"))),
        ("gravity_mps2", [0.0, 9.81]),
    ],
)
def test_out_of_range_values_raise_a_typed_error_naming_the_field(
    field: str, value: object
) -> None:
    with pytest.raises(PhysicsConfigError) as info:
        PhysicsConfig(**{field: value})  # type: ignore[arg-type]
    err = info.value
    assert err.field == field
    assert f"PhysicsConfig.{field} must be" in str(err)
    assert isinstance(err, PhysicsError) and isinstance(err, UsageError)


def test_config_reaches_the_space() -> None:
    cfg = PhysicsConfig(
        gravity_mps2=(1.0, 2.0),
        iterations=7,
        velocity_kept_per_s=0.5,
        collision_slop_m=0.02,
        collision_bias=0.01,
    )
    space = PhysicsWorld(cfg).space
    assert tuple(space.gravity) == (1.0, 2.0)
    assert space.iterations == 7
    assert space.damping == 0.5
    assert space.collision_slop == pytest.approx(0.02)
    assert space.collision_bias == 0.01
    assert space.collision_persistence == 1
