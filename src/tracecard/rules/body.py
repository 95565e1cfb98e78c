"""Body: the sections a kind needs are there and filled, no template text, no broken links."""

from __future__ import annotations

import functools
import os
import re
from bisect import bisect_right
from collections.abc import Iterator
from operator import itemgetter
from urllib.parse import unquote

from tracecard.load.parse import BodyLink, Heading
from tracecard.model.findings import Finding, Severity
from tracecard.model.graph import RepoGraph
from tracecard.model.records import Record
from tracecard.rules.base import Rule

_NUMBERING = re.compile(r"^(?:\d+(?:\.\d+)*[.)]?|[ivx]+\.)\s+")


@functools.lru_cache(maxsize=8192)  # the same headings recur in every record of a kind
def normalise_heading(text: str) -> str:
    """`## 2. Context:` -> `context`; emphasis and numbering do not matter."""
    t = text.strip().strip("*_").strip().lower()
    t = _NUMBERING.sub("", t)
    return " ".join(t.rstrip(":").split())


@functools.lru_cache(maxsize=256)
def _normalised(names: tuple[str, ...]) -> tuple[str, ...]:
    """A configured section's names, normalised (once: every record asks)."""
    return tuple(map(normalise_heading, names))


def _section_end(rec: Record, i: int) -> int:
    """The last line of the section of heading `i`: before the next heading at its level or
    above, else the body's last line."""
    heads = rec.body.headings
    level = heads[i].level
    for h in heads[i + 1:]:
        if h.level <= level:
            return h.line - 1
    return rec.parsed.body_start + len(rec.parsed.body_lines) - 1


def _section_index(graph: RepoGraph, rec: Record) -> dict[str, int]:
    """Normalised heading -> the position of the first such heading; built once per record
    (where a section ends is worked out for the sections a rule asks for), and kept with the
    graph (the records it holds live as long as it does)."""
    indexes: dict[int, dict[str, int]] = graph.memo.setdefault("rules.body.sections", {})
    index = indexes.get(id(rec))
    if index is None:
        index = indexes[id(rec)] = {}
        for i, h in enumerate(rec.body.headings):
            index.setdefault(normalise_heading(h.text), i)
    return index


def _has_section(index: dict[str, int], names: tuple[str, ...]) -> bool:
    return any(n in index for n in _normalised(names))


def _find(rec: Record, index: dict[str, int], names: tuple[str, ...]) -> tuple[Heading, int] | None:
    """The first section (by line) that has one of `names` (`index`: `_section_index(rec)`),
    with its last line."""
    hits = [index[n] for n in _normalised(names) if n in index]
    if not hits:
        return None
    heads = rec.body.headings
    i = hits[0] if len(hits) == 1 else min(hits, key=lambda j: heads[j].line)
    return heads[i], _section_end(rec, i)


def _has_content(rec: Record, head: Heading, end: int) -> bool:
    prose = rec.body.prose  # in line order: only the lines after the heading are read
    for i in range(bisect_right(prose, head.line, key=_LINE), len(prose)):
        ln, text = prose[i]
        if ln > end:
            break
        if text.strip():
            return True
    return any(head.line < ln <= end for ln in rec.body.fences)


_LINE = itemgetter(0)


def _front_matter_has(rec: Record, name: str) -> bool:
    """`Intended Use` may be given as the `intended_use` key instead of a section."""
    value = rec.data.get(name.lower().replace(" ", "_"))
    return bool(value) and not isinstance(value, bool)


def _anchor(rec: Record) -> tuple[int, int]:
    h1 = next((h for h in rec.body.headings if h.level == 1), None)
    return (h1.line, 1) if h1 else (rec.parsed.body_start, 1)


class MissingSection(Rule):
    """What it does:
    Reports a required body section that is not there. By default a decision needs *Context*
    (MADR's *Context and Problem Statement* counts) and *Decision* (*Decision Outcome* counts);
    a model card needs *Intended Use* (or an `intended_use` key) and *Evaluation Data* (the
    Hugging Face Trainer's *Intended uses & limitations* and *Training and evaluation data*
    count, as does the Hub template's *Evaluation*). The `sections` table of the configuration sets the list per kind. Headings match at any level,
    ignoring case, numbering and a trailing colon. The finding is at the record's title.

    Why it matters:
    A decision without its context cannot be re-examined when circumstances change; a model
    card without its evaluation data makes a claim nobody can reproduce.

    Example:
    ```markdown
    # Use two-tower retrieval

    ## Decision

    We use a two-tower model.
    ```

    Fix:
    Add the section (`## Context`) and write what forced the decision.
    """

    code = "BDY001"
    per_record = True  # tracecard.load.cache keeps its findings per file
    name = "missing-section"

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        required = graph.settings.sections
        for rec in graph.records:
            wanted = required.get(rec.kind) if rec.ok and rec.kind is not None else None
            if not wanted:
                continue
            index = _section_index(graph, rec)
            for names in wanted:
                if not _has_section(index, names) and not _front_matter_has(rec, names[0]):
                    line, col = _anchor(rec)
                    yield self.found(rec.path, line, col, f"no '{names[0]}' section: add '## {names[0]}'")


class EmptySection(Rule):
    """What it does:
    Reports a required section whose heading is there with nothing under it (blank lines and
    HTML comments do not count; a sub-section with text does).

    Why it matters:
    An empty heading looks complete at a glance and in review, which is worse than a missing
    one.

    Example:
    ```markdown
    ## Consequences

    ## Alternatives
    ```

    Fix:
    Write the section, or remove it if your configuration does not require it.
    """

    code = "BDY002"
    per_record = True  # tracecard.load.cache keeps its findings per file
    name = "empty-section"

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        required = graph.settings.sections
        for rec in graph.records:
            wanted = required.get(rec.kind) if rec.ok and rec.kind is not None else None
            if not wanted:
                continue
            index = _section_index(graph, rec)
            for names in wanted:
                hit = _find(rec, index, names)
                if hit is not None and not _has_content(rec, *hit):
                    yield self.found(rec.path, hit[0].line, 1, f"section '{hit[0].text}' is empty: write it")


_PLACEHOLDER = re.compile(
    r"\[More Information Needed\]"
    r"|\{\{[^{}\n]*\}\}"
    r"|(?<![\\\w$}{])\{[A-Za-z][^{}\s]*(?:\s+[^{}\s]+){2,}\s*\}"  # {three or more words}
    r"|\b(?:TODO|TBD|FIXME)\b"
)


class Placeholder(Rule):
    """What it does:
    Warns about template text left in a record's body: Hugging Face's
    `[More Information Needed]`, `{{...}}` and MADR-style `{describe the context}` placeholders,
    and the words `TODO`, `TBD` and `FIXME`. The body is read as GitHub renders it (CommonMark
    with GitHub's tables and footnotes): headings, paragraphs, list items, table cells and
    link text are read; code blocks, inline code, HTML (blocks, comments, tags) and link
    destinations are not (a URL is an address, and `{...}` in one is usually a real template).

    Why it matters:
    A record with placeholders looks finished in a file listing but answers none of the
    questions its sections ask.

    Example:
    ```markdown
    ## Evaluation Data

    [More Information Needed]
    ```

    Fix:
    Replace the placeholder with the real content, or delete the section if it is optional.
    """

    code = "BDY003"
    per_record = True  # tracecard.load.cache keeps its findings per file
    name = "placeholder"
    severity = Severity.WARNING

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        for rec in graph.records:
            for line, text in (*rec.body.labels, *rec.body.prose):
                # A cheap first look: most lines hold nothing a placeholder starts with. (`[` is
                # found at memchr speed, `[More` much slower: its last letter is common.)
                if not ("{" in text or ("[" in text and "[More" in text) or "TODO" in text
                        or "TBD" in text or "FIXME" in text):  # fmt: skip
                    continue
                m = _PLACEHOLDER.search(text)
                if m:
                    yield self.found(rec.path, line, m.start() + 1, f"template placeholder {m.group(0)!r} left in: replace it")


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


class BrokenRelativeLink(Rule):
    """What it does:
    Reports a relative Markdown link or image (`[text](../datasets/holdout.md)`) whose file does
    not exist, resolved from the record's folder. Web links, `mailto:` and in-page anchors are
    not checked.

    Why it matters:
    Records point at each other and at evidence (notebooks, dashboards exported to files). A
    link broken by a rename sends the reader nowhere, usually at the moment they need it.

    Example:
    ```markdown
    See [the holdout sheet](../datasets/holdout-2025.md).
    ```

    Fix:
    Point the link at the file's current path, or link by ID in the front matter (`links`).
    """

    code = "BDY004"
    name = "broken-relative-link"

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        exists: dict[str, bool] = {}
        for rec, link, rel, path in relative_targets(graph, scoped=True):
            if path not in exists:
                exists[path] = os.path.exists(path)
            if not exists[path]:
                yield self.found(rec.path, link.line, link.col, f"link to {rel}, which does not exist: fix the path")


def relative_targets(graph: RepoGraph, scoped: bool = False) -> Iterator[tuple[Record, BodyLink, str, str]]:
    """Every relative link of every body (`scoped`: of the records in the graph's scope): the
    record, the link, the path as written, and the file it names (BDY004 asks whether it
    exists; the result cache depends on that). Worked out once per graph."""
    if scoped and graph.scope is not None:  # a check of some files: theirs alone
        yield from _relative_targets(graph, graph.scoped())
        return
    found: list[tuple[Record, BodyLink, str, str]] | None = graph.memo.get("rules.body.relative")
    if found is None:
        found = graph.memo["rules.body.relative"] = list(_relative_targets(graph, graph.records))
    yield from found


def _relative_targets(graph: RepoGraph, records: list[Record]) -> Iterator[tuple[Record, BodyLink, str, str]]:
    root = str(graph.settings.root)
    # The same link from the same folder names the same file: resolved once.
    resolved: dict[tuple[str, str], tuple[str, str] | None] = {}
    for rec in records:
        if not rec.body.links:
            continue
        folder = os.path.dirname(os.path.join(root, rec.path))
        for link in rec.body.links:
            key = (folder, link.target)
            if key not in resolved:
                resolved[key] = _resolve(folder, link.target)
            hit = resolved[key]
            if hit is not None:
                yield rec, link, hit[0], hit[1]


def _resolve(folder: str, target: str) -> tuple[str, str] | None:
    """(the path as written, the file it names) for a relative link, else None."""
    if not target or target.startswith(("#", "/")) or _SCHEME.match(target):
        return None
    rel = unquote(target.split("#", 1)[0].split("?", 1)[0])
    if not rel:
        return None
    return rel, os.path.normpath(os.path.join(folder, rel))
