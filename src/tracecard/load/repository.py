"""Loading a repository: files -> records -> RepoGraph (`load_graph`)."""

from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracecard.load import parallel
from tracecard.load.cache import pack, shard_of, unpack
from tracecard.load.config import Settings
from tracecard.load.discover import (
    NOT_A_RECORD,
    discovery_skips,
    from_entry,
    kind_of_path,
    load_record,
    record_files,
    slim,
    to_entry,
)
from tracecard.model.findings import Finding
from tracecard.model.graph import RepoGraph
from tracecard.model.records import STATUS_ALIASES, Kind, Record

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
        cache.save(background=True)  # the caller waits for it (FileCache.wait)
    return graph


#: How many new records the single-record rules run over at once.
_CHUNK = 256


def _load_graph(
    settings: Settings, extra: Iterable[Path], local_rules: Sequence[type[Rule]] | None,
    cache: FileCache | None,
) -> RepoGraph:
    STATUS_ALIASES.clear()
    STATUS_ALIASES.update(settings.statuses)
    links: set[Path] = set()
    rels: list[str] = []
    files = record_files(settings, links, rels)
    slots: list[Record | None] = [None] * len(files)
    pending: list[Record] = []

    def take(i: int, rec: Record | None) -> None:
        if rec is None:
            return
        slots[i] = rec
        if local_rules is not None and rec.local is None:
            pending.append(rec)
            if len(pending) >= _CHUNK:
                _run_local(settings, pending, local_rules, cache)

    mine, children = _share_out(settings, files, rels, local_rules, cache)
    try:
        for i in mine:
            path, kind = files[i]
            take(i, load_record(settings, path, kind, cache, rels[i]))
        for child in children:
            if not _take_share(child.result(), slots, files, rels, cache):
                for i in child.share:  # the child failed: its share is read here
                    path, kind = files[i]
                    take(i, load_record(settings, path, kind, cache, rels[i]))
    finally:
        for child in children:
            child.cancel()
    records = [rec for rec in slots if rec is not None]
    slots.clear()
    extra = list(extra)
    # Whether an extra file is one discovery found: resolving every path costs a system call
    # per component, so only the files that may be it (same name, or a link) are resolved.
    names = {path.name for path in extra}
    seen = {path.resolve() for path, _ in files
            if path.name in names or (links and path in links)} if extra else set()  # fmt: skip
    for path in extra:
        resolved = path.resolve()
        if resolved in seen or not path.is_file() or path.suffix.lower() != ".md":
            continue
        if discovery_skips(settings, path):
            continue  # what a whole-repository check does not read is not a record here either
        seen.add(resolved)
        rec = load_record(settings, path, kind_of_path(settings, path), cache)
        if rec is not None:
            records.append(rec)
            if local_rules is not None and rec.local is None:
                pending.append(rec)
    if pending:
        _run_local(settings, pending, local_rules or (), cache)
    graph = RepoGraph.build(settings, records)
    if local_rules is not None:
        graph.local_codes = frozenset(r.code for r in local_rules)
    return graph


def _take_share(
    done: Share | None, slots: list[Record | None], files: Sequence[tuple[Path, Kind | None]],
    rels: list[str], cache: FileCache | None,
) -> bool:
    """The records of what a child read (`_read_share`) put in their slots, its packed
    entries handed to the cache; False (and nothing taken) when it has nothing readable."""
    if done is None:
        return False
    loose, parts = done
    unpacked = {name: unpack(part) for name, (part, _) in parts.items()}
    if any(entries is None for entries in unpacked.values()):
        return False
    for i, entry, _ in loose:  # files the cache does not keep
        slots[i] = from_entry(entry, rels[i], files[i][0])
    for name, (part, items) in parts.items():
        entries = unpacked.pop(name)
        assert entries is not None
        for i, row in items:
            slots[i] = from_entry(entries[row[4]], rels[i], files[i][0])
        if cache is not None:  # written into the cache as the child packed them
            cache.adopt_packed(name, part, ((rels[i], row) for i, row in items))
    return True


def _share_out(
    settings: Settings, files: Sequence[tuple[Path, Kind | None]], rels: list[str],
    local_rules: Sequence[type[Rule]] | None, cache: FileCache | None,
) -> tuple[list[int], list[parallel.Child[int]]]:
    """The indexes of `files` this process reads, and the children reading the others: the
    files to parse (no fresh cache entry) are shared out when there are enough of them
    (tracecard.load.parallel); cached ones are read here, where reading an entry is cheap."""
    everything = list(range(len(files)))
    count = parallel.jobs()
    if local_rules is None or count < 2 or len(files) < 2 * parallel.MIN_SHARE:
        return everything, []
    if cache is not None:
        # Files the index does not know (a first run, a new context): a file it knows but that
        # changed is parsed where it is met (a branch switch that rewrites many files is read
        # in one process; the common case, a warm run, pays for no second pass).
        todo = [i for i in everything if not cache.knows(rels[i])]
    else:
        todo = everything
    split = parallel.shares(todo, count)
    if len(split) < 2:
        return everything, []
    theirs = {i for share in split[1:] for i in share}
    children: list[parallel.Child[int]] = []
    try:
        for share in split[1:]:
            children.append(parallel.Child(
                functools.partial(_read_share, settings, files, rels, local_rules, cache), share,
            ))  # fmt: skip
    except OSError:  # no fork here (limits, memory): read everything in this process
        for child in children:
            child.cancel()
        return everything, []
    return [i for i in everything if i not in theirs], children


#: What a child hands back: the entries of files the cache does not keep, as (index, entry,
#: None); and for each cache shard, its entries packed (`tracecard.load.cache.pack`) with the
#: index and cache-index row of each file, so that the run writes them as they are.
Share = tuple[
    list[tuple[int, tuple[Any, ...], None]],
    dict[str, tuple[bytes, list[tuple[int, tuple[int, int, int, str, str]]]]],
]


def _read_share(
    settings: Settings, files: Sequence[tuple[Path, Kind | None]], rels: list[str],
    local_rules: Sequence[type[Rule]], cache: FileCache | None, share: list[int],
) -> Share:
    """In a child process: each file of `share` read and checked by the single-record rules,
    as cache entries (`Share`)."""
    loose: list[tuple[int, tuple[Any, ...], None]] = []
    shards: dict[str, dict[str, tuple[Any, ...]]] = {}
    items: dict[str, list[tuple[int, tuple[int, int, int, str, str]]]] = {}
    pending: list[tuple[int, Record]] = []

    def keep(i: int, entry: tuple[Any, ...]) -> None:
        row = cache.row(rels[i]) if cache is not None else None
        if row is None:
            loose.append((i, entry, None))
        else:
            name = shard_of(row[4])
            shards.setdefault(name, {})[row[4]] = entry
            items.setdefault(name, []).append((i, row))

    def flush() -> None:
        _run_local(settings, [rec for _, rec in pending], local_rules, None)
        for i, rec in pending:
            keep(i, to_entry(rec, rec.local or ()))
        pending.clear()

    for i in share:
        path, kind = files[i]
        rec = load_record(settings, path, kind, cache, rels[i])
        if rec is None:
            keep(i, NOT_A_RECORD)
        elif rec.local is not None:  # cached after all
            keep(i, to_entry(rec, rec.local))
        else:
            pending.append((i, rec))
            if len(pending) >= _CHUNK:
                flush()
    if pending:
        flush()
    return loose, {name: (pack(entries), items[name]) for name, entries in shards.items()}


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
