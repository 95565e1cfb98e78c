"""`tracecard check`: every rule over the repository, reported on the paths asked for."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from tracecard.errors import UsageError
from tracecard.git import in_git
from tracecard.load import config
from tracecard.load.repository import load_graph, no_gc
from tracecard.model.findings import Severity
from tracecard.model.graph import RepoGraph
from tracecard.report.findings import REPORTERS
from tracecard.rules.registry import RULES
from tracecard.rules.run import Result, run_rules


def check(
    paths: tuple[str, ...],
    fmt: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    strict: bool | None,
    out: IO[str],
    staged: bool = False,
) -> int:
    targets = [Path(p) for p in paths]
    for t in targets:
        if not t.exists():
            raise UsageError(f"{t}: no such file or folder")
    root = config.find_root(targets[0] if targets else Path.cwd())
    settings = config.load(root).with_cli(_codes(select), _codes(ignore), strict)
    for code in settings.select + settings.ignore:
        validate_code(code)
    with no_gc():
        graph = load_graph(settings, extra=[t for t in targets if t.is_file()])
        result = run_rules(graph)
    if staged:
        gone = gone_scope(graph)
        targets = [*targets, *(root / p for p in gone)]
        if not targets:
            result = Result([], 0, 0)  # nothing changed that a record check can see
    result = _in_scope(result, root, targets, graph)
    REPORTERS[fmt](result, out)
    return exit_code(result, settings.strict)


def exit_code(result: Result, strict: bool) -> int:
    worst = Severity.WARNING if strict else Severity.ERROR
    return 1 if any(d.severity.rank >= worst.rank for d in result.diagnostics) else 0


def _codes(values: tuple[str, ...]) -> tuple[str, ...]:
    """`--select LNK,BDY001 --select PAR` -> ('LNK', 'BDY001', 'PAR')."""
    return tuple(c.strip().upper() for v in values for c in v.split(",") if c.strip())


def validate_code(code: str) -> None:
    if code != "ALL" and not any(c.startswith(code) for c in RULES):
        raise UsageError(f"unknown rule code or prefix {code!r}: `tracecard rules` lists them")


def gone_scope(graph: RepoGraph) -> list[str]:
    """What the uncommitted deletions and renames touch (pre-commit passes changed files, never
    a deleted one): the files of records that are gone, and the records that still link to an
    ID that is gone. Empty outside git."""
    from tracecard.git.index import WORKTREE
    from tracecard.history.timeline import history_of

    if not in_git(graph.settings.root):
        return []
    hist = history_of(graph)
    if not hist.available:
        return []
    gone: set[str] = set()
    paths: set[str] = set()
    for key, rh in hist.records.items():
        last = rh.latest
        if last.commit == WORKTREE and last.deleted and key not in graph.by_id:
            gone.add(key)
            paths.add(last.path)
    gone |= {c.old_id for c in hist.id_changes
             if c.commit == WORKTREE and c.old_id not in graph.by_id}  # fmt: skip
    paths.update(rec.path for rec in graph.referrers(gone))
    return sorted(paths)


def _in_scope(result: Result, root: Path, targets: list[Path], graph: RepoGraph) -> Result:
    """Keep findings in the files and folders asked for (all of them when none or the root)."""
    prefixes: list[str] = []
    for t in targets:
        try:
            rel = t.resolve().relative_to(root).as_posix()
        except ValueError:
            rel = t.as_posix()
        if rel in ("", "."):
            return result
        prefixes.append(rel if t.is_file() or not t.exists() else rel.rstrip("/") + "/")
    if not prefixes:
        return result
    def asked(path: str) -> bool:
        return any(path == p or (p.endswith("/") and path.startswith(p)) for p in prefixes)

    keep = [d for d in result.diagnostics if asked(d.path)]
    suppressed = [p for p in result.suppressed_in if asked(p)]
    records = len([r for r in graph.records if asked(r.path)])
    return Result(keep, len(suppressed), records, tuple(suppressed))
