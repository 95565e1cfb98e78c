"""What every renderer shares: record content made safe for its medium, colour, and numbers and
criteria written the way people read them."""

from __future__ import annotations

import os
from typing import IO

from tracecard.gate.judge import Row
from tracecard.model.metrics import Direction


def use_colour(stream: IO[str]) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


def one_line(message: str) -> str:
    """A message on one line: a newline quoted from a record must not start a line of its own
    (in a GitHub log such a line could be run as a workflow command)."""
    return message.replace("\r", "\\r").replace("\n", "\\n")


def fmt_number(value: object) -> str:
    """A threshold as the user wrote it (`1.10` stays `1.10`)."""
    raw = getattr(value, "raw", None)
    return raw if isinstance(raw, str) else str(value)


def criterion_text(row: Row) -> str:
    """`precision@10 on DS-recs-holdout/holdout/new_visitors`, or a constraint's key."""
    metric = row.metric or "?"
    if row.constraint:
        return f"{metric} (operational)"
    where = row.dataset or "?"
    if row.split is not None or row.slice is not None:
        where += f"/{row.split if row.split is not None else '-'}"
    if row.slice is not None:
        where += f"/{row.slice}"
    return f"{metric} on {where}"


def threshold_text(value: object, direction: Direction) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return "any" if value == "none" else value  # explainability levels
    return f"{'>=' if direction is Direction.HIGHER else '<='} {fmt_number(value)}"


def value_text(value: object) -> str:
    return "-" if value is None else value if isinstance(value, str) else fmt_number(value)


def escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(s: str) -> str:
    return escape_data(s).replace(":", "%3A").replace(",", "%2C")
