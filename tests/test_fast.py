"""tracecard.model.fast: a constructor through the slots makes the object __init__ makes."""

from __future__ import annotations

import dataclasses

import pytest

from tracecard.gate.judge import Flag, Row, Verdict
from tracecard.load.parse import Body, BodyLink, Heading
from tracecard.model.fast import constructor
from tracecard.model.metrics import Direction


@pytest.mark.parametrize(("cls", "args", "kwargs"), [
    (Heading, (2, "Context", 7), {}),
    (BodyLink, ("../x.md", 3, 9), {}),
    (Body, ((Heading(1, "T", 1),), ((2, "text"),), (), (4,), ((1, "T"),)), {}),
    (Body, ((), (), ()), {}),  # defaults
    (Row, (), dict(metric="fpr", dataset="DS-x", split=None, slice=None, launch=0.1,
                   target=None, actual=0.05, ci=(0.04, 0.06), direction=Direction.LOWER,
                   verdict=Verdict.PASS, flags=frozenset({Flag.BAD_CI}), requirement="REQ-1")),
])  # fmt: skip
def test_the_same_object_as_init_makes(cls: type, args: tuple, kwargs: dict) -> None:
    made, expected = constructor(cls)(*args, **kwargs), cls(*args, **kwargs)
    assert type(made) is cls
    assert made == expected and hash(made) == hash(expected) and repr(made) == repr(expected)
    with pytest.raises(dataclasses.FrozenInstanceError):  # still frozen
        setattr(made, dataclasses.fields(cls)[0].name, None)


def test_refuses_what_it_cannot_build_the_same() -> None:
    @dataclasses.dataclass
    class Plain:
        x: int

    @dataclasses.dataclass(slots=True)
    class Factory:
        xs: list[int] = dataclasses.field(default_factory=list)

    for cls in (Plain, Factory):
        with pytest.raises(TypeError):
            constructor(cls)


def test_once_reads_once_and_keeps_the_value_in_the_instance() -> None:
    from tracecard.model.fast import once

    calls: list[int] = []

    @dataclasses.dataclass(frozen=True)
    class Box:
        n: int

        @once
        def doubled(self) -> int:
            """Twice n."""
            calls.append(self.n)
            return self.n * 2

    a, b = Box(2), Box(3)
    assert (a.doubled, a.doubled, b.doubled) == (4, 4, 6)
    assert calls == [2, 3] and a.__dict__["doubled"] == 4
    assert Box.doubled.__doc__ == "Twice n."
