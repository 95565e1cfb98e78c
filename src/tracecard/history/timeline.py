"""Git history for tracecard's rules and commands: loading it for a run, and reading it.

`tracecard.git.index` reads git; this module decides what to ask it and what its answer means
for records. GitPython is imported only when history is actually read.

Loading (I/O)
    `history_of(graph)`    the History of the graph's repository, read once per graph (the
                           last graph is remembered, as `launch.evaluate` does): the committed
                           versions plus the working tree as one more version (commit
                           `WORKTREE`, date "") of each record whose front matter, path or
                           body (`Version.body`, a digest) differs from HEAD, and a
                           deletion for a committed record whose file is gone. Progress goes to
                           stderr only when stderr is a terminal. A folder with no `.git` above
                           it (and no GIT_DIR) is answered without importing git at all. Each
                           record's versions are built when first asked for (`records[id]`,
                           `get`): a check of one file reads the history it looks at.
    `forget(graph)`        let go of it (`run_rules(release_history=True)` does, once the
                           history rules have run: `tracecard check` asks it to).
    `read(settings, progress)`   the committed history only (what `tracecard index` shows).
    `key_for(settings)`    the key of a historical file without an `id:`: the ID its file name
                           gives, as `discover` derives it; None for files that are not records
                           (README.md, files under `_drafts/`, excluded paths).
    `history_state(graph)` (can the history rules run, the line to say about it): what
                           `tracecard.load.repository` asks; a folder outside git costs one look for `.git`.
    `skip_note(history)`   the one stderr line of `tracecard check` when history is missing
                           (history rules skipped) or cut by a shallow clone (limited), else None.
    `kind_of`, `is_record_path`   which kind a historical file is, and whether `discover`
                           would read it.
    `record_paths(settings)`     `is_record_path(settings, ·)` for many paths (each folder
                                 judged once): what `in_scope` asks of every record

Reading (pure: front matter or versions in, values out; `tracecard review` uses them too)
    `status_of(data)`                       the status, `superseded by X` read as superseded
    `short(commit)`                         7 hex digits, or "uncommitted" for the working tree
    `is_boundary(history, version)`         the first commit of a shallow clone: not a creation
    `match_key(entry)`, `label(key)`, `keyed(items)`
                                            how criteria and results are paired between two
                                            versions, and named in messages
    `threshold_changes(before, after)`      -> [ThresholdChange]: launch/target values of paired
                                            criteria that changed or went away
    `result_changes(before, after, vocab)`  -> [ResultChange]: result values that changed,
                                            appeared or went away, with the metric's direction
                                            (`worse_by()`, `regressed(tolerance)`)
    `added_decisions(before, after)`        decision IDs that `decisions` gained
    `changed_keys(before, after)`           top-level keys whose value or presence differs
    `same_value(a, b)`                      equality with numbers compared as numbers
    `status_events(rh, shallow)`            -> [Event]: creation and every status change
    `record_timeline(rh, vocab, shallow)`   -> [Event]: everything, oldest first (created or
                                            first-seen, status, threshold, result, id,
                                            renamed, edited, deleted); what `tracecard history`
                                            prints
    `versions_after(rh, version)`           the versions that follow one, in order

Criteria and results are paired the way the launch gate pairs a result with a criterion:
normalised metric name, `dataset`, `split` and `slice` (the n-th entry with a key pairs with
the n-th); entries that do not pair are additions and removals, not changes. Versions come in
topological order and each carries `before` (its first parent's data), so every comparison
here is `before` against `data` of one version, never two neighbours of the tuple.
"""

from __future__ import annotations

import datetime
import fnmatch
import functools
import os
import re
import sys
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Any

from tracecard.git import in_git
from tracecard.load.config import Settings
from tracecard.model.clock import as_day
from tracecard.model.metrics import Direction, Vocabulary, as_number, normalise
from tracecard.model.records import (
    ID_SCHEMES,
    KIND_NAMES,
    NOT_RECORDS,
    Kind,
    canonical_status,
    id_list,
)

if TYPE_CHECKING:  # pragma: no cover
    from tracecard.git.index import History, KeyFor, RecordHistory, Version
    from tracecard.model.graph import RepoGraph

SHORT = 7
SHALLOW_NOTE = (
    "history rules limited to the fetched commits: shallow clone: fetch with fetch-depth: 0 "
    "(or git fetch --unshallow)"
)


# --- loading -------------------------------------------------------------------------------

_LOADED: list[tuple[weakref.ref[RepoGraph], History]] = []


def history_of(graph: RepoGraph) -> History:
    """The graph's repository history with its working tree, read once per graph."""
    if _LOADED and _LOADED[0][0]() is graph:
        return _LOADED[0][1]
    from tracecard.git.index import with_worktree

    hist = read(graph.settings, progress=sys.stderr)
    if hist.available:
        hist = with_worktree(hist, current_versions(graph), date="")
    _LOADED[:] = [(weakref.ref(graph), hist)]
    return hist


def forget(graph: RepoGraph) -> None:
    """Let go of the history `history_of` keeps for `graph` (read again if asked for)."""
    if _LOADED and _LOADED[0][0]() is graph:
        _LOADED.clear()


def history_state(graph: RepoGraph) -> tuple[bool, str | None]:
    """Whether the history rules can run on `graph`, and the line to say about it, if any.

    A folder outside git is answered without importing tracecard.git.index or GitPython: a check there must
    cost what it cost before history existed."""
    if not in_git(graph.settings.root):
        return False, f"history rules skipped: {_not_a_repo(graph.settings.root)}"
    hist = history_of(graph)
    return hist.available, skip_note(hist)


def read(settings: Settings, progress: IO[str] | None = None) -> History:
    """The committed history of the records; progress on `progress` when it is a terminal."""
    from tracecard.git.index import History, Status, read_history

    root = settings.root
    if not in_git(root):
        return History(Status.NOT_A_REPO, message=_not_a_repo(root))
    meter = _Meter(progress) if progress is not None and _is_tty(progress) else None
    try:
        hist = read_history(root, list(settings.folders.values()), key_for(settings), meter)
    finally:
        if meter is not None:
            meter.clear()
    return in_scope(settings, hist)


def in_scope(settings: Settings, hist: History) -> History:
    """The history of the records the configuration reads now: a record whose last file is
    excluded (or is not a record file) is out of scope, not deleted, for every command."""
    if not hist.records:
        return hist
    from tracecard.git.index import keep_records

    return keep_records(hist, record_paths(settings))


def current_versions(
    graph: RepoGraph,
) -> list[tuple[str, str, dict[str, Any] | None, str]]:
    """`(id, path, front matter, body digest)` of every record on disk, as `with_worktree`
    wants them (the digest is `tracecard.git.index.body_digest`, the one history keeps)."""
    from tracecard.git.index import body_digest

    # The data as parsed: a YamlFloat equals its float, so `plain` (a copy of every record,
    # a third of a large repository's history time) is not needed for comparing.
    return [
        (r.id, r.path, r.parsed.data, r.parsed.digest or body_digest(r.parsed.body_lines))
        for r in graph.records
        if r.id is not None
    ]


def skip_note(hist: History) -> str | None:
    """What `tracecard check` says on stderr about its history rules, if anything."""
    if not hist.available:
        return f"history rules skipped: {hist.message}"
    return SHALLOW_NOTE if hist.shallow else None


def _not_a_repo(root: Path) -> str:
    return f"{root} is not in a git repository: history is not available"


def _is_tty(stream: IO[str]) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)())


class _Meter:
    """Progress on one terminal line, cleared when reading is done."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        what = f"{done:,} commits" if total == 0 else f"{done:,}/{total:,} versions"
        self.stream.write(f"\rtracecard: reading git history: {what}\x1b[K")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


# --- which files are records ------------------------------------------------------------------


def key_for(settings: Settings) -> KeyFor:
    """The key of a historical file without a string `id`, as `discover` would derive its ID."""

    def key(path: str, data: dict[str, Any] | None) -> str | None:
        kind = kind_of(settings, path, data)
        if kind is None or not is_record_path(settings, path):
            return None
        ident = data.get("id") if data is not None else None
        if isinstance(ident, int | float) and not isinstance(ident, bool):
            return str(ident)
        return ID_SCHEMES[kind].from_filename(PurePosixPath(path).stem)

    return key


def kind_of(settings: Settings, path: str, data: Mapping[str, Any] | None) -> Kind | None:
    """The kind a `kind:` key names, else the kind whose folder holds `path`."""
    named = data.get("kind") if data is not None else None
    if isinstance(named, str):
        return KIND_NAMES.get(named.strip().lower())
    best: tuple[int, Kind] | None = None
    for kind, folder in settings.folders.items():
        base = PurePosixPath(folder)
        if PurePosixPath(path).is_relative_to(base) and (best is None or len(base.parts) > best[0]):
            best = (len(base.parts), kind)
    return best[1] if best else None


def is_record_path(settings: Settings, path: str) -> bool:
    """Whether `discover` would read the file at `path` (relative to the root) as a record."""
    parts = [p for p in path.split("/") if p and p != "."]  # git's paths: posix, relative
    name = parts[-1] if parts else ""
    if not name.endswith(".md") or name.lower() in NOT_RECORDS or name.startswith("."):
        return False
    if any(p.startswith((".", "_")) for p in parts[:-1]):
        return False
    return not any(fnmatch.fnmatch(path, pat) for pat in settings.exclude)


def record_paths(settings: Settings) -> Callable[[str], bool]:
    """`is_record_path(settings, ·)` for many paths (every record's in history): each folder
    is judged once, and the exclusions are one pattern."""
    excluded = _excluded(settings.exclude)
    folders: dict[str, bool] = {}

    def test(path: str) -> bool:
        folder, _, name = path.rpartition("/")
        if name in ("", ".") or "//" in path or "/./" in path or path.startswith("./"):
            return is_record_path(settings, path)  # not a path as git writes it
        if not name.endswith(".md") or name.lower() in NOT_RECORDS or name.startswith("."):
            return False
        ok = folders.get(folder)
        if ok is None:
            ok = folders[folder] = not any(p.startswith((".", "_")) for p in folder.split("/") if p)
        return ok and (excluded is None or excluded(os.path.normcase(path)) is None)

    return test


@functools.lru_cache(maxsize=8)
def _excluded(patterns: tuple[str, ...]) -> Callable[[str], re.Match[str] | None] | None:
    """One pattern matching what any of `patterns` matches (as `fnmatch.fnmatch` does)."""
    if not patterns:
        return None
    either = "|".join(f"(?:{fnmatch.translate(os.path.normcase(p))})" for p in patterns)
    return re.compile(either).match


# --- pure helpers --------------------------------------------------------------------------


def status_of(data: Mapping[str, Any] | None) -> str | None:
    """The lifecycle status in `data`, read as `Record.status` reads it."""
    s = data.get("status") if data is not None else None
    if not isinstance(s, str) or not s.strip():
        return None
    return canonical_status(s)


def short(commit: str) -> str:
    from tracecard.git.index import WORKTREE

    return "uncommitted" if commit == WORKTREE else commit[:SHORT]


def is_boundary(hist: History, version: Version) -> bool:
    """A version at the cut of a shallow clone: it only looks like a creation."""
    from tracecard.git.index import WORKTREE

    return hist.shallow and version.parent is None and version.commit != WORKTREE


MatchKey = tuple[str, Any, Any, Any]


def match_key(entry: Mapping[str, Any]) -> MatchKey | None:
    """(normalised metric, dataset, split, slice) of a criterion or result; None if unusable."""
    metric, dataset = entry.get("metric"), entry.get("dataset")
    if not isinstance(metric, str) or not metric.strip() or dataset is None:
        return None
    return (
        normalise(metric),
        _hashable(dataset),
        _hashable(entry.get("split")),
        _hashable(entry.get("slice")),
    )


def label(key: MatchKey) -> str:
    """`precision on DS-fraud-holdout/test (slice new-users)`."""
    metric, dataset, split, slc = key
    where = f"{dataset}/{split}" if split is not None else f"{dataset}"
    return f"{metric} on {where}" + (f" (slice {slc})" if slc is not None else "")


def _hashable(value: Any) -> Any:
    return repr(value) if isinstance(value, dict | list) else value


def keyed(items: Any) -> dict[tuple[MatchKey, int], tuple[int, Mapping[str, Any]]]:
    """Entries of a criteria or results list by (match key, how many came before with that
    key), with their index: the second `precision on DS-x/test` pairs with the second."""
    out: dict[tuple[MatchKey, int], tuple[int, Mapping[str, Any]]] = {}
    seen: dict[MatchKey, int] = {}
    for i, entry in enumerate(items if isinstance(items, list) else []):
        key = match_key(entry) if isinstance(entry, Mapping) else None
        if key is not None:
            n = seen.get(key, 0)
            seen[key] = n + 1
            out[(key, n)] = (i, entry)
    return out


@dataclass(frozen=True, slots=True)
class ThresholdChange:
    """A criterion's `launch` or `target` that changed between two versions."""

    key: MatchKey
    field: str  # launch | target
    before: Any
    after: Any  # None when the value (or the whole criterion) was removed
    index: int | None  # position of the criterion in the newer list; None when removed
    nth: int = 0  # occurrence of `key` in the list (criteria with the same key pair in order)

    @property
    def label(self) -> str:
        return label(self.key)


def threshold_changes(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> list[ThresholdChange]:
    """Launch and target values that a criterion had in `before` and changed or lost in `after`."""
    if before is None or after is None:
        return []
    new = keyed(after.get("criteria"))
    out = []
    for pair, (_i, old_crit) in keyed(before.get("criteria")).items():
        index, new_crit = new.get(pair, (None, {}))
        for name in ("launch", "target"):
            old_value, new_value = old_crit.get(name), new_crit.get(name)
            if old_value is not None and not same_value(old_value, new_value):
                out.append(ThresholdChange(pair[0], name, old_value, new_value, index, pair[1]))
    return out


@dataclass(frozen=True, slots=True)
class ResultChange:
    """A model card result whose value changed (or appeared, or went away)."""

    key: MatchKey
    before: Any  # None when the result is new
    after: Any  # None when it was removed
    index: int | None  # position in the newer results list
    direction: Direction | None  # None for a metric the vocabulary does not know
    nth: int = 0  # occurrence of `key` in the list

    @property
    def label(self) -> str:
        return label(self.key)

    def worse_by(self) -> float | None:
        """How much worse the new value is (positive), in the metric's units; None if unknown."""
        old, new = as_number(self.before), as_number(self.after)
        if old is None or new is None or self.direction is None:
            return None
        return old - new if self.direction is Direction.HIGHER else new - old

    def regressed(self, tolerance: float) -> bool:
        """Worse by more than `tolerance`, a fraction of the old value (0.02: 2% worse)."""
        worse = self.worse_by()
        if worse is None or worse <= 0:
            return False
        allowed = max(tolerance, 0.0) * abs(float(self.before))
        return worse > allowed + 1e-12


def result_changes(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None, vocab: Vocabulary
) -> list[ResultChange]:
    """Every result whose `value` differs between the two versions (matched like the gate)."""
    if after is None:
        return []
    old = keyed(before.get("results")) if before is not None else {}
    new = keyed(after.get("results"))
    out = []
    for pair in list(old) + [p for p in new if p not in old]:
        old_value = old[pair][1].get("value") if pair in old else None
        index, entry = new.get(pair, (None, {}))
        new_value = entry.get("value")
        if not same_value(old_value, new_value):
            metric = vocab.lookup(pair[0][0])
            direction = metric.direction if metric is not None else None
            out.append(ResultChange(pair[0], old_value, new_value, index, direction, pair[1]))
    return out


def added_decisions(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> list[str]:
    """The decision IDs `after` lists in `decisions` that `before` does not."""
    had = set(id_list(before.get("decisions"))) if before is not None else set()
    now = id_list(after.get("decisions")) if after is not None else []
    return [d for d in now if d not in had]


def same_value(a: Any, b: Any) -> bool:
    """Equal values, numbers compared as numbers (0.9 == 0.90, 1 == 1.0, True != 1)."""
    na, nb = as_number(a), as_number(b)
    if na is not None and nb is not None:
        return na == nb
    return bool(a == b) and type(a) is type(b)


# --- events --------------------------------------------------------------------------------


class EventKind(StrEnum):
    CREATED = "created"
    FIRST_SEEN = "first-seen"  # the first version of a shallow clone: created at or before it
    STATUS = "status"
    THRESHOLD = "threshold"
    RESULT = "result"
    ID = "id"
    RENAMED = "renamed"
    SLIPPED = "slipped"  # a dataset's labeling due date moved later (`what`: "labeling due")
    EDITED = "edited"  # other front-matter keys (`what` names them), or the body only
    DELETED = "deleted"
    #: A model review was held: on the reviewed card's timeline and on the review's own.
    REVIEWED = "reviewed"


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened to a record in one version."""

    kind: EventKind
    version: Version
    what: str = ""  # "status", "launch of precision on DS-x/test", "title, tags", "body"
    before: Any = None
    after: Any = None
    better: bool | None = None  # results: True/False by the metric's direction, None if unknown

    @property
    def commit(self) -> str:
        return short(self.version.commit)


def status_events(rh: RecordHistory, shallow: bool = False) -> list[Event]:
    """The record's creation (with its first status) and every change of its status."""
    out = []
    for v in rh.versions:
        if v.deleted:
            continue
        if v.before is None:
            kind = EventKind.FIRST_SEEN if shallow and v.parent is None else EventKind.CREATED
            out.append(Event(kind, v, "status", None, status_of(v.data)))
        elif status_of(v.before) != status_of(v.data):
            out.append(Event(EventKind.STATUS, v, "status", status_of(v.before), status_of(v.data)))
    return out


_SHOWN_APART = frozenset({"status", "criteria", "results", "id"})


def record_timeline(
    rh: RecordHistory, vocab: Vocabulary | None = None, shallow: bool = False
) -> list[Event]:
    """Every event of the record, oldest first; one or more per version."""
    vocab = vocab or Vocabulary.builtin()
    out: list[Event] = []
    for v in rh.versions:
        out.extend(_version_events(v, vocab, shallow) or [Event(EventKind.EDITED, v, "body")])
    return out


def _version_events(v: Version, vocab: Vocabulary, shallow: bool) -> list[Event]:
    if v.deleted:
        return [Event(EventKind.DELETED, v, v.path)]
    if v.before is None:
        kind = EventKind.FIRST_SEEN if shallow and v.parent is None else EventKind.CREATED
        return [Event(kind, v, "status", None, status_of(v.data))]
    before, data = v.before, v.data or {}
    out = []
    if before.get("id") != data.get("id"):
        out.append(Event(EventKind.ID, v, "id", before.get("id"), data.get("id")))
    if v.old_path is not None:
        out.append(Event(EventKind.RENAMED, v, "path", v.old_path, v.path))
    if status_of(before) != status_of(data):
        out.append(Event(EventKind.STATUS, v, "status", status_of(before), status_of(data)))
    for t in threshold_changes(before, data):
        out.append(Event(EventKind.THRESHOLD, v, f"{t.field} of {t.label}", t.before, t.after))
    for r in result_changes(before, data, vocab):
        worse = r.worse_by()
        better = None if not worse else worse < 0
        out.append(Event(EventKind.RESULT, v, r.label, r.before, r.after, better))
    if _criteria_edited(before, data):
        out.append(Event(EventKind.EDITED, v, "criteria"))
    slip = due_slip(before, data)
    if slip is not None:
        out.append(Event(EventKind.SLIPPED, v, "labeling due", *slip))
    others = changed_keys(before, data) - _SHOWN_APART
    if slip is not None and _only_due_changed(before, data):
        others.discard("labeling")
    if others:
        out.append(Event(EventKind.EDITED, v, ", ".join(sorted(others))))
    return out


def due_slip(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> tuple[str, str] | None:
    """(old, new) when a dataset's `labeling.due` moved to a later date: a slip."""
    old, new = _due(before), _due(after)
    if old is None or new is None or new <= old:
        return None
    return old.isoformat(), new.isoformat()


def _due(data: Mapping[str, Any] | None) -> datetime.date | None:
    labeling = data.get("labeling") if data else None
    return as_day(labeling.get("due")) if isinstance(labeling, Mapping) else None


def _only_due_changed(before: Mapping[str, Any], data: Mapping[str, Any]) -> bool:
    old, new = before.get("labeling"), data.get("labeling")
    if not isinstance(old, Mapping) or not isinstance(new, Mapping):
        return False
    return {k: v for k, v in old.items() if k != "due"} == {k: v for k, v in new.items() if k != "due"}


def _criteria_edited(before: Mapping[str, Any], data: Mapping[str, Any]) -> bool:
    """Criteria that changed in a way other than a launch or target value."""
    return bool(
        _without_thresholds(before.get("criteria")) != _without_thresholds(data.get("criteria"))
    )


def _without_thresholds(criteria: Any) -> Any:
    if not isinstance(criteria, list):
        return criteria
    return [
        {k: v for k, v in c.items() if k not in ("launch", "target")} if isinstance(c, dict) else c
        for c in criteria
    ]


def changed_keys(before: Mapping[str, Any], after: Mapping[str, Any]) -> set[str]:
    """Top-level keys whose value (or presence) differs."""
    missing = object()
    return {k for k in set(before) | set(after) if before.get(k, missing) != after.get(k, missing)}


def review_events(hist: History, settings: Settings, rid: str) -> list[Event]:
    """A `reviewed` event for each model review held of the card `rid`, or for the review `rid`
    itself: at the version in which the review became held (created held, or its status
    changed to held), oldest first. `what` is the review's ID, `before` the card's, `after`
    the review's one-line summary as it was then."""
    from tracecard.model.reviews import card_of, summary

    out = []
    for review_id, rh in hist.records.items():
        for v in rh.versions:
            data = v.data
            if data is None or v.deleted or kind_of(settings, v.path, data) is not Kind.MODEL_REVIEW:
                continue
            if status_of(data) != "held" or (v.before is not None and status_of(v.before) == "held"):
                continue
            card = card_of(data)
            if rid in (review_id, card):
                out.append(Event(EventKind.REVIEWED, v, review_id, card, summary(data)))
    return sorted(out, key=_when)


def _when(e: Event) -> tuple[bool, str]:
    """Uncommitted last, else by author date."""
    return (short(e.version.commit) == "uncommitted", e.version.date)


def with_reviews(events: list[Event], reviews: list[Event]) -> list[Event]:
    """The record's own events with the review events placed among them: after the record's
    events of the same commit when it has some, else before its first later event by date
    (each list keeps its own order; history is topological, dates need not be)."""
    out = list(events)
    for rev in reviews:
        same = [i for i, e in enumerate(out) if e.version.commit == rev.version.commit]
        if same:
            out.insert(same[-1] + 1, rev)
            continue
        later = next((i for i, e in enumerate(out) if _when(e) > _when(rev)), len(out))
        out.insert(later, rev)
    return out


def versions_after(rh: RecordHistory, version: Version) -> Iterable[Version]:
    """The versions that come after `version` in the record's (topological) order."""
    seen = False
    for v in rh.versions:
        if seen:
            yield v
        seen = seen or v is version
