"""Where runs execute.

=====================  ======================================================================
backend                how
=====================  ======================================================================
:class:`InlineBackend` in this process, one run after another (``--workers 0``; debugging).
                       The per-run timeout uses ``SIGALRM`` when called from the main thread
                       of a Unix process, and is not enforced otherwise.
:class:`LocalBackend`  a pool of worker processes (``--workers N``, default start method
                       ``forkserver`` with the harness preloaded). Each worker runs one task
                       at a time; a task that exceeds its ``timeout_s`` has its worker killed
                       and replaced (``failed: timeout``); a worker that dies (segfault,
                       ``os._exit``) fails its task (``failed: worker died``) and is replaced.
:class:`RayBackend`    the same :func:`run_one` as Ray tasks (``--backend ray [--address
                       ADDR]``; extra ``dist``). At most ``workers`` tasks are in flight (the
                       cluster's CPUs by default) so a task's wall time is its run time; one
                       that exceeds ``timeout_s`` is cancelled (``failed: timeout``).
=====================  ======================================================================

Tasks and results cross process boundaries as JSON, so every backend returns the
same bytes for the same task (apart from wall-clock metadata).
"""

from __future__ import annotations

import multiprocessing as mp
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from types import FrameType
from typing import Any, Protocol

from astraweave.errors import BackendError, BackendMissingError, EvalConfigError
from astraweave.eval._runner import RunResult, RunTask, run_one

__all__ = [
    "RAY_INSTALL",
    "Backend",
    "InlineBackend",
    "LocalBackend",
    "RayBackend",
    "make_backend",
]

RAY_INSTALL = "pip install 'astraweave[dist]'  (or: pip install 'ray>=2.9')"
"""The install command printed when Ray is missing."""

OnResult = Callable[[RunResult], None]


class Backend(Protocol):
    """Runs tasks and reports each result as it arrives."""

    name: str

    def run(self, tasks: Sequence[RunTask], on_result: OnResult) -> None:
        """Run every task; call ``on_result`` once per task (in completion order)."""
        ...  # pragma: no cover

    def close(self) -> None:
        """Release workers and connections."""
        ...  # pragma: no cover


class _RunTimeout(BaseException):
    """Raised inside an inline run by the alarm (a BaseException, so that
    :func:`run_one`'s crash handler does not take it for a planner crash)."""


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def _ring(signum: int, frame: FrameType | None) -> None:
        raise _RunTimeout

    old = signal.signal(signal.SIGALRM, _ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


class InlineBackend:
    """Runs tasks in this process, in order (see the module docstring).

    Example:
        >>> from astraweave.eval import PlannerConfig, make_tasks, select_scenarios
        >>> tasks = make_tasks(select_scenarios(["irrelevance_pizza"]),
        ...                    [PlannerConfig(name="rule")])
        >>> got = []
        >>> InlineBackend().run(tasks, got.append)
        >>> [r.status for r in got]
        ['ok']
    """

    name = "inline"

    def run(self, tasks: Sequence[RunTask], on_result: OnResult) -> None:
        """Run every task here; see :class:`Backend`."""
        for task in tasks:
            t0 = time.perf_counter()
            try:
                with _alarm(task.timeout_s):
                    result = run_one(task)
            except _RunTimeout:
                result = RunResult.failed(
                    task, f"timeout after {task.timeout_s:g} s", wall_s=time.perf_counter() - t0
                )
            on_result(result)

    def close(self) -> None:
        """Nothing to release."""


def _worker_main(conn: Connection) -> None:
    """A pool worker: run task JSON from ``conn`` until ``None`` arrives."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            msg = conn.recv()
        except EOFError:
            return
        if msg is None:
            return
        result = run_one(RunTask.model_validate_json(msg))
        conn.send(result.model_dump_json())


@dataclass
class _Worker:
    proc: Any
    conn: Connection
    task: RunTask | None = None
    started: float = 0.0


class LocalBackend:
    """A pool of worker processes with per-run timeouts (see the module docstring).

    Args:
        workers: how many processes (at least 1).
        start_method: ``forkserver`` (default), ``spawn`` or ``fork``.

    Raises:
        EvalConfigError: ``workers`` below 1 or an unknown start method.
    """

    name = "local"

    def __init__(self, workers: int = 2, *, start_method: str = "forkserver") -> None:
        if workers < 1:
            raise EvalConfigError(
                f"--workers must be at least 1, got {workers}", option="--workers"
            )
        if start_method not in mp.get_all_start_methods():
            raise EvalConfigError(
                f"start method {start_method!r} is not available here; "
                f"available: {mp.get_all_start_methods()}",
                option="start_method",
            )
        self.workers = workers
        self._ctx = mp.get_context(start_method)
        if start_method == "forkserver":
            self._ctx.set_forkserver_preload(["astraweave.eval._backends"])
        self._pool: list[_Worker] = []

    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(  # type: ignore[attr-defined]  # context-specific Process
            target=_worker_main, args=(child,), daemon=True, name="astraweave-eval"
        )
        proc.start()
        child.close()
        return _Worker(proc, parent)

    def _retire(self, w: _Worker, *, kill: bool) -> None:
        if kill:
            w.proc.kill()
        else:
            try:
                w.conn.send(None)
            except (BrokenPipeError, OSError):
                w.proc.kill()
        w.proc.join(timeout=5)
        if w.proc.is_alive():  # pragma: no cover  (a worker ignoring the stop message)
            w.proc.kill()
            w.proc.join()
        w.conn.close()
        w.proc.close()

    def run(self, tasks: Sequence[RunTask], on_result: OnResult) -> None:
        """Run every task on the pool; see :class:`Backend`.

        Raises:
            BackendError: a worker process cannot be started.
        """
        queue = deque(tasks)
        try:
            while len(self._pool) < min(self.workers, max(1, len(queue))):
                self._pool.append(self._spawn())
        except OSError as exc:
            raise BackendError(f"cannot start a worker process: {exc}", backend="local") from exc
        try:
            self._loop(queue, on_result)
        finally:
            self.close()

    def _loop(self, queue: deque[RunTask], on_result: OnResult) -> None:
        while True:
            for w in self._pool:
                if w.task is None and queue:
                    w.task = queue.popleft()
                    w.started = time.monotonic()
                    w.conn.send(w.task.model_dump_json())
            busy = [w for w in self._pool if w.task is not None]
            if not busy:
                return
            now = time.monotonic()
            nearest = min(w.started + w.task.timeout_s for w in busy if w.task is not None)
            ready = wait([w.conn for w in busy], timeout=max(0.0, nearest - now))
            for w in busy:
                task = w.task
                if task is None:
                    continue
                if w.conn in ready:
                    try:
                        text = w.conn.recv()
                    except (EOFError, OSError):
                        code = w.proc.exitcode
                        self._replace(w, kill=True)
                        on_result(
                            RunResult.failed(
                                task,
                                f"worker died (exit code {code})",
                                wall_s=time.monotonic() - w.started,
                            )
                        )
                        continue
                    w.task = None
                    on_result(RunResult.model_validate_json(text))
                elif time.monotonic() - w.started > task.timeout_s:
                    self._replace(w, kill=True)
                    on_result(
                        RunResult.failed(
                            task,
                            f"timeout after {task.timeout_s:g} s",
                            wall_s=time.monotonic() - w.started,
                        )
                    )

    def _replace(self, w: _Worker, *, kill: bool) -> None:
        index = self._pool.index(w)
        self._retire(w, kill=kill)
        self._pool[index] = self._spawn()

    def close(self) -> None:
        """Stop every worker."""
        pool, self._pool = self._pool, []
        for w in pool:
            self._retire(w, kill=w.task is not None)


def _ray_run(task_json: str) -> str:
    """The Ray task: one run, JSON in and out."""
    return run_one(RunTask.model_validate_json(task_json)).model_dump_json()


def _import_ray() -> Any:
    try:
        import ray  # type: ignore[import-not-found, unused-ignore]  # optional extra 'dist'
    except ImportError as exc:
        raise BackendMissingError(
            "the Ray backend needs the 'ray' package, which is not installed",
            package="ray",
            hint=RAY_INSTALL,
        ) from exc
    return ray


class RayBackend:
    """Runs tasks as Ray tasks (see the module docstring).

    Args:
        address: a running cluster (``ray://host:10001``, ``host:6379`` or
            ``auto``); ``None`` starts (or reuses) a local Ray instance.
        workers: tasks in flight at once (default: the cluster's CPUs).

    Raises:
        BackendMissingError: Ray is not installed (the hint is the install command).
        BackendError: the cluster cannot be reached.
    """

    name = "ray"

    def __init__(self, address: str | None = None, *, workers: int | None = None) -> None:
        ray = _import_ray()
        self._ray = ray
        self._started = False
        if not ray.is_initialized():
            kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
            if address is None and workers is not None:
                kwargs["num_cpus"] = workers
            try:
                ray.init(address=address, **kwargs)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise BackendError(
                    f"cannot start or reach Ray at {address or 'a new local instance'}: {exc}",
                    backend="ray",
                ) from exc
            self._started = True
        cpus = int(ray.cluster_resources().get("CPU", 1))
        self.workers = max(1, workers if workers is not None else cpus)
        self._remote = ray.remote(num_cpus=1, max_retries=0)(_ray_run)

    def run(self, tasks: Sequence[RunTask], on_result: OnResult) -> None:
        """Run every task on Ray; see :class:`Backend`."""
        ray = self._ray
        queue = deque(tasks)
        flight: dict[Any, tuple[RunTask, float]] = {}
        while queue or flight:
            while queue and len(flight) < self.workers:
                task = queue.popleft()
                flight[self._remote.remote(task.model_dump_json())] = (task, time.monotonic())
            now = time.monotonic()
            nearest = min(start + task.timeout_s for task, start in flight.values())
            ready, _ = ray.wait(list(flight), num_returns=1, timeout=max(0.0, nearest - now))
            for ref in ready:
                task, start = flight.pop(ref)
                try:
                    text = ray.get(ref)
                except ray.exceptions.RayError as exc:
                    on_result(
                        RunResult.failed(
                            task, f"ray task failed: {exc}", wall_s=time.monotonic() - start
                        )
                    )
                    continue
                on_result(RunResult.model_validate_json(text))
            now = time.monotonic()
            for ref, (task, start) in list(flight.items()):
                if now - start > task.timeout_s:
                    ray.cancel(ref, force=True)
                    flight.pop(ref)
                    on_result(
                        RunResult.failed(
                            task, f"timeout after {task.timeout_s:g} s", wall_s=now - start
                        )
                    )

    def close(self) -> None:
        """Shut down the Ray instance this backend started (a cluster it joined, or
        one started by the caller, is left running)."""
        if self._started:
            self._ray.shutdown()
            self._started = False


def make_backend(kind: str = "local", *, workers: int = 2, address: str | None = None) -> Backend:
    """The backend ``kind`` (``local``, ``ray`` or ``inline``).

    ``local`` with ``workers=0`` is the inline backend.

    Raises:
        EvalConfigError: unknown kind, or ``--address`` without Ray.
        BackendMissingError: Ray is not installed.

    Example:
        >>> make_backend("local", workers=0).name
        'inline'
    """
    if kind not in ("local", "ray", "inline"):
        raise EvalConfigError(
            f"unknown backend {kind!r}; backends: local, ray, inline", option="--backend"
        )
    if address is not None and kind != "ray":
        raise EvalConfigError("--address needs --backend ray", option="--address", value=address)
    if kind == "ray":
        return RayBackend(address, workers=workers or None)
    if kind == "inline" or workers == 0:
        return InlineBackend()
    return LocalBackend(workers)
