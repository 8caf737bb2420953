"""The Ray backend gives the same results as the local one (skipped without Ray)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from astraweave.eval import (
    InlineBackend,
    PlannerConfig,
    RayBackend,
    RunResult,
    make_tasks,
    select_scenarios,
)

pytestmark = pytest.mark.filterwarnings("ignore")


@pytest.fixture(scope="module")
def ray() -> Iterator[Any]:
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def test_ray_equals_local(ray: Any) -> None:
    tasks = make_tasks(
        select_scenarios(["combat_engage", "support_heal", "irrelevance_pizza"]),
        [PlannerConfig(name="rule")],
        seeds=2,
    )
    local: list[RunResult] = []
    InlineBackend().run(tasks, local.append)
    remote: list[RunResult] = []
    backend = RayBackend()
    backend.run(tasks, remote.append)
    backend.close()  # leaves the instance this test started running
    assert ray.is_initialized()
    assert len(remote) == len(tasks)
    assert {r.key(): r.deterministic() for r in remote} == {
        r.key(): r.deterministic() for r in local
    }
