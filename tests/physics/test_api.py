import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import astraweave.errors as errors
import astraweave.physics as physics
from astraweave.errors import PhysicsError
from astraweave.errors import _physics as physics_errors

PKG = Path(physics.__file__).parent


def _isort_key(name: str) -> tuple[int, str]:
    """Constants, then classes, then functions (ruff's RUF022 order, as in ecs)."""
    if name.isupper():
        return (0, name)
    return (1 if name[0].isupper() else 2, name)


def test_all_is_sorted_complete_and_importable() -> None:
    names = physics.__all__
    assert list(names) == sorted(names, key=_isort_key)
    for name in names:
        assert getattr(physics, name) is not None
    public_defs = set()
    for path in PKG.glob("_*.py"):
        if path.name == "__init__.py":
            continue
        mod = importlib.import_module(f"astraweave.physics.{path.stem}")
        assert mod.__doc__, f"{path.name} has no docstring"
        public_defs.update(getattr(mod, "__all__", []))
    internal = {  # building blocks used inside the package, documented in their modules
        "BodySpec",
        "ShapeSpec",
        "build_body",
        "build_shape",
        "filter_for",
        "moment_for",
        "BodyBatch",
        "make_poly",
        "settle_bias_velocities",
        "QueryMixin",
        "Frame",
        "gather",
        "pull_from_space",
        "push_to_space",
        "touching_pairs",
    }
    assert public_defs - internal <= set(names)


def test_modules_stay_readable() -> None:
    for path in PKG.glob("*.py"):
        assert len(path.read_text().splitlines()) < 600, path.name


def test_public_callables_document_themselves() -> None:
    for name in physics.__all__:
        obj = getattr(physics, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert obj.__doc__, name


def test_errors_are_listed_and_derive_from_physics_error() -> None:
    assert sorted(physics_errors.__all__) == physics_errors.__all__
    for name in physics_errors.__all__:
        cls = getattr(errors, name)
        assert issubclass(cls, PhysicsError), name
        assert name in (physics_errors.__doc__ or ""), name


def test_usage_errors_are_marked() -> None:
    usage = {n for n in physics_errors.__all__ if issubclass(getattr(errors, n), errors.UsageError)}
    assert usage == {
        "ColliderError",
        "NonFiniteStateError",
        "PhysicsConfigError",
        "PhysicsQueryError",
        "RigidBodyError",
        "TileMapError",
    }


def test_no_asserts_or_bare_excepts_in_the_package() -> None:
    for path in [*PKG.glob("*.py"), PKG.parent / "errors" / "_physics.py"]:
        text = path.read_text()
        assert "\n    assert " not in text and "\nassert " not in text, path.name
        assert "except:" not in text and "except Exception" not in text, path.name


def test_importing_the_errors_does_not_import_pymunk() -> None:
    code = "import sys, astraweave.errors; print('pymunk' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
