"""Diagnostics: the values every rule produces, and how they are selected."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import NamedTuple


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "info": 0}[self.value]


class Diagnostic(NamedTuple):
    """One finding: a code at a 1-based line and column of a file."""

    path: str  # posix path relative to the repository root
    line: int
    col: int
    code: str
    severity: Severity
    message: str
    commit: str | None = None  # history rules: the commit that brought the problem in

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.col, self.code)


def matches(code: str, prefixes: Iterable[str]) -> bool:
    """True when `code` starts with one of `prefixes` (ALL matches every code)."""
    return any(p == "ALL" or code.startswith(p) for p in prefixes)


def select(
    diagnostics: Iterable[Diagnostic], select: tuple[str, ...], ignore: tuple[str, ...]
) -> list[Diagnostic]:
    """Keep diagnostics chosen by `select` and not dropped by `ignore`.

    As in ruff and flake8, the longer (more specific) matching prefix wins when a code is
    both selected and ignored: `--select LNK001 --ignore LNK` keeps LNK001.
    """
    kept = []
    for d in diagnostics:
        s = _longest(d.code, select)
        i = _longest(d.code, ignore)
        if s > i:
            kept.append(d)
    return kept


def _longest(code: str, prefixes: Iterable[str]) -> int:
    best = 0
    for p in prefixes:
        if p == "ALL":
            best = max(best, 1)
        elif code.startswith(p):
            best = max(best, len(p) + 1)
    return best
