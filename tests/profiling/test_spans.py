import json

import pytest

from astraweave.ecs import App, Stage, World
from astraweave.errors import ProfilingError
from astraweave.profiling import Profiler, current_profiler, machine_info, span


def test_spans_recorded_only_while_recording(tmp_path) -> None:  # type: ignore[no-untyped-def]
    prof = Profiler()
    with span("ignored"):
        pass
    with prof.recording():
        assert current_profiler() is prof
        with span("outer", n=1), span("inner"):
            pass
        prof.mark_frame()
        with pytest.raises(ProfilingError), Profiler().recording():
            pass
    assert current_profiler() is None
    assert [s.name for s in prof.spans] == ["inner", "outer"]
    assert prof.spans[1].args == {"n": 1}
    assert list(prof.totals_ms()) == ["outer", "inner"] or set(prof.totals_ms()) == {
        "outer",
        "inner",
    }
    path = prof.write_chrome_trace(tmp_path / "t" / "trace.json")
    doc = json.loads(path.read_text())
    phases = sorted(e["ph"] for e in doc["traceEvents"])
    assert phases == ["X", "X", "i"]


def test_scheduler_emits_a_span_per_system_and_tick() -> None:
    app = App()

    def work(world: World) -> None:
        pass

    app.add_system(work, stage=Stage.SIMULATION, name="work")
    prof = Profiler()
    with prof.recording():
        app.run(3)
    names = [s.name for s in prof.spans]
    assert names.count("work") == 3 and names.count("tick") == 3
    assert len(prof.frames) == 3


def test_machine_info_fields() -> None:
    info = machine_info()
    assert {"cpu", "cores", "memory_gb", "python", "numpy", "platform", "git"} <= set(info)
    assert info["cores"] >= 1
