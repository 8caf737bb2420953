"""Shared test configuration: hermetic environment, the shared data folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Local runs explore new random examples every time; CI (CI=true) replays a fixed
# derandomized set so that a submission's result does not depend on luck.
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=bool(os.environ.get("CI")),
)
settings.load_profile("ci")

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def _hermetic_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clear variables that could make tests reach outside (proxies, API keys)."""
    for key in list(os.environ):
        if key.endswith("_PROXY") or key.endswith("_proxy") or key.startswith("OPENAI_"):
            monkeypatch.delenv(key, raising=False)


@pytest.fixture()
def shared_dir() -> Path:
    """``../shared`` beside the repository; tests using it skip where it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is absent (a fresh clone has no shared benchmark data)")
    return SHARED
