"""Loading a repository: files -> records -> RepoGraph (`load_graph`)."""

from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tracecard.load.config import Settings
from tracecard.load.discover import (
    discovery_skips,
    kind_of_path,
    load_record,
    record_files,
    slim,
    to_entry,
)
from tracecard.model.findings import Finding
from tracecard.model.graph import RepoGraph
from tracecard.model.records import STATUS_ALIASES, Record
from tracecard.rules.body import forget

if TYPE_CHECKING:  # pragma: no cover
    from tracecard.load.cache import FileCache
    from tracecard.rules.base import Rule


def load_graph(
    settings: Settings,
    extra: Iterable[Path] = (),
    *,
    local_rules: Sequence[type[Rule]] | None = None,
    cache: FileCache | None = None,
) -> RepoGraph:
    """Every record of the repository, plus any `extra` files that turn out to be records.

    With `local_rules` (single-record rules, `Rule.per_record`), those run as the records are
    read, a few hundred at a time, and their findings are kept on each record (`Record.local`);
    then what only they read (the body's prose) is dropped, so memory does not grow with the
    bodies. With `cache` (`tracecard.load.cache.FileCache`), files whose entry is cached are
    not parsed again, and new entries are written at the end; `local_rules` must then be every
    single-record rule, so that an entry holds all their findings.

    A change that a killed writer left half done is undone first (`tracecard.edit.transaction`)."""
    from tracecard.edit.transaction import recover

    recover(settings.root)
    with no_gc():
        graph = _load_graph(settings, extra, local_rules, cache)
    if cache is not None:
        cache.save()
    return graph


#: How many new records the single-record rules run over at once.
_CHUNK = 256


def _load_graph(
    settings: Settings, extra: Iterable[Path], local_rules: Sequence[type[Rule]] | None,
    cache: FileCache | None,
) -> RepoGraph:
    STATUS_ALIASES.clear()
    STATUS_ALIASES.update(settings.statuses)
    records: list[Record] = []
    pending: list[Record] = []

    def take(rec: Record | None) -> None:
        if rec is None:
            return
        records.append(rec)
        if local_rules is not None and rec.local is None:
            pending.append(rec)
            if len(pending) >= _CHUNK:
                _run_local(settings, pending, local_rules, cache)

    files = record_files(settings)
    for path, kind in files:
        take(load_record(settings, path, kind, cache))
    extra = list(extra)
    # Whether an extra file is one discovery found: resolving every path costs a system call
    # per component, so only the files that may be it (same name, or a link) are resolved.
    names = {path.name for path in extra}
    seen = {path.resolve() for path, _ in files
            if path.name in names or path.is_symlink()} if extra else set()  # fmt: skip
    for path in extra:
        resolved = path.resolve()
        if resolved in seen or not path.is_file() or path.suffix.lower() != ".md":
            continue
        if discovery_skips(settings, path):
            continue  # what a whole-repository check does not read is not a record here either
        seen.add(resolved)
        take(load_record(settings, path, kind_of_path(settings, path), cache))
    if pending:
        _run_local(settings, pending, local_rules or (), cache)
    graph = RepoGraph.build(settings, records)
    if local_rules is not None:
        graph.local_codes = frozenset(r.code for r in local_rules)
    return graph


def _run_local(
    settings: Settings, recs: list[Record], rules: Sequence[type[Rule]], cache: FileCache | None
) -> None:
    """Run the single-record rules over `recs` (a graph of them alone: these rules read one
    record at a time), keep each record's findings, write its cache entry, drop its prose."""
    sub = RepoGraph.build(settings, recs)
    found: dict[str, list[Finding]] = {rec.path: [] for rec in recs}
    for rule_cls in rules:
        for f in rule_cls().check(sub):
            found.setdefault(f.path, []).append(f)
    for rec in recs:
        local = tuple(found[rec.path])
        object.__setattr__(rec, "local", local)
        if cache is not None and rec.cache_key is not None:
            cache.add(rec.cache_key, functools.partial(to_entry, rec, local))
            object.__setattr__(rec, "cache_key", None)
        slim(rec)
    forget(recs)
    recs.clear()


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: a run allocates many small objects that all live to
    its end, so collections find nothing and cost a fifth of the time on large repositories."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # What the run built is still referenced until the report is written: keep the
        # collector from scanning it all once more (refcounting still frees it afterwards).
        gc.freeze()
        if was:
            gc.enable()
