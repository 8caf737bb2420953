"""Built-in scenarios shipped with the package (``core/scenarios/*.toml``)."""

from __future__ import annotations

from importlib import resources

from astraweave.core._scenario import Scenario, load_scenario
from astraweave.errors import ScenarioError

__all__ = ["builtin_scenario", "builtin_scenarios"]


def builtin_scenarios() -> list[str]:
    """Names of the built-in scenarios, sorted.

    Example:
        >>> "hello_companion" in builtin_scenarios()
        True
    """
    folder = resources.files("astraweave.core") / "scenarios"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def builtin_scenario(name: str = "hello_companion", **kwargs: object) -> Scenario:
    """Load built-in scenario ``name`` (keyword arguments go to :func:`load_scenario`).

    Raises:
        ScenarioError: no built-in scenario has that name.
    """
    if name not in builtin_scenarios():
        raise ScenarioError(
            f"no built-in scenario {name!r}; available: {', '.join(builtin_scenarios())}",
            name=name,
        )
    res = resources.files("astraweave.core") / "scenarios" / f"{name}.toml"
    text = res.read_text(encoding="utf-8")
    sc = load_scenario(text, **kwargs)  # type: ignore[arg-type]  # forwarded keywords
    sc.path = f"<builtin>/{name}.toml"
    return sc
