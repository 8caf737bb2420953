"""The App: a world, a schedule, plugins and the fixed-step tick loop."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Any

from astraweave.ecs._schedule import Schedule, Stage, SystemFn, SystemSpec
from astraweave.ecs._world import DEFAULT_DT, World
from astraweave.errors import PluginError
from astraweave.profiling import current_profiler, span

__all__ = ["App", "Plugin"]

Plugin = Callable[..., None]
"""A plugin is a function ``fn(app, **config)`` that registers systems and resources."""


class App:
    """Owns a :class:`World` and a :class:`Schedule` and runs fixed-step ticks.

    Args:
        seed: seed of the world's RNG.
        dt: fixed time step in seconds (default 1/60).
        threads: worker threads for systems that may run in parallel; 1 (default)
            runs everything sequentially. Results are bit-identical either way.
        world: an existing world to drive instead of a new one.

    Example:
        >>> from astraweave.ecs import App, Position, Velocity, Stage
        >>> app = App(seed=1)
        >>> e = app.world.spawn(Position(0.0, 0.0), Velocity(1.0, 0.0))
        >>> def integrate(world):
        ...     for c in world.query(Position, Velocity):
        ...         c[Position].x += c[Velocity].x * world.dt
        >>> _ = app.add_system(integrate, stage=Stage.PHYSICS, reads=[Velocity], writes=[Position])
        >>> app.run(60)
        >>> round(app.world.get(e, Position).x, 6), app.world.tick
        (1.0, 60)
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        dt: float = DEFAULT_DT,
        threads: int = 1,
        world: World | None = None,
    ) -> None:
        if not isinstance(threads, int) or threads < 1:
            raise PluginError(f"threads must be an int >= 1, got {threads!r}")
        self.world = world if world is not None else World(seed=seed, dt=dt)
        self.schedule = Schedule()
        self.threads = threads
        self._pool: ThreadPoolExecutor | None = None
        self._plugins: list[Plugin] = []

    # ------------------------------------------------------------- registration
    def add_system(
        self,
        fn: SystemFn,
        *,
        stage: Stage | str | int,
        reads: Iterable[Any] = (),
        writes: Iterable[Any] = (),
        after: Iterable[str] = (),
        before: Iterable[str] = (),
        name: str | None = None,
    ) -> SystemSpec:
        """Register a system ``fn(world)`` in ``stage``.

        Args:
            fn: the system; it mutates component columns in place and records
                structural changes with ``world.commands()``.
            stage: a :class:`Stage`, its name, or its number.
            reads: components/resources (types or names) the system reads.
            writes: those it modifies (writes imply reads; do not list them twice).
                A system with neither is exclusive and never runs in parallel.
            after / before: names of systems of the same stage to order against.
            name: unique name (default ``module.qualname`` of ``fn``).

        Raises:
            UnknownStageError, DuplicateSystemError, SystemConflictError.
        """
        return self.schedule.add(
            fn, stage=stage, reads=reads, writes=writes, after=after, before=before, name=name
        )

    def add_plugin(self, plugin: Plugin, /, **config: Any) -> App:
        """Call ``plugin(self, **config)`` once; adding the same plugin again is a no-op.

        Raises:
            PluginError: ``plugin`` is not callable.
        """
        if not callable(plugin):
            raise PluginError(f"a plugin is a function fn(app, **config), got {plugin!r}")
        if plugin in self._plugins:
            return self
        self._plugins.append(plugin)
        plugin(self, **config)
        return self

    def has_plugin(self, plugin: Plugin) -> bool:
        """True when ``plugin`` was added."""
        return plugin in self._plugins

    # ------------------------------------------------------------------ running
    def _executor(self) -> ThreadPoolExecutor | None:
        if self.threads == 1:
            return None
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="astraweave")
        return self._pool

    def tick(self) -> None:
        """Run one fixed step: every stage in order, each ending at its sync point."""
        world = self.world
        world._events.drop_before(world.tick - 1)
        pool = self._executor()
        with span("tick", tick=world.tick):
            for stage in Stage:
                self.schedule.run_stage(world, stage, pool)
        world.tick += 1
        prof = current_profiler()
        if prof is not None:
            prof.mark_frame()

    def run(self, ticks: int) -> None:
        """Run ``ticks`` fixed steps."""
        for _ in range(int(ticks)):
            self.tick()

    def close(self) -> None:
        """Shut down the thread pool (if any)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def __enter__(self) -> App:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
