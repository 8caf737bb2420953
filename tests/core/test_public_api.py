"""The public names of core and ai: exported, importable, sorted, documented."""

from __future__ import annotations

import importlib
import inspect

import pytest

import astraweave.errors as errors


@pytest.mark.parametrize("name", ["astraweave.core", "astraweave.ai"])
def test_public_names(name: str) -> None:
    mod = importlib.import_module(name)
    exported = list(mod.__all__)

    # isort-style, as ruff's RUF022 keeps it: CONSTANTS, then Classes, then functions
    def key(n: str) -> tuple[int, str]:
        return (0 if n.isupper() else 1 if n[0].isupper() else 2, n)

    assert exported == sorted(exported, key=key), f"{name}.__all__ is not sorted"
    assert len(set(exported)) == len(exported)
    for attr in exported:
        obj = getattr(mod, attr)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert obj.__doc__, f"{name}.{attr} has no docstring"
    assert mod.__doc__ and "Map of this package" in mod.__doc__


def test_core_errors_are_listed_and_typed() -> None:
    from astraweave.errors import _core

    for name in _core.__all__:
        cls = getattr(errors, name)
        assert issubclass(cls, errors.AstraweaveError)
        assert name in (_core.__doc__ or ""), f"{name} is missing from the tree"
    for name in (
        "UnknownToolError",
        "BadArgumentsError",
        "TargetOutOfBoundsError",
        "NoPathError",
        "NoLineOfSightError",
        "OnCooldownError",
        "InsufficientResourceError",
        "InvalidTargetError",
        "FriendlyTargetError",
        "OutOfRangeError",
        "PlanTooLongError",
    ):
        assert issubclass(getattr(errors, name), errors.ToolError)
    assert issubclass(errors.EntityInWallError, errors.ScenarioError)
    assert issubclass(errors.UnknownPlannerError, errors.PlannerError)
    assert errors.TargetOutOfBoundsError is not errors.OutOfBoundsError  # nav's is distinct
