"""The shape of a rule: a class with a code, a severity, a docstring, and a check."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import ClassVar, NamedTuple

from tracecard.diagnostics import Severity
from tracecard.graph import RepoGraph
from tracecard.records import Record


class Finding(NamedTuple):
    """What a rule yields: a place in a file and a message that says what to do."""

    path: str
    line: int
    col: int
    message: str
    commit: str | None = None  # history rules: the commit that brought the problem in


class Rule:
    """Base class. The docstring of each rule is its documentation, in four sections:
    "What it does", "Why it matters", "Example", "Fix" (each a line ending in ':' followed by
    its text). `tracecard rules CODE` and docs/rules/ are generated from it."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity] = Severity.ERROR
    #: True for rules that read git history (skipped without git).
    needs_history: ClassVar[bool] = False

    def check(self, graph: RepoGraph) -> Iterable[Finding]:
        raise NotImplementedError

    @staticmethod
    def at(
        rec: Record, path: tuple[str | int, ...], message: str, key: bool = False,
        commit: str | None = None,
    ) -> Finding:
        """A finding at the front-matter key or value `path` of `rec`."""
        line, col = rec.parsed.pos(path, key=key)
        return Finding(rec.path, line, col, message, commit)


class ParseRule(Rule):
    """Parse problems are found while reading; this rule reports those of its own code."""

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        for rec in graph.records:
            for p in rec.parsed.problems:
                if p.code == self.code:
                    yield Finding(rec.path, p.line, p.col, p.message)
