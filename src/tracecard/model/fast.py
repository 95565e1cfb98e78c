"""Constructors for frozen, slotted dataclasses that cost half their own `__init__`.

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
from typing import Any, TypeVar

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
