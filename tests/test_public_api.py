import importlib
import subprocess
import sys

import pytest

PACKAGES = [
    "astraweave",
    "astraweave.ai",
    "astraweave.core",
    "astraweave.ecs",
    "astraweave.errors",
    "astraweave.eval",
    "astraweave.llm",
    "astraweave.nav",
    "astraweave.physics",
    "astraweave.profiling",
    "astraweave.testing",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_every_public_name_is_exported_and_importable(name: str) -> None:
    mod = importlib.import_module(name)
    exported = list(mod.__all__)
    assert len(set(exported)) == len(exported), f"{name}.__all__ has duplicates"
    for attr in exported:
        assert hasattr(mod, attr), f"{name}.{attr} is listed but missing"
    assert mod.__doc__, f"{name} has no docstring"


def test_import_is_cheap_and_inert() -> None:
    code = (
        "import sys, threading; import astraweave, astraweave.ecs, astraweave.errors;"
        "print(threading.active_count());"
        "heavy = ('pymunk', 'openai', 'torch', 'typer', 'PIL');"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    threads, heavy = out.stdout.strip().splitlines()
    assert threads == "1"
    assert heavy == "[]"
