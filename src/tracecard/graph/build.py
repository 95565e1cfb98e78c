"""The drawable graph of a repository: one node per record ID, one labelled edge per typed link.
Pure: no I/O here.

Every link `RepoGraph.links` knows becomes an edge from the record that names it to the record
it names, labelled with its relation: the front-matter key (`supersedes`, `superseded_by`,
`decisions`, `satisfies`, `training_data`, `card`; `criteria.dataset`, `results.dataset` and
`actions.record` for the IDs named inside those lists) or, for a typed link of `links`, its
`rel` (`relates-to`, `amends`, ...). The same relation between the same two records is one
edge, however often it is written (four criteria on one dataset: one `criteria.dataset` edge).

A link to an ID that no record has is kept: its target is a *missing* node, and the edge is
marked broken (drawn dashed).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tracecard.errors import UsageError
from tracecard.model.records import ID_SCHEMES, KIND_NAMES, Kind, resolve_id

if TYPE_CHECKING:  # pragma: no cover
    from tracecard.model.graph import LinkRef, RepoGraph

KIND_ORDER = (Kind.DECISION, Kind.REQUIREMENT, Kind.MODEL_CARD, Kind.DATASET, Kind.MODEL_REVIEW)


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    kind: Kind | None  # None: a missing record whose ID matches no kind's scheme
    title: str | None
    status: str | None  # the lifecycle status (lower case), None when the record has none
    missing: bool = False  # no record has this ID: only links name it

    @property
    def order(self) -> tuple[int, int, str]:
        kind = KIND_ORDER.index(self.kind) if self.kind is not None else len(KIND_ORDER)
        return (int(self.missing), kind, self.id)


@dataclass(frozen=True, slots=True, order=True)
class Edge:
    source: str
    relation: str
    target: str
    broken: bool = False  # the target is a missing node


@dataclass
class Graph:
    """Nodes in a stable order (records by kind then ID, then missing IDs), edges sorted."""

    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)

    def node(self, rid: str) -> Node | None:
        return next((n for n in self.nodes if n.id == rid), None)

    def has_edge(self, source: str, relation: str, target: str) -> bool:
        return any((e.source, e.relation, e.target) == (source, relation, target)
                   for e in self.edges)  # fmt: skip


def relation(link: LinkRef) -> str:
    """The relation a link stands for: its key, or the `rel` of a typed link (`links`)."""
    if link.field == "links" and len(link.path) == 3:
        item = link.source.data.get("links")
        if isinstance(item, list) and isinstance(link.path[1], int) and link.path[1] < len(item):
            entry = item[link.path[1]]
            rel = entry.get("rel") if isinstance(entry, dict) else None
            if isinstance(rel, str) and rel.strip():
                return rel.strip()
        return "links"
    return link.field


def kind_of_id(rid: str) -> Kind | None:
    """The kind an ID's prefix names (`REQ-0009`: requirement), for an ID no record has."""
    for kind, scheme in ID_SCHEMES.items():
        if scheme.pattern.match(rid):
            return kind
    return None


def whole(repo: RepoGraph) -> Graph:
    """Every record with an ID, every link between them, every link to a missing ID."""
    records: dict[str, Node] = {}
    for rec in repo.records:
        if rec.id is None or rec.kind is None or rec.id in records:
            continue  # a duplicate ID is one node (the first record); its links are merged in
        records[rec.id] = Node(rec.id, rec.kind, rec.title, rec.status)
    edges: set[Edge] = set()
    missing: dict[str, Node] = {}
    for rec in repo.records:
        if rec.id is None or rec.id not in records:
            continue
        for link in repo.links(rec):
            target = link.target
            if not target:
                continue
            broken = target not in records
            if broken and target not in missing:
                missing[target] = Node(target, kind_of_id(target), None, None, missing=True)
            edges.add(Edge(rec.id, relation(link), target, broken))
    nodes = sorted([*records.values(), *missing.values()], key=lambda n: n.order)
    place = {n.id: i for i, n in enumerate(nodes)}
    return Graph(nodes, sorted(edges, key=lambda e: (place[e.source], e.relation,
                                                     place[e.target])))


def parse_kinds(names: Iterable[str]) -> frozenset[Kind]:
    """`--kind` values as kinds: `decision`, `adr`, `model_card`, `card`, ... (any case)."""
    kinds = set()
    for name in names:
        kind = KIND_NAMES.get(name.strip().lower())
        if kind is None:
            known = ", ".join(k.value for k in KIND_ORDER)
            raise UsageError(f"unknown kind {name!r}: use one of {known}")
        kinds.add(kind)
    return frozenset(kinds)


def resolve(graph: Graph, idents: Iterable[str]) -> list[str]:
    """The record IDs `idents` name (`ADR-0004`, `adr-4`, `fraud-detector`); an ID no record
    has is a UsageError (exit 2), even when a link names it."""
    known = [n.id for n in graph.nodes if not n.missing]
    found = []
    for ident in idents:
        rid = resolve_id(known, ident)
        if rid is None:
            raise UsageError(f"unknown ID {ident!r}: no record has it")
        found.append(rid)
    return list(dict.fromkeys(found))


def select(graph: Graph, ids: Iterable[str] = (), depth: int | None = None,
           kinds: frozenset[Kind] = frozenset()) -> Graph:  # fmt: skip
    """The part of `graph` to draw.

    With `ids` (resolved record IDs): those records and every node at most `depth` links away,
    following links in both directions (breadth first over the whole graph, whatever `kinds`
    says). With `kinds`: only records of those kinds, but a broken link from a record that is
    drawn is always drawn, with its missing node. Edges are those between drawn nodes."""
    wanted = list(ids)
    keep: set[str]
    if wanted:
        keep = _reach(graph, wanted, 1 if depth is None else depth)
    else:
        keep = {n.id for n in graph.nodes}
    if kinds:
        keep = {n.id for n in graph.nodes
                if n.id in keep and not n.missing and n.kind in kinds}  # fmt: skip
        keep |= {e.target for e in graph.edges if e.broken and e.source in keep}
    nodes = [n for n in graph.nodes if n.id in keep]
    edges = [e for e in graph.edges if e.source in keep and e.target in keep]
    return Graph(nodes, edges)


def _reach(graph: Graph, start: list[str], depth: int) -> set[str]:
    neighbours: dict[str, set[str]] = {n.id: set() for n in graph.nodes}
    for e in graph.edges:
        neighbours[e.source].add(e.target)
        neighbours[e.target].add(e.source)
    seen = set(start)
    queue = deque((rid, 0) for rid in start)
    while queue:
        rid, d = queue.popleft()
        if d >= depth:
            continue
        for other in sorted(neighbours[rid]):
            if other not in seen:
                seen.add(other)
                queue.append((other, d + 1))
    return seen
