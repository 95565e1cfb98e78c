"""RepoGraph: every record, found by ID, with its typed links. Pure: no I/O here."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tracecard.model.fast import constructor
from tracecard.model.records import Kind, Record, id_list

if TYPE_CHECKING:  # pragma: no cover
    from tracecard.load.config import Settings


@dataclass(frozen=True, slots=True)
class LinkRef:
    """One reference from a record to an ID, with the JSON path of the value that names it."""

    source: Record
    field: str  # e.g. "satisfies", "links", "results.dataset"
    path: tuple[str | int, ...]
    target: str
    expects: frozenset[Kind] | None  # None: any kind


#: LinkRef(...), built through its slots: a run makes one per ID every record names.
_link_ref = constructor(LinkRef)

#: Fields that name other records, per kind of the source, and the kinds they must name.
_LIST_FIELDS: dict[Kind, dict[str, frozenset[Kind]]] = {
    Kind.DECISION: {"supersedes": frozenset({Kind.DECISION})},
    Kind.REQUIREMENT: {"decisions": frozenset({Kind.DECISION})},
    Kind.MODEL_CARD: {
        "satisfies": frozenset({Kind.REQUIREMENT}),
        "decisions": frozenset({Kind.DECISION}),
        "training_data": frozenset({Kind.DATASET}),
    },
    Kind.DATASET: {"decisions": frozenset({Kind.DECISION})},
    Kind.MODEL_REVIEW: {"card": frozenset({Kind.MODEL_CARD})},
}
#: Fields holding a list of mappings whose `key` names a record (None: of any kind), with
#: the name of the field a link reference is said to be in.
_ITEM_FIELDS: dict[Kind, dict[str, tuple[str, frozenset[Kind] | None, str]]] = {
    Kind.REQUIREMENT: {"criteria": ("dataset", frozenset({Kind.DATASET}), "criteria.dataset")},
    Kind.MODEL_CARD: {"results": ("dataset", frozenset({Kind.DATASET}), "results.dataset")},
    Kind.MODEL_REVIEW: {"actions": ("record", None, "actions.record")},
}


@dataclass
class RepoGraph:
    settings: Settings
    records: list[Record]
    by_id: dict[str, Record] = field(default_factory=dict)
    duplicates: dict[str, list[Record]] = field(default_factory=dict)
    _links: dict[int, list[LinkRef]] = field(default_factory=dict, repr=False)
    #: The codes of the single-record rules already run on every record as it was loaded
    #: (their findings are each record's `local`); `run_rules` does not run those again.
    local_codes: frozenset[str] = frozenset()
    #: The files whose findings are wanted, when a check reports on some files only (the
    #: pre-commit hook's): rules may skip work whose findings would land elsewhere, and a
    #: finding elsewhere may be placed at 0:0 (it is dropped). None: every file.
    scope: frozenset[str] | None = None
    #: The readable records of each kind, in order, with the number of records they were
    #: sorted out of (a list that grew is sorted again): most rules ask for a kind or two.
    _kinds: tuple[int, dict[Kind, list[Record]]] | None = field(
        default=None, repr=False, compare=False
    )
    #: What several rules read and one works out, kept for the others (keyed by the module
    #: that works it out): a graph's records do not change once it is built.
    memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    #: The records in the last scope asked about.
    _scoped: tuple[frozenset[str] | None, list[Record]] | None = field(default=None, repr=False, compare=False)

    def in_scope(self, rec: Record) -> bool:
        return self.scope is None or rec.path in self.scope

    def scoped(self, kind: Kind | None = None) -> list[Record]:
        """The records in scope (all when there is none), in order; with `kind`, the readable
        ones of that kind (`of_kind`'s). A rule whose findings are all in the record it looks
        at loops over these: a check of one file looks at one record. Do not change the list."""
        if self.scope is None:
            return self._of_kind(kind) if kind is not None else self.records
        if self._scoped is None or self._scoped[0] is not self.scope:
            scope = self.scope
            self._scoped = (scope, [r for r in self.records if r.path in scope])
        found = self._scoped[1]
        return found if kind is None else [r for r in found if r.kind is kind and r.ok]

    @classmethod
    def build(cls, settings: Settings, records: list[Record]) -> RepoGraph:
        graph = cls(settings, records)
        for rec in records:
            if rec.id is None or rec.kind is None:
                continue
            if rec.id in graph.by_id:
                graph.duplicates.setdefault(rec.id, [graph.by_id[rec.id]]).append(rec)
            else:
                graph.by_id[rec.id] = rec
        return graph

    def of_kind(self, kind: Kind) -> Iterator[Record]:
        """The readable records of `kind`, in order."""
        return iter(self._of_kind(kind))

    def _of_kind(self, kind: Kind) -> list[Record]:
        if self._kinds is None or self._kinds[0] != len(self.records):
            kinds: dict[Kind, list[Record]] = {k: [] for k in Kind}
            for r in self.records:
                if r.kind is not None and r.parsed.data is not None:  # r.ok
                    kinds[r.kind].append(r)
            self._kinds = (len(self.records), kinds)
        return self._kinds[1][kind]

    def get(self, rid: str) -> Record | None:
        return self.by_id.get(rid)

    def referrers(self, ids: set[str]) -> list[Record]:
        """The records with a link to one of `ids` (a deleted, renumbered or changed record's
        neighbours: what a change to it may break)."""
        return [rec for rec in self.records
                if any(link.target.strip() in ids for link in self.links(rec))]  # fmt: skip

    def links(self, rec: Record) -> list[LinkRef]:
        """Every ID `rec` names in its front matter (computed once per record: several rules ask)."""
        found = self._links.get(id(rec))
        if found is None:
            found = self._links[id(rec)] = self._find_links(rec)
        return found

    def _find_links(self, rec: Record) -> list[LinkRef]:
        if rec.kind is None or not rec.ok:
            return []
        found: list[LinkRef] = []
        add = found.append
        data = rec.data
        for name, kinds in _LIST_FIELDS.get(rec.kind, {}).items():
            value = data.get(name)
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, str):
                        rid = item.strip()
                        if rid:
                            add(_link_ref(rec, name, (name, i), rid, kinds))
            elif isinstance(value, str):
                for rid in id_list(value):
                    add(_link_ref(rec, name, (name,), rid, kinds))
        for name, (key, expects, field_name) in _ITEM_FIELDS.get(rec.kind, {}).items():
            items = data.get(name)
            if isinstance(items, list):
                for i, item in enumerate(items):
                    if isinstance(item, dict):
                        target = item.get(key)
                        if isinstance(target, str):
                            add(_link_ref(rec, field_name, (name, i, key), target.strip(), expects))
        if rec.kind is Kind.DECISION:
            succ = rec.superseded_by
            if succ:
                path = ("superseded_by",) if "superseded_by" in data else ("status",)
                add(_link_ref(rec, "superseded_by", path, succ, _DECISION))
        links = data.get("links")
        if isinstance(links, list):
            for i, link in enumerate(links):
                if isinstance(link, dict):
                    target = link.get("id")
                    if isinstance(target, str):
                        add(_link_ref(rec, "links", ("links", i, "id"), target.strip(), None))
        return found


_DECISION = frozenset({Kind.DECISION})
