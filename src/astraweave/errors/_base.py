"""The root of the exception tree and the context every error carries."""

from __future__ import annotations

from typing import Any

__all__ = ["AstraweaveError", "UsageError"]


class AstraweaveError(Exception):
    """Root of every error astraweave raises on purpose.

    Args:
        message: what went wrong, where, and (when known) how to fix it.
        hint: an optional remedy, appended to the message as ``(hint: ...)``.
        **context: attributes that locate the problem (``entity``, ``component``,
            ``system``, ``tool``, ``step``, ``tick``, ``path``, ``line``, ...). Each
            becomes an attribute of the exception and is listed in ``context``.

    Example:
        >>> err = AstraweaveError("boom", entity=3, hint="try again")
        >>> err.entity, str(err)
        (3, 'boom (hint: try again)')
    """

    def __init__(self, message: str, *, hint: str | None = None, **context: Any) -> None:
        self.message = message
        self.hint = hint
        self.context: dict[str, Any] = dict(context)
        for key, value in context.items():
            setattr(self, key, value)
        super().__init__(message if hint is None else f"{message} (hint: {hint})")

    def __getattr__(self, name: str) -> Any:
        # Context keys that a subclass documents but this instance did not receive
        # read as None instead of raising AttributeError.
        if name.startswith("__"):
            raise AttributeError(name)
        return None

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.message, self.hint, self.context))


def _rebuild(
    cls: type[AstraweaveError], message: str, hint: str | None, context: dict[str, Any]
) -> AstraweaveError:
    err = cls.__new__(cls)
    AstraweaveError.__init__(err, message, hint=hint, **context)
    return err


class UsageError(AstraweaveError):
    """Mixin marking misuse of the API (a programming error), as opposed to a
    runtime condition of the game (no path, on cooldown) that a caller handles."""
