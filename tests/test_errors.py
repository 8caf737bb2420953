import pickle

import pytest

import astraweave.errors as errors
from astraweave.errors import (
    AstraweaveError,
    DeadEntityError,
    EcsError,
    SystemCycleError,
    UsageError,
)


def test_every_error_derives_from_the_root() -> None:
    names = errors.__all__
    for name in names:
        cls = getattr(errors, name)
        assert issubclass(cls, AstraweaveError), name


def test_subsystem_bases_exist() -> None:
    for base in ("EcsError", "PhysicsError", "NavError", "ToolError", "ScenarioError", "LlmError"):
        assert issubclass(getattr(errors, base), AstraweaveError)
    assert issubclass(errors.StructuralChangeError, UsageError)
    assert not issubclass(errors.MissingComponentError, UsageError)


def test_context_attributes_hint_and_missing_context() -> None:
    err = DeadEntityError("gone", entity=5, index=5, generation=0, hint="respawn it")
    assert err.entity == 5 and err.context == {"entity": 5, "index": 5, "generation": 0}
    assert str(err) == "gone (hint: respawn it)"
    assert err.component is None  # undocumented context reads as None
    with pytest.raises(AttributeError):
        err.__nonexistent_dunder__


def test_errors_pickle_with_context() -> None:
    err = SystemCycleError("cycle", cycle=["a", "b"], stage="SIMULATION")
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is SystemCycleError and back.cycle == ["a", "b"] and str(back) == "cycle"
    assert isinstance(back, EcsError)


def test_docstring_draws_the_tree() -> None:
    doc = errors.__doc__ or ""
    for name in ("AstraweaveError", "EcsError", "DeadEntityError", "SnapshotError", "ToolError"):
        assert name in doc
