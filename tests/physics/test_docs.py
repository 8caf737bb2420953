"""docs/physics.md runs: its Python blocks execute, and its tables match the code."""

import dataclasses
import re
from pathlib import Path

import pytest

from astraweave.ecs import component_info
from astraweave.errors import _physics as physics_errors
from astraweave.physics import CharacterController, Collider, PhysicsConfig, RigidBody

DOC = Path(__file__).resolve().parents[2] / "docs" / "physics.md"


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)


@pytest.mark.parametrize("index", range(len(_blocks())))
def test_python_blocks_run(index: int) -> None:
    exec(compile(_blocks()[index], f"{DOC}#block{index}", "exec"), {})


def test_every_config_field_and_component_field_is_documented() -> None:
    text = DOC.read_text()
    for f in dataclasses.fields(PhysicsConfig):
        assert f"`{f.name}`" in text, f.name
    for comp in (RigidBody, Collider, CharacterController):
        for spec in component_info(comp).fields:
            assert f"`{spec.name}`" in text, (comp.__name__, spec.name)
    for name in physics_errors.__all__:
        assert f"`{name}`" in text, name
