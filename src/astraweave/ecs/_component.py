"""Component declaration: ``@component`` classes with typed fields.

A component is a small class whose annotated fields become columns of archetype
tables. Numeric fields (``float``, ``int``, ``bool``, numpy scalar types, or
``Annotated[NDArray[dtype], Shape(...)]`` for fixed-shape arrays) are stored in numpy
columns; any other annotation gives an object column (one Python object per entity).
"""

from __future__ import annotations

import dataclasses
import inspect
import sys
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, dataclass_transform, get_args, get_origin

import numpy as np
import numpy.typing as npt

from astraweave.errors import (
    ComponentShapeError,
    ComponentTypeError,
    UnknownComponentError,
)

__all__ = [
    "ComponentBatch",
    "ComponentInfo",
    "FieldSpec",
    "Shape",
    "columns",
    "component",
    "component_info",
    "is_component",
    "registered_components",
]

T = TypeVar("T")

_SCALARS: dict[Any, np.dtype[Any]] = {
    float: np.dtype(np.float64),
    int: np.dtype(np.int64),
    bool: np.dtype(np.bool_),
}
for _t in (
    np.float64,
    np.float32,
    np.float16,
    np.int64,
    np.int32,
    np.int16,
    np.int8,
    np.uint64,
    np.uint32,
    np.uint16,
    np.uint8,
    np.bool_,
):
    _SCALARS[_t] = np.dtype(_t)

_OBJECT = np.dtype(object)


@dataclass(frozen=True, slots=True)
class Shape:
    """Fixed per-entity shape of an array field, used inside ``Annotated``.

    Example:
        >>> from typing import Annotated
        >>> import numpy as np
        >>> from numpy.typing import NDArray
        >>> @component
        ... class Transform:
        ...     matrix: Annotated[NDArray[np.float64], Shape(4, 4)]
        >>> component_info(Transform).fields[0].shape
        (4, 4)
    """

    dims: tuple[int, ...]

    def __init__(self, *dims: int) -> None:
        if not dims or any(not isinstance(d, int) or d <= 0 for d in dims):
            raise ComponentShapeError(
                f"Shape needs positive integer dimensions, got {dims!r}",
                hint="write Shape(3) or Shape(4, 4)",
            )
        object.__setattr__(self, "dims", tuple(dims))


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of a component: its column dtype, per-entity shape and default."""

    name: str
    dtype: np.dtype[Any]
    shape: tuple[int, ...]
    default: Any

    @property
    def is_object(self) -> bool:
        """True when the column holds Python objects rather than numbers."""
        return self.dtype == _OBJECT


@dataclass(frozen=True, slots=True)
class ComponentInfo:
    """Storage layout of a component type (from :func:`component_info`)."""

    type: type
    name: str
    fields: tuple[FieldSpec, ...]

    @property
    def field_names(self) -> tuple[str, ...]:
        """Field names in declaration order."""
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> FieldSpec:
        """The spec of field ``name``.

        Raises:
            ComponentTypeError: the component has no such field.
        """
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise ComponentTypeError(
            f"component {self.name} has no field {name!r}; fields: {list(self.field_names)}",
            component=self.name,
            field=name,
        )


_REGISTRY: dict[str, ComponentInfo] = {}
_INFO_ATTR = "__astraweave_component__"


def _field_layout(cls: type, name: str, annotation: Any) -> tuple[np.dtype[Any], tuple[int, ...]]:
    if annotation in _SCALARS:
        return _SCALARS[annotation], ()
    if get_origin(annotation) is typing.Annotated:
        base, *meta = get_args(annotation)
        shapes = [m for m in meta if isinstance(m, Shape)]
        if shapes:
            dtype = _array_dtype(cls, name, base)
            return dtype, shapes[0].dims
        return _field_layout(cls, name, base)
    return _OBJECT, ()


def _array_dtype(cls: type, name: str, base: Any) -> np.dtype[Any]:
    if base in _SCALARS:
        return _SCALARS[base]
    # NDArray[np.float32] is np.ndarray[tuple[int, ...], np.dtype[np.float32]]
    for arg in get_args(base):
        for inner in get_args(arg):
            if inner in _SCALARS:
                return _SCALARS[inner]
    if base is np.ndarray or get_origin(base) is np.ndarray:
        return np.dtype(np.float64)
    raise ComponentTypeError(
        f"field {cls.__qualname__}.{name}: Shape(...) needs a numeric base type, got {base!r}",
        component=cls.__qualname__,
        field=name,
        hint="use Annotated[NDArray[np.float64], Shape(3)]",
    )


def _default_for(spec_dtype: np.dtype[Any], shape: tuple[int, ...]) -> Any:
    if spec_dtype == _OBJECT:
        return None
    if shape:
        return np.zeros(shape, dtype=spec_dtype)
    return spec_dtype.type(0).item()


@dataclass_transform()
def component(cls: type[T]) -> type[T]:
    """Declare ``cls`` as a component: a dataclass whose fields become table columns.

    Fields annotated ``float``/``int``/``bool``/numpy scalar types become numpy
    columns (float64/int64/bool by default); ``Annotated[NDArray[dtype], Shape(...)]``
    gives a fixed-shape array per entity; anything else gives an object column.
    Fields without a default get zero (numeric), zeros (arrays) or ``None`` (objects).
    A class with no fields is a tag. Components are registered by qualified name
    (``module.QualName``), which is how snapshots name them.

    Example:
        >>> @component
        ... class Health:
        ...     hp: float = 100.0
        ...     max_hp: float = 100.0
        >>> Health(hp=30.0)
        Health(hp=30.0, max_hp=100.0)
        >>> [f.dtype.name for f in component_info(Health).fields]
        ['float64', 'float64']
    """
    if not isinstance(cls, type):
        raise UnknownComponentError(f"@component decorates classes, got {cls!r}")
    try:
        hints = typing.get_type_hints(cls, include_extras=True)
    except NameError:
        # String annotations naming something local to the caller (a class declared
        # inside a function, or in a doctest): resolve them in the caller's scope.
        frame = sys._getframe(1)
        scope = {**frame.f_globals, **frame.f_locals}
        hints = typing.get_type_hints(cls, localns=scope, include_extras=True)
    own = [n for n in inspect.get_annotations(cls) if not n.startswith("_")]
    specs: list[FieldSpec] = []
    for fname in own:
        ann = hints[fname]
        if get_origin(ann) is typing.ClassVar:
            continue
        dtype, shape = _field_layout(cls, fname, ann)
        raw_default = cls.__dict__.get(fname, dataclasses.MISSING)
        if raw_default is dataclasses.MISSING:
            default = _default_for(dtype, shape)
            if shape:
                setattr(cls, fname, dataclasses.field(default_factory=_array_factory(default)))
            else:
                setattr(cls, fname, default)
        else:
            default = raw_default
            if isinstance(raw_default, np.ndarray):
                setattr(cls, fname, dataclasses.field(default_factory=_array_factory(raw_default)))
        specs.append(FieldSpec(fname, dtype, shape, default))
    new_cls = dataclasses.dataclass(cls, eq=False)
    name = f"{new_cls.__module__}.{new_cls.__qualname__}"
    info = ComponentInfo(new_cls, name, tuple(specs))
    setattr(new_cls, _INFO_ATTR, info)
    new_cls.__eq__ = _component_eq  # type: ignore[method-assign]  # array fields need elementwise comparison
    new_cls.__hash__ = None  # type: ignore[assignment]  # mutable value objects are unhashable
    _REGISTRY[name] = info
    return new_cls


def _array_factory(default: Any) -> Callable[[], Any]:
    template = np.array(default, copy=True)

    def make() -> Any:
        return template.copy()

    return make


def _component_eq(self: Any, other: object) -> Any:
    if type(self) is not type(other):
        return NotImplemented
    for spec in component_info(type(self)).fields:
        a, b = getattr(self, spec.name), getattr(other, spec.name)
        if spec.shape:
            if not np.array_equal(np.asarray(a), np.asarray(b)):
                return False
        elif a != b:
            return False
    return True


def is_component(obj: Any) -> bool:
    """True when ``obj`` is a ``@component`` class."""
    return isinstance(obj, type) and _INFO_ATTR in obj.__dict__


def component_info(cls: type) -> ComponentInfo:
    """The :class:`ComponentInfo` of a component class.

    Raises:
        UnknownComponentError: ``cls`` was not declared with ``@component``.
    """
    info = cls.__dict__.get(_INFO_ATTR) if isinstance(cls, type) else None
    if info is None:
        raise UnknownComponentError(
            f"{getattr(cls, '__qualname__', cls)!r} is not a component",
            component=getattr(cls, "__qualname__", repr(cls)),
            hint="decorate the class with @astraweave.ecs.component",
        )
    return typing.cast(ComponentInfo, info)


def registered_components() -> Mapping[str, ComponentInfo]:
    """Every component class declared so far, by qualified name (read-only view)."""
    return types.MappingProxyType(_REGISTRY)


def lookup_component(name: str) -> ComponentInfo | None:
    """The registered component called ``name`` (``module.QualName``), or ``None``."""
    return _REGISTRY.get(name)


@dataclass(frozen=True, slots=True, eq=False)
class ComponentBatch:
    """Per-entity column data for :meth:`World.spawn_batch` (see :func:`columns`)."""

    info: ComponentInfo
    data: dict[str, Any]


def columns(cls: type, **fields: npt.ArrayLike | Any) -> ComponentBatch:
    """Column data for ``spawn_batch``/``insert_batch``: one value per entity per field.

    Fields not given take the component's default for every entity; a scalar is
    broadcast. Lengths are checked against the batch size when it is used.

    Example:
        >>> import numpy as np
        >>> @component
        ... class Mass:
        ...     kg: float = 1.0
        >>> b = columns(Mass, kg=np.arange(3.0))
        >>> b.data["kg"].tolist()
        [0.0, 1.0, 2.0]
    """
    info = component_info(cls)
    for key in fields:
        info.field(key)
    return ComponentBatch(info, dict(fields))


def coerce_scalar(info: ComponentInfo, spec: FieldSpec, value: Any, entity: Any = None) -> Any:
    """Check one field value against its spec and return it as stored.

    Raises:
        ComponentTypeError: the value cannot be stored in the column without loss.
        ComponentShapeError: an array value has the wrong shape.
    """
    if spec.is_object:
        return value
    arr = np.asarray(value)
    if arr.dtype == _OBJECT or not _castable(arr.dtype, spec.dtype):
        raise ComponentTypeError(
            f"{info.name}.{spec.name} holds {spec.dtype.name}, got {type(value).__name__} "
            f"({arr.dtype.name}) {value!r:.60}",
            component=info.name,
            field=spec.name,
            entity=entity,
        )
    if arr.shape != spec.shape:
        raise ComponentShapeError(
            f"{info.name}.{spec.name} has shape {spec.shape}, got {arr.shape}",
            component=info.name,
            field=spec.name,
            entity=entity,
        )
    return arr


def _castable(src: np.dtype[Any], dst: np.dtype[Any]) -> bool:
    if src == dst:
        return True
    if src.kind in "US" or dst.kind in "US":
        return False
    return bool(np.can_cast(src, dst, casting="same_kind"))
