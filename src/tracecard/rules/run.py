"""Running rules: the selected rules over a RepoGraph, their findings filtered by `--select`,
`--ignore` and each record's `tracecard-ignore`, sorted by place.

Rules that read git run only where git can answer: `needs_history` rules when the history can
be read (else one line says why they were skipped), `needs_git` rules inside a git repository.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tracecard.git import in_git
from tracecard.load.config import Settings
from tracecard.model.findings import Finding, Severity, matches, select
from tracecard.model.graph import RepoGraph
from tracecard.report.text import say
from tracecard.rules import base
from tracecard.rules.base import Rule


@dataclass(frozen=True)
class Result:
    diagnostics: list[Finding]
    suppressed: int
    records: int
    #: The file of each suppressed finding, so that a check of some paths counts only theirs.
    suppressed_in: tuple[str, ...] = ()


def run_rules(
    graph: RepoGraph,
    rules: Iterable[type[Rule]] | None = None,
    *,
    note: Callable[[str], None] | None = None,
    release_history: bool = False,
) -> Result:
    """Run the selected rules; drop what the settings or a record's `tracecard-ignore` exclude.
    With a scope (`graph.scope`), only the findings in its files are returned (the rules skip
    work whose findings would land elsewhere).

    `note` receives the one line that says history rules were skipped or limited (by default
    it goes to stderr as `tracecard: ...`). The rules that read history run first; with
    `release_history`, the graph's history is let go once they are done (a caller that reads
    it afterwards reads it again), so that it and what the other rules build are never held
    at once: the peak memory of a large repository's check."""
    from tracecard.rules.registry import RULES  # every rule module: not needed for a cached result

    settings = graph.settings
    chosen = [r for r in (rules or RULES.values()) if _may_fire(r.code, settings)]
    chosen = _with_history(graph, chosen, note or _to_stderr)
    chosen.sort(key=lambda r: not r.needs_history)  # (findings are sorted: the order is not seen)
    found: list[Finding] = []
    done = graph.local_codes  # single-record rules already run as the records were read
    base.SCOPE = graph.scope
    history_rules = [r for r in chosen if r.needs_history and r.code not in done]
    aside = _history_aside(graph, history_rules)
    try:
        # (with the history rules in a child process meanwhile, the others here)
        for rule_cls in [r for r in chosen if aside is None or not r.needs_history]:
            if release_history and not rule_cls.needs_history:
                release_history = False
                from tracecard.history.timeline import forget

                forget(graph)
            if rule_cls.code not in done:
                found.extend(rule_cls().check(graph))
        if aside is not None:
            rows = aside.result()
            aside = None
            if rows is None:  # the child failed: the history rules run here after all
                for rule_cls in history_rules:
                    found.extend(rule_cls().check(graph))
            else:
                found.extend(map(Finding.from_row, rows))
    finally:
        base.SCOPE = None
        if aside is not None:
            aside.cancel()
    if graph.scope is not None:
        found = [d for d in found if d.path in graph.scope]
    records = graph.scoped()  # (all of them without a scope)
    if done:
        wanted = {r.code for r in chosen} & done
        for rec in records:
            found.extend(f for f in rec.local or () if f.code in wanted)
    found = select(found, settings.select, settings.ignore)
    by_path = {r.path: r.suppressed for r in records if r.suppressed}
    kept: list[Finding] = []
    dropped: list[Finding] = []
    for d in found:
        (dropped if matches(d.code, by_path.get(d.path, ())) else kept).append(d)
    kept.sort(key=Finding.sort_key)
    return Result(kept, len(dropped), len(graph.records), tuple(d.path for d in dropped))


#: A repository this large runs its history rules in a child process beside the others
#: (as many records as the files worth sharing out between two processes).
_ASIDE_MIN = 1_200


def _history_aside(graph: RepoGraph, rules: list[type[Rule]]) -> Any:
    """A forked child running the history rules (`tracecard.load.parallel.Child`), whose
    result is their findings as rows; None when they are better run here (few records, one
    core, no such rule). The child reads what the run has read so far (the graph, the history
    state) as it was at the fork."""
    if not rules or len(graph.records) < _ASIDE_MIN or graph.scope is not None:
        return None  # (a check of some files runs the history rules on those alone: quickly)
    from tracecard.load import parallel

    if parallel.jobs() < 2:
        return None

    def work(_: list[int]) -> list[tuple[Any, ...]]:
        return [f.row() for rule_cls in rules for f in rule_cls().check(graph)]

    try:
        return parallel.Child(work, [0])
    except OSError:
        return None


def _with_history(
    graph: RepoGraph, chosen: list[type[Rule]], note: Callable[[str], None]
) -> list[type[Rule]]:
    """Rules that read git history run only when it can be read; git is not even imported
    unless one of them is selected. Rules that ask git something else run in a repository."""
    if any(r.needs_git for r in chosen) and not in_git(graph.settings.root):
        chosen = [r for r in chosen if not r.needs_git]
    chosen = [r for r in chosen if not r.needs_history or r.relevant(graph)]
    if not any(r.needs_history for r in chosen):
        return chosen
    from tracecard.history.timeline import history_state

    available, said = history_state(graph)
    if said:
        note(said)
    return chosen if available else [r for r in chosen if not r.needs_history]


def _to_stderr(line: str) -> None:
    say(f"tracecard: {line}", sys.stderr)


def _may_fire(code: str, settings: Settings) -> bool:
    probe = Finding("", 0, 0, code, Severity.ERROR, "")
    return bool(select([probe], settings.select, settings.ignore))
