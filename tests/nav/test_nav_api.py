"""The public surface of astraweave.nav: exports, errors, and docs that run."""

from __future__ import annotations

import importlib
import re
import sys
import types
from pathlib import Path

import pytest

import astraweave.errors as errors
import astraweave.nav as nav
from astraweave.errors import NavError, UsageError

DOC = Path(__file__).resolve().parents[2] / "docs" / "navigation.md"


def test_all_is_sorted_exported_and_documented() -> None:
    # isort order, as ruff keeps it: CONSTANTS, then Classes, then functions
    def key(name: str) -> tuple[int, str]:
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert nav.__all__ == sorted(nav.__all__, key=key)
    for name in nav.__all__:
        assert hasattr(nav, name), name
    assert nav.__doc__ and "_grid.py" in nav.__doc__
    for name in ("GridMap", "NavMesh", "FlowField", "path_length", "plugin", "NavAgent"):
        assert name in nav.__all__


def test_nav_errors_are_in_the_tree() -> None:
    names = importlib.import_module("astraweave.errors._nav").__all__
    assert names == sorted(names)
    usage = {"NavConfigError", "InvalidPolygonError", "UnknownAlgorithmError"}
    usage |= {"UnknownObstacleError"}
    for name in names:
        cls = getattr(errors, name)
        assert issubclass(cls, NavError), name
        assert issubclass(cls, UsageError) == (name in usage), name
        assert cls.__doc__


def test_errors_carry_context_and_pickle() -> None:
    import pickle

    err = errors.MapFormatError("bad", path="a.map", line=3, hint="fix it")
    again = pickle.loads(pickle.dumps(err))
    assert (again.path, again.line, str(again)) == ("a.map", 3, "bad (hint: fix it)")
    assert errors.BlockedCellError("x").point is None


def test_docs_python_blocks_run() -> None:
    if not DOC.is_file():
        pytest.skip("docs/navigation.md is absent")
    code = "\n".join(re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S))
    assert code.strip()
    module = types.ModuleType("docs_navigation")
    sys.modules[module.__name__] = module
    try:
        exec(compile(code, str(DOC), "exec"), module.__dict__)
    finally:
        del sys.modules[module.__name__]
