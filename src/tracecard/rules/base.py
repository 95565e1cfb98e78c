"""The shape of a rule: a class with a code, a name, a severity, a docstring, and a check.

A rule's code is written once, on its class; every finding of that code is made through the
class (`at`, `found`, `problem`), so the code, severity and documentation cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, ClassVar

from tracecard.model.findings import Finding, Severity

if TYPE_CHECKING:  # pragma: no cover
    from tracecard.model.graph import RepoGraph
    from tracecard.model.records import Record


#: The files a run reports on (`RepoGraph.scope`), set by `tracecard.rules.run.run_rules`.
SCOPE: frozenset[str] | None = None


class Rule:
    """Base class. The docstring of each rule is its documentation, in four sections:
    "What it does", "Why it matters", "Example", "Fix" (each a line ending in ':' followed by
    its text). `tracecard rules CODE` and docs/rules/ are generated from it."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity] = Severity.ERROR
    #: True for rules that read git history (skipped without git, or in a shallow clone).
    needs_history: ClassVar[bool] = False
    #: True for rules that ask git something else (skipped outside a git repository).
    needs_git: ClassVar[bool] = False
    #: True for rules whose findings in a record depend on that record alone (and on the
    #: configuration and schemas), never on other records, the files around it, git or the
    #: date: they run as records are read, and their findings are kept in the parse cache.
    per_record: ClassVar[bool] = False

    def check(self, graph: RepoGraph) -> Iterable[Finding]:
        raise NotImplementedError

    @classmethod
    def relevant(cls, graph: RepoGraph) -> bool:
        """False when the repository holds nothing the rule reads: a history rule that is not
        relevant is dropped before git history is read (so a repository without model
        reviews pays nothing for MRV006)."""
        return True

    @classmethod
    def found(
        cls, path: str, line: int, col: int, message: str, commit: str | None = None
    ) -> Finding:
        """A finding of this rule at `path:line:col`."""
        return Finding(path, line, col, cls.code, cls.severity, message, commit)

    @classmethod
    def problem(cls, line: int, col: int, message: str) -> Finding:
        """A finding of this rule in a file not named yet (the parser's findings)."""
        return Finding("", line, col, cls.code, cls.severity, message)

    @classmethod
    def at(
        cls, rec: Record, path: tuple[str | int, ...], message: str, key: bool = False,
        commit: str | None = None,
    ) -> Finding:
        """A finding at the front-matter key or value `path` of `rec`."""
        if SCOPE is not None and rec.path not in SCOPE:
            line, col = 0, 0  # not reported: its position is not worked out
        else:
            line, col = rec.parsed.pos(path, key=key)
        return Finding(rec.path, line, col, cls.code, cls.severity, message, commit)


class ParseRule(Rule):
    """Parse problems are found while reading; this rule reports those of its own code."""

    per_record = True

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        yield from _problems(graph).get(self.code, ())


def _problems(graph: RepoGraph) -> dict[str, list[Finding]]:
    """The parse problems of every record, by code, found in one pass for the nine parse
    rules (each walked every record)."""
    found: dict[str, list[Finding]] | None = graph.memo.get("rules.base.problems")
    if found is None:
        found = {}
        for rec in graph.records:
            for p in rec.parsed.problems:
                found.setdefault(p.code, []).append(p._replace(path=rec.path))
        graph.memo["rules.base.problems"] = found
    return found
