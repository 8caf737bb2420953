"""Docs that run cannot drift: execute the Python blocks of the README and docs/."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re
import sys
import types
from pathlib import Path

import pytest

import astraweave

ROOT = Path(__file__).resolve().parents[1]
DOCS = [
    ROOT / "README.md",
    ROOT / "docs" / "ecs.md",
    ROOT / "docs" / "navigation.md",
    ROOT / "docs" / "physics.md",
    ROOT / "docs" / "ai-contract.md",
    ROOT / "docs" / "scenarios.md",
    ROOT / "docs" / "llm.md",
    ROOT / "docs" / "crowd.md",
    ROOT / "docs" / "testing.md",
]


def _blocks(path: Path) -> str:
    # top-level blocks only: an indented block inside a list item is a fragment
    return "\n".join(re.findall(r"^```python\n(.*?)^```", path.read_text(), flags=re.S | re.M))


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_python_blocks_run(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = _blocks(path)
    assert code.strip(), f"{path} has no python blocks"
    module = types.ModuleType(f"docs_{path.stem.replace('-', '_')}")
    sys.modules[module.__name__] = module
    try:
        exec(compile(code, str(path), "exec"), module.__dict__)
    finally:
        del sys.modules[module.__name__]


def _modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(astraweave.__path__, "astraweave."):
        if ".cli" in info.name:
            continue
        names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(module, name):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"
