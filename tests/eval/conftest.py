from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = str(Path(__file__).resolve().parent)


@pytest.fixture(autouse=True, scope="session")
def _test_planners() -> None:
    """Make ``eval_test_planners`` importable here and in worker processes."""
    if HERE not in sys.path:
        sys.path.insert(0, HERE)
    import eval_test_planners  # noqa: F401  (registers the test planners)
