"""Findings: the one type that every rule, the parser, the launch gate and the review produce,
and how they are selected by code.

A finding's code, severity and documentation belong to a rule (`tracecard.rules`): findings
are made by a rule's `at`, `found` or `problem` methods, never from a code written by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Any, NamedTuple


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "info": 0}[self.value]


class Finding(NamedTuple):
    """One finding: a rule's code at a 1-based line and column of a file, and what to do."""

    path: str  # posix path relative to the repository root ("" until the file is known)
    line: int
    col: int
    code: str
    severity: Severity
    message: str
    commit: str | None = None  # history rules: the commit that brought the problem in

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.col, self.code)

    def row(self) -> tuple[str, int, int, str, str, str, str | None]:
        """As plain data (caches, and findings handed back by a child process)."""
        return (self.path, self.line, self.col, self.code, self.severity.value, self.message, self.commit)

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> Finding:
        """The finding `row` gave."""
        return cls(row[0], row[1], row[2], row[3], Severity(row[4]), row[5], row[6])


def matches(code: str, prefixes: Iterable[str]) -> bool:
    """True when `code` starts with one of `prefixes` (ALL matches every code)."""
    return any(p == "ALL" or code.startswith(p) for p in prefixes)


def select(
    findings: Iterable[Finding], select: tuple[str, ...], ignore: tuple[str, ...]
) -> list[Finding]:
    """Keep findings chosen by `select` and not dropped by `ignore`.

    As in ruff and flake8, the longer (more specific) matching prefix wins when a code is
    both selected and ignored: `--select LNK001 --ignore LNK` keeps LNK001.
    """
    kept = []
    for d in findings:
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
