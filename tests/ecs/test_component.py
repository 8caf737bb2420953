from typing import Annotated, ClassVar

import numpy as np
import pytest
from numpy.typing import NDArray

from astraweave.ecs import (
    Shape,
    World,
    columns,
    component,
    component_info,
    is_component,
    registered_components,
)
from astraweave.errors import (
    ComponentShapeError,
    ComponentTypeError,
    UnknownComponentError,
)


@component
class Stats:
    hp: float = 100.0
    level: int = 1
    alive: bool = True
    small: np.float32 = np.float32(0.5)
    KIND: ClassVar[str] = "stats"


@component
class Mat:
    m: Annotated[NDArray[np.float32], Shape(2, 2)]


@component
class Label:
    text: str = ""
    tags: tuple[str, ...] = ()


@component
class Marker:
    pass


def test_field_layout() -> None:
    info = component_info(Stats)
    assert [(f.name, f.dtype.name, f.shape) for f in info.fields] == [
        ("hp", "float64", ()),
        ("level", "int64", ()),
        ("alive", "bool", ()),
        ("small", "float32", ()),
    ]
    assert component_info(Mat).fields[0].dtype.name == "float32"
    assert component_info(Mat).fields[0].shape == (2, 2)
    assert component_info(Label).fields[0].is_object
    assert component_info(Marker).fields == ()
    assert info.name.endswith("test_component.Stats")
    assert registered_components()[info.name] is info
    assert is_component(Stats) and not is_component(int) and not is_component(Stats())


def test_defaults_and_equality() -> None:
    a = Mat()
    b = Mat()
    assert np.array_equal(a.m, np.zeros((2, 2)))
    a.m[0, 0] = 1.0
    assert b.m[0, 0] == 0.0  # array defaults are not shared
    assert Mat(np.eye(2, dtype=np.float32)) == Mat(np.eye(2, dtype=np.float32))
    assert Stats() != Stats(hp=5.0)
    assert Stats().__eq__(3) is NotImplemented


def test_shape_needs_positive_dims() -> None:
    with pytest.raises(ComponentShapeError):
        Shape(0)
    with pytest.raises(ComponentShapeError):
        Shape()


def test_shape_on_non_numeric_base_is_an_error() -> None:
    with pytest.raises(ComponentTypeError, match="numeric base"):

        @component
        class Bad:
            x: Annotated[str, Shape(3)]


def test_component_decorator_rejects_non_classes() -> None:
    with pytest.raises(UnknownComponentError):
        component(3)  # type: ignore[type-var]


def test_unknown_component_in_spawn_and_query() -> None:
    class Plain:
        pass

    world = World()
    with pytest.raises(UnknownComponentError, match="Plain is not a component") as info:
        world.spawn(Plain())
    assert "@astraweave.ecs.component" in str(info.value)
    with pytest.raises(UnknownComponentError):
        world.query(Plain)
    with pytest.raises(UnknownComponentError, match="instance"):
        world.spawn(Stats)
    assert world.entity_count() == 0


def test_wrong_dtype_and_shape_on_insert_leave_world_unchanged() -> None:
    world = World()
    e = world.spawn(Stats())
    before = world.hash()
    with pytest.raises(ComponentTypeError, match="level holds int64, got float") as info:
        world.insert(e, Label("x"), Stats(level=1.5))  # type: ignore[arg-type]
    assert info.value.field == "level"
    with pytest.raises(ComponentTypeError):
        world.insert(e, Stats(hp="lots"))  # type: ignore[arg-type]
    with pytest.raises(ComponentShapeError, match=r"shape \(2, 2\), got \(3,\)"):
        world.insert(e, Mat(np.zeros(3, dtype=np.float32)))
    with pytest.raises(ComponentTypeError, match="given twice"):
        world.insert(e, Label("a"), Label("b"))
    assert world.hash() == before
    assert world.components_of(e) == (Stats,)


def test_columns_batch_validation() -> None:
    world = World()
    with pytest.raises(ComponentTypeError, match="no field 'hpp'"):
        columns(Stats, hpp=[1.0])
    with pytest.raises(ComponentShapeError, match="expected"):
        world.spawn_batch(3, columns(Stats, hp=np.zeros(2)))
    with pytest.raises(ComponentTypeError, match="column of"):
        world.spawn_batch(2, columns(Stats, level=np.array([1.5, 2.5])))
    with pytest.raises(ComponentShapeError):
        world.spawn_batch(-1, Stats())
    assert world.entity_count() == 0
    ids = world.spawn_batch(3, columns(Stats, hp=[1, 2, 3], level=7), Label("z"))
    assert world.get(int(ids[1]), Stats) == Stats(hp=2.0, level=7)
    assert world.get(int(ids[2]), Label).text == "z"


def test_object_columns_hold_any_python_object() -> None:
    world = World()
    e = world.spawn(Label("hello", ("a", "b")))
    assert world.get(e, Label) == Label("hello", ("a", "b"))
    ids = world.spawn_batch(2, columns(Label, text=["p", "q"]))
    assert [world.get(int(i), Label).text for i in ids] == ["p", "q"]
