"""Mermaid and Graphviz DOT text for a `Graph`. Pure: no I/O here.

Safety: record content (IDs that links name, titles, statuses, relations written in `links`)
never becomes syntax. Node identifiers are generated (`n0`, `n1`, ... in the graph's order),
never taken from a record; every label is one quoted string, escaped for its format, with
control, format and line-separator characters removed, so that each node and each edge is
exactly one line and a title cannot add a node, an edge, a comment, a directive or a line.

- Mermaid: `"..."` labels in which everything but letters, digits, spaces and `.,:-_/'()+=?!@*~`
  is written as an entity code (`#34;` for `"`, `#60;` for `<`, `#96;` for a backtick, `#37;`
  for `%`), so `"`, `]`, `|`, `%%`, `-->`, backticks and HTML are shown as text.
- DOT: `"..."` strings with `\\` and `"` backslash-escaped and `&` written `&amp;` (Graphviz
  reads entities in labels); no HTML labels, no record shapes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from tracecard.graph.build import Graph, Node
from tracecard.model.records import INACTIVE_STATUSES, Kind

#: The longest title drawn, in characters (longer ones end in an ellipsis).
MAX_TITLE = 80

#: The style class of each status (statuses not listed here have none).
STATUS_CLASS = {
    "production": "production",
    "candidate": "candidate",
    "draft": "draft",
    "proposed": "draft",
    **{s: "inactive" for s in sorted(INACTIVE_STATUSES)},
}
MISSING = "missing"


def style_class(node: Node) -> str | None:
    """The style class of a node: `missing`, or the class of its status, or None."""
    if node.missing:
        return MISSING
    return STATUS_CLASS.get(node.status or "")


def clean(text: str) -> str:
    """Text on one line: control, format, surrogate, private-use, unassigned and separator
    characters (newlines, U+2028, bidi overrides, zero-width) become spaces; runs of spaces
    become one."""
    chars = [" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text]
    return " ".join("".join(chars).split())


def short(text: str, limit: int = MAX_TITLE) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _lines(node: Node) -> list[str]:
    """What a node's label says, line by line (not yet escaped)."""
    first = short(clean(node.id)) or "?"  # a link may name anything, at any length
    if node.missing:
        return [first, "missing: no record has this ID"]
    out = [first]
    title = clean(node.title or "")
    if title:
        out.append(short(title))
    status = clean(node.status or "")
    if status:
        out.append(f"status: {short(status, 30)}")
    return out


# --- Mermaid -------------------------------------------------------------------------------

_MERMAID_SAFE = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:-_/'()+=?!@*~"
)

MERMAID_CLASSES = (
    ("production", "fill:#d9f2d9,stroke:#2e7d32,stroke-width:3px,color:#1b4d1e"),
    ("candidate", "fill:#fff4cc,stroke:#b58900,color:#5c4500"),
    ("draft", "fill:#ffffff,stroke:#888888,stroke-dasharray:4 3,color:#444444"),
    ("inactive", "fill:#eeeeee,stroke:#aaaaaa,color:#888888"),
    ("missing", "fill:#ffffff,stroke:#c62828,stroke-dasharray:5 5,color:#c62828"),
)
#: Opening and closing brackets of each kind's shape.
MERMAID_SHAPES: dict[Kind | None, tuple[str, str]] = {
    Kind.DECISION: ("[", "]"),  # rectangle
    Kind.REQUIREMENT: ("([", "])"),  # stadium
    Kind.MODEL_CARD: ("[[", "]]"),  # subroutine
    Kind.DATASET: ("[(", ")]"),  # cylinder
    Kind.MODEL_REVIEW: ("{{", "}}"),  # hexagon
    None: ("[", "]"),
}
#: The lines before the nodes: always these, so output lines = header + nodes + edges.
MERMAID_HEADER = (
    "flowchart LR",
    "    %% tracecard graph: records and their typed links",
    *(f"    classDef {name} {style}" for name, style in MERMAID_CLASSES),
)


def mermaid_text(text: str) -> str:
    """Record content as the inside of a Mermaid `"..."` label: inert, on one line."""
    out = []
    for ch in clean(text):
        if ch in _MERMAID_SAFE or ord(ch) > 127:
            out.append(ch)
        else:
            out.append(f"#{ord(ch)};")
    return "".join(out)


def mermaid(graph: Graph) -> str:
    """A Mermaid flowchart (without the ```mermaid fence)."""
    ids = _ids(graph)
    lines = list(MERMAID_HEADER)
    for node in graph.nodes:
        opening, closing = MERMAID_SHAPES[None if node.missing else node.kind]
        label = "<br/>".join(mermaid_text(part) for part in _lines(node))
        cls = style_class(node)
        lines.append(f'    {ids[node.id]}{opening}"{label}"{closing}'
                     + (f":::{cls}" if cls else ""))  # fmt: skip
    for edge in graph.edges:
        arrow = "-.->" if edge.broken else "-->"
        rel = mermaid_text(edge.relation) or "?"  # Mermaid refuses an empty label
        lines.append(f'    {ids[edge.source]} {arrow}|"{rel}"| '
                     f"{ids[edge.target]}")  # fmt: skip
    return "\n".join(lines) + "\n"


# --- Graphviz DOT --------------------------------------------------------------------------

DOT_SHAPES: dict[Kind | None, str] = {
    Kind.DECISION: "box",
    Kind.REQUIREMENT: "note",
    Kind.MODEL_CARD: "component",
    Kind.DATASET: "cylinder",
    Kind.MODEL_REVIEW: "hexagon",
    None: "box",
}
#: Node attributes per style class (after label and shape).
DOT_CLASSES = {
    "production": 'fillcolor="#d9f2d9", color="#2e7d32", penwidth=3',
    "candidate": 'fillcolor="#fff4cc", color="#b58900"',
    "draft": 'style="rounded,filled,dashed", color="#888888"',
    "inactive": 'fillcolor="#eeeeee", color="#aaaaaa", fontcolor="#888888"',
    "missing": 'style="dashed", color="#c62828", fontcolor="#c62828"',
}
DOT_HEADER = (
    "// tracecard graph: records and their typed links",
    "digraph tracecard {",
    '  graph [rankdir=LR, fontname="Helvetica"];',
    '  node [shape=box, style="rounded,filled", fillcolor="white", fontname="Helvetica", '
    "fontsize=10];",
    '  edge [fontname="Helvetica", fontsize=9];',
)
DOT_FOOTER = ("}",)


def dot_text(text: str) -> str:
    """Record content as the inside of a DOT `"..."` string: inert, on one line."""
    return clean(text).replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;")


def dot(graph: Graph) -> str:
    """A Graphviz digraph."""
    ids = _ids(graph)
    lines = list(DOT_HEADER)
    for node in graph.nodes:
        label = "\\n".join(dot_text(part) for part in _lines(node))
        attrs = [f'label="{label}"', f"shape={DOT_SHAPES[None if node.missing else node.kind]}"]
        cls = style_class(node)
        if cls:
            attrs += [f'class="{cls}"', DOT_CLASSES[cls]]
        lines.append(f"  {ids[node.id]} [{', '.join(attrs)}];")
    for edge in graph.edges:
        attrs = [f'label="{dot_text(edge.relation) or "?"}"']
        if edge.broken:
            attrs.append('style=dashed, color="#c62828", fontcolor="#c62828"')
        lines.append(f"  {ids[edge.source]} -> {ids[edge.target]} [{', '.join(attrs)}];")
    lines += DOT_FOOTER
    return "\n".join(lines) + "\n"


def _ids(graph: Graph) -> dict[str, str]:
    """Generated identifiers, `n0`, `n1`, ... in the graph's (sorted) node order."""
    return {node.id: f"n{i}" for i, node in enumerate(graph.nodes)}


RENDERERS: dict[str, Callable[[Graph], str]] = {"mermaid": mermaid, "dot": dot}
FENCES = {"mermaid": "mermaid", "dot": "dot"}


def fenced(fmt: str, text: str) -> str:
    """The output in a Markdown code block (```mermaid renders as a diagram on GitHub).
    No line of the output starts with a backtick, so the fence cannot be closed early."""
    return f"```{FENCES[fmt]}\n{text}```\n"
