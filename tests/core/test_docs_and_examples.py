"""Docs that run cannot drift: the Python blocks of the AI-contract docs, the examples."""

from __future__ import annotations

import re
import runpy
import sys
import types
from pathlib import Path

import pytest

from astraweave import core

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["ai-contract.md", "scenarios.md"])
def test_python_blocks_run(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path = ROOT / "docs" / name
    code = "\n".join(re.findall(r"```python\n(.*?)```", path.read_text(), flags=re.S))
    assert code.strip()
    monkeypatch.chdir(ROOT)
    module = types.ModuleType(f"docs_{path.stem.replace('-', '_')}")
    sys.modules[module.__name__] = module
    try:
        exec(compile(code, str(path), "exec"), module.__dict__)
    finally:
        del sys.modules[module.__name__]


def test_the_toml_example_of_the_scenario_docs_loads() -> None:
    text = (ROOT / "docs" / "scenarios.md").read_text().split("```toml\n")[1].split("```")[0]
    assert core.load_scenario(text).name == "tiny_raid"


def test_the_example_script_runs(capsys: pytest.CaptureFixture[str]) -> None:
    ns = runpy.run_path(str(ROOT / "examples" / "ai_loop.py"))
    assert ns["main"](ticks=120) in ("running", "success", "failure")
    out = capsys.readouterr().out
    assert "rejected: FriendlyTargetError" in out and "rejected: UnknownToolError" in out


def test_the_example_copy_of_the_demo_scenario_is_the_builtin_one() -> None:
    copy = (ROOT / "examples" / "scenarios" / "hello_companion.toml").read_text()
    assert copy == core.builtin_scenario().text
