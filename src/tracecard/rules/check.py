"""`tracecard check`: every rule over the repository, reported on the paths asked for."""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, TYPE_CHECKING

from tracecard.errors import UsageError
from tracecard.git import in_git
from tracecard.load import cache, config
from tracecard.model.findings import Finding, Severity
from tracecard.report.findings import REPORTERS
from tracecard.rules.run import Result, _may_fire, _to_stderr, run_rules

if TYPE_CHECKING:  # pragma: no cover
    from tracecard.load.config import Settings
    from tracecard.model.graph import RepoGraph

# A result from the cache needs neither the parser nor the rules: those are imported when a
# run has to check something (tracecard.load.repository, tracecard.rules.registry).


def check(
    paths: tuple[str, ...],
    fmt: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    strict: bool | None,
    out: IO[str],
    staged: bool = False,
    use_cache: bool = True,
) -> int:
    targets = [Path(p) for p in paths]
    for t in targets:
        if not t.exists():
            raise UsageError(f"{t}: no such file or folder")
    root = config.find_root(targets[0] if targets else Path.cwd())
    settings = config.load(root).with_cli(_codes(select), _codes(ignore), strict)
    for code in settings.select + settings.ignore:
        validate_code(code)
    extra = [t for t in targets if t.is_file()]
    # A whole result is stored only by a check of the whole repository without --staged (a
    # check of some files works out only theirs), so --staged never finds one: not looked up.
    saved = None
    if use_cache and not staged and not cache.disabled_by_env():
        saved = _result_cache(settings, extra)
    hit = saved.load() if saved is not None else None
    notes: list[str]
    if hit is not None:
        result, record_paths, gone, notes = hit
        for line in notes:
            _to_stderr(line)
    else:
        from tracecard.load.repository import load_graph, no_gc
        from tracecard.rules.registry import PER_RECORD

        notes = []

        def note(line: str) -> None:
            notes.append(line)
            _to_stderr(line)

        files = None
        if use_cache and not cache.disabled_by_env():
            files = cache.FileCache.open(settings)
        local = PER_RECORD if files is not None else [r for r in PER_RECORD if _may_fire(r.code, settings)]
        try:
            with no_gc():
                graph = load_graph(settings, extra=extra, local_rules=local, cache=files)
                gone = gone_scope(graph) if staged else []
                graph.scope = _scope(root, [*targets, *(root / p for p in gone)], staged)
                result = run_rules(graph, note=note, release_history=True)
            record_paths = [r.path for r in graph.records]
            if saved is not None and graph.scope is None:  # only a whole result is kept
                saved.store(graph, result, record_paths, gone, notes)
        finally:
            if files is not None:
                files.wait()  # the per-file entries, written while the rules ran
    if staged:
        targets = [*targets, *(root / p for p in gone)]
        if not targets:
            result = Result([], 0, 0)  # nothing changed that a record check can see
    result = _in_scope(result, root, targets, record_paths)
    REPORTERS[fmt](result, out)
    return exit_code(result, settings.strict)


def _scope(root: Path, targets: list[Path], staged: bool) -> frozenset[str] | None:
    """The files a check reports on, when it is some files (pre-commit passes the changed
    ones): the rules then skip work whose findings would land elsewhere. None for folders,
    the root, or no paths (all files)."""
    if not targets:
        return frozenset() if staged else None
    rels = []
    for t in targets:
        if not t.is_file() and t.exists():
            return None
        try:
            rel = t.resolve().relative_to(root).as_posix()
        except ValueError:
            return None
        if rel in ("", "."):
            return None
        rels.append(rel)
    return frozenset(rels)


class _SavedResult:
    """The whole result of a run, kept under the cache folder, valid while its key holds."""

    def __init__(self, folder: Path, parts: list[object]) -> None:
        self.path = folder / "result-check.pickle"
        self.parts = parts
        self.key = cache.result_key(parts)

    def load(self) -> tuple[Result, list[str], list[str], list[str]] | None:
        value = cache.read_pickle(self.path, "result")
        try:
            key, rows, suppressed, count, suppressed_in, record_paths, gone, notes, deps = value
        except (TypeError, ValueError):
            return None
        try:
            if key != self.key or any(os.path.exists(p) != there for p, there in deps):
                return None
            found = [Finding.from_row(r) for r in rows]
            return Result(found, suppressed, count, tuple(suppressed_in)), list(record_paths), list(gone), list(notes)
        except (TypeError, ValueError, IndexError):  # damaged: the run checks afresh
            return None

    def store(self, graph: RepoGraph, result: Result, record_paths: list[str], gone: list[str],
              notes: list[str]) -> None:
        from tracecard.rules.body import relative_targets

        # A link to a record file needs no check of its own: the key holds every record file.
        root = str(graph.settings.root)
        records = {os.path.normpath(os.path.join(root, p)) for p in record_paths}
        deps = sorted({(path, os.path.exists(path)) for _, _, _, path in relative_targets(graph)
                       if path not in records})  # fmt: skip
        rows = [d.row() for d in result.diagnostics]
        cache.dump_pickle(self.path, "result", (
            self.key, rows, result.suppressed, result.records, list(result.suppressed_in),
            record_paths, gone, notes, deps,
        ))  # fmt: skip


def _result_cache(settings: Settings, extra: list[Path]) -> _SavedResult | None:
    """The key of this run's whole result: every record file's stat, the context, the day,
    the codes chosen, git's state. None outside git (nothing is cached there)."""
    folder = cache.cache_folder(settings.root)
    if folder is None or cache.journal_pending(settings.root):
        return None  # (a change a killed writer left half done is undone by a full run)
    from tracecard.model import clock

    parts: list[object] = [
        cache.context_key(settings), clock.today().isoformat(), settings.select, settings.ignore,
        cache.folders_state(settings),
        cache.files_state(sorted(p.absolute() for p in extra)),
        cache.git_state(settings.root),
    ]  # fmt: skip
    return _SavedResult(folder, parts)


def exit_code(result: Result, strict: bool) -> int:
    worst = Severity.WARNING if strict else Severity.ERROR
    return 1 if any(d.severity.rank >= worst.rank for d in result.diagnostics) else 0


def _codes(values: tuple[str, ...]) -> tuple[str, ...]:
    """`--select LNK,BDY001 --select PAR` -> ('LNK', 'BDY001', 'PAR')."""
    return tuple(c.strip().upper() for v in values for c in v.split(",") if c.strip())


def validate_code(code: str) -> None:
    if code == "ALL":
        return
    from tracecard.rules.registry import RULES

    if not any(c.startswith(code) for c in RULES):
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
    for rh in hist.deleted_now:
        if rh.id not in graph.by_id:
            gone.add(rh.id)
            paths.add(rh.latest.path)
    gone |= {c.old_id for c in hist.id_changes
             if c.commit == WORKTREE and c.old_id not in graph.by_id}  # fmt: skip
    if gone:
        paths.update(rec.path for rec in graph.referrers(gone))
    return sorted(paths)


def _in_scope(result: Result, root: Path, targets: list[Path], record_paths: list[str]) -> Result:
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
    records = len([p for p in record_paths if asked(p)])
    return Result(keep, len(suppressed), records, tuple(suppressed))
