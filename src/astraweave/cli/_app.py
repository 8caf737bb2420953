"""The root typer application and the entry point."""

from __future__ import annotations

import typer
from rich.console import Console

import astraweave

__all__ = ["app", "bench_app", "console", "demo_app", "main"]

console = Console()

app = typer.Typer(
    name="astraweave",
    help="astraweave: an AI-native game engine for Python.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
bench_app = typer.Typer(help="Run benchmarks; each prints (and optionally writes) JSON.")
app.add_typer(bench_app, name="bench")
demo_app = typer.Typer(help="Runnable demos.", no_args_is_help=True)
app.add_typer(demo_app, name="demo")


def _version(value: bool) -> None:
    if value:
        console.print(f"astraweave {astraweave.__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """astraweave: an AI-native game engine for Python."""


def main() -> None:
    """Entry point of the ``astraweave`` console script."""
    app()
