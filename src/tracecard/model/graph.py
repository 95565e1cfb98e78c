"""RepoGraph: every record, found by ID, with its typed links. Pure: no I/O here."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

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
#: Fields holding a list of mappings whose `key` names a record (None: of any kind).
_ITEM_FIELDS: dict[Kind, dict[str, tuple[str, frozenset[Kind] | None]]] = {
    Kind.REQUIREMENT: {"criteria": ("dataset", frozenset({Kind.DATASET}))},
    Kind.MODEL_CARD: {"results": ("dataset", frozenset({Kind.DATASET}))},
    Kind.MODEL_REVIEW: {"actions": ("record", None)},
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
    #: The records of each kind, and the records in the last scope asked about (`records` is
    #: not changed once the graph is built).
    _kinds: dict[Kind, list[Record]] | None = field(default=None, repr=False)
    _scoped: tuple[frozenset[str] | None, list[Record]] | None = field(default=None, repr=False)

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
        if self._kinds is None:
            kinds: dict[Kind, list[Record]] = {k: [] for k in Kind}
            for r in self.records:
                if r.kind is not None and r.ok:
                    kinds[r.kind].append(r)
            self._kinds = kinds
        return self._kinds[kind]

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
            found = self._links[id(rec)] = list(self._find_links(rec))
        return found

    def _find_links(self, rec: Record) -> Iterator[LinkRef]:
        if rec.kind is None or not rec.ok:
            return
        data = rec.data
        for name, kinds in _LIST_FIELDS.get(rec.kind, {}).items():
            yield from _refs(rec, name, data.get(name), kinds)
        for name, (key, expects) in _ITEM_FIELDS.get(rec.kind, {}).items():
            items = data.get(name)
            if isinstance(items, list):
                for i, item in enumerate(items):
                    if isinstance(item, dict) and isinstance(item.get(key), str):
                        yield LinkRef(rec, f"{name}.{key}", (name, i, key), item[key].strip(), expects)
        if rec.kind is Kind.DECISION:
            succ = rec.superseded_by
            if succ:
                path = ("superseded_by",) if "superseded_by" in data else ("status",)
                yield LinkRef(rec, "superseded_by", path, succ, frozenset({Kind.DECISION}))
        links = data.get("links")
        if isinstance(links, list):
            for i, link in enumerate(links):
                if isinstance(link, dict) and isinstance(link.get("id"), str):
                    yield LinkRef(rec, "links", ("links", i, "id"), link["id"].strip(), None)


def _refs(rec: Record, name: str, value: Any, kinds: frozenset[Kind]) -> Iterator[LinkRef]:
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, str) and item.strip():
                yield LinkRef(rec, name, (name, i), item.strip(), kinds)
    elif isinstance(value, str):
        for rid in id_list(value):
            yield LinkRef(rec, name, (name,), rid, kinds)
