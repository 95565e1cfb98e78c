"""What a run makes and reads by the ten thousand, made cheaper: constructors for frozen,
slotted dataclasses that cost half their own `__init__`, and `once`, a property kept after its
first read.

A frozen dataclass's `__init__` sets each field through `object.__setattr__` (its own
`__setattr__` refuses): a call per field. `constructor(cls)` writes a function that takes the
same arguments, with the same defaults, and sets each slot through its descriptor instead,
the way `dataclasses` writes `__init__`. The object made is the same (same fields, equal,
same hash, still frozen). Used for what a run makes by the ten thousand: headings, links,
gate rows. Not for a class with `__post_init__` or a default factory (refused).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, fields, is_dataclass
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


def constructor(cls: type[T]) -> Callable[..., T]:
    if not is_dataclass(cls) or "__slots__" not in cls.__dict__ or hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: not a slotted dataclass without __post_init__")
    scope: dict[str, Any] = {"new": object.__new__, "cls": cls}
    params: list[str] = []
    body: list[str] = []
    for f in fields(cls):
        if f.default_factory is not MISSING:
            raise TypeError(f"{cls.__name__}.{f.name}: a default factory is not supported")
        if f.default is MISSING:
            params.append(f.name)
        else:
            scope[f"default_{f.name}"] = f.default
            params.append(f"{f.name}=default_{f.name}")
        scope[f"set_{f.name}"] = getattr(cls, f.name).__set__
        body.append(f"    set_{f.name}(obj, {f.name})")
    source = "\n".join([f"def make({', '.join(params)}):", "    obj = new(cls)", *body,
                        "    return obj"])  # fmt: skip
    exec(source, scope)  # (as dataclasses writes __init__)
    make: Callable[..., T] = scope["make"]
    make.__qualname__ = f"constructor({cls.__qualname__})"
    return make


class once(Generic[T]):
    """A property worked out on first read and kept in the instance's `__dict__` (later reads
    do not call it): `functools.cached_property` without its lock, which costs a microsecond
    and more on each first read in Python 3.11 - more than a plain property saves when every
    record is read a few times. For values that do not change once the object is made."""

    def __init__(self, fn: Callable[[Any], T]) -> None:
        self.fn = fn
        self.name = fn.__name__
        self.__doc__ = fn.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> once[T]: ...

    @overload
    def __get__(self, obj: object, owner: type | None = None) -> T: ...

    def __get__(self, obj: object, owner: type | None = None) -> T | once[T]:
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.fn(obj)
        return value
