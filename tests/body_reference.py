"""The body reader as it was before its fast paths (tracecard.load.markdown at 4027cdf): a
plain walk over every event. Kept as the reference the fast reader is compared against
(tests/test_markdown.py): both must give the same Body, field for field, on every body.
Not used by tracecard itself."""

from __future__ import annotations

import sys
from bisect import bisect_right
from typing import Any

import pyromark

from tracecard.load.markdown import OPTIONS
from tracecard.load.parse import BOLD_LEVEL, Body, BodyLink, Heading

_LEVELS = {f"H{n}": n for n in range(1, 7)}


class _Source:
    """Byte offsets of one body -> (line, column) and the text of each line."""

    def __init__(self, lines: list[str], first_line: int) -> None:
        self.lines = lines
        self.first = first_line
        self.text = "\n".join(lines) + "\n"
        self.data = self.text.encode("utf-8", "surrogatepass")
        self.ascii = len(self.data) == len(self.text)
        starts = [0]
        for line in lines:
            starts.append(starts[-1] + len(line.encode("utf-8", "surrogatepass")) + 1)
        self.starts = starts  # byte offset where each line starts

    def index(self, offset: int) -> int:
        """The 0-based line index that holds byte `offset`."""
        return max(0, min(bisect_right(self.starts, offset) - 1, len(self.lines) - 1))

    def col(self, index: int, offset: int) -> int:
        """0-based character column of byte `offset` in line `index`."""
        rel = offset - self.starts[index]
        if self.ascii:
            return rel
        return len(self.data[self.starts[index]:offset].decode("utf-8", "surrogatepass"))

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (file line, column) of byte `offset`."""
        i = self.index(offset)
        return self.first + i, self.col(i, offset) + 1


class _Blanks:
    """What of the source is not prose: whole lines (code and HTML blocks, headings) and
    ranges within lines (inline code and HTML, link destinations). Prose is the rest."""

    def __init__(self, src: _Source) -> None:
        self.src = src
        self.lines: set[int] = set()  # 0-based line indexes
        self.ranges: dict[int, list[tuple[int, int]]] = {}

    def block(self, start: int, end: int) -> range:
        """Blank the lines a block spans; return their indexes."""
        first = self.src.index(start)
        last = self.src.index(max(start, end - 1))
        span = range(first, last + 1)
        self.lines.update(span)
        return span

    def inline(self, start: int, end: int) -> None:
        src = self.src
        i = src.index(start)
        while start < end and i < len(src.lines):
            stop = min(end, src.starts[i + 1] - 1)
            if stop > start:
                self.ranges.setdefault(i, []).append((src.col(i, start), src.col(i, stop)))
            i += 1
            if i < len(src.starts):
                start = max(start, src.starts[i])

    def text(self, i: int) -> str:
        line = self.src.lines[i]
        cut = self.ranges.get(i)
        if not cut:
            return line
        chars = list(line)
        for a, b in cut:
            chars[a:b] = " " * (b - a)
        return "".join(chars)

    def prose(self) -> list[tuple[int, str]]:
        out = []
        for i in range(len(self.src.lines)):
            if i not in self.lines:
                text = self.text(i)
                if text.strip():
                    out.append((self.src.first + i, text))
        return out


def scan_body(lines: list[str], first_line: int) -> Body:
    """Headings, prose, links and code blocks of a body, by the CommonMark parser."""
    if not any(line.strip() for line in lines):
        return Body((), (), (), ())
    src = _Source(lines, first_line)
    blanks = _Blanks(src)
    headings: list[Heading] = []
    heading_lines: list[int] = []
    links: list[BodyLink] = []
    fences: list[int] = []
    heading: list[Any] | None = None  # [level, start offset, text parts]
    paragraph: list[Any] | None = None  # [start offset, events] while it may be a bold label
    skip = 0  # inside a code or HTML block: its events are not Markdown
    for event, span in pyromark.events_with_range(src.text, options=OPTIONS, merge_text=True):
        name: Any
        value: Any
        if isinstance(event, dict):
            ((name, value),) = event.items()
        else:
            name, value = event, None
        if name == "Text":
            if heading is not None and not skip:
                heading[2].append(value)
            if paragraph is not None:
                paragraph[1].append((name, value))
            continue
        if paragraph is not None and not (name == "End" and value == "Paragraph"):
            paragraph[1].append((name, value))
        if name == "Start":
            kind = value if value.__class__ is str else next(iter(value))
            start = span["start"]
            if kind == "CodeBlock":
                skip += 1
                fences.append(src.position(start)[0])
                blanks.block(start, span["end"])
            elif kind == "HtmlBlock":
                skip += 1
                blanks.block(start, span["end"])
            elif kind == "Heading":
                heading = [_LEVELS[value["Heading"]["level"]], start, []]
                heading_lines.extend(blanks.block(start, span["end"]))
            elif kind == "Paragraph":
                paragraph = [start, []] if heading is None else None
            elif kind in ("Link", "Image"):
                info = value[kind]
                if info["link_type"] == "Inline":  # the others resolve through a definition
                    at = _destination_offset(src, start, span["end"])
                    line, col = src.position(at)
                    links.append(BodyLink(info["dest_url"], line, col))
                    blanks.inline(at, span["end"])  # an address is not prose
        elif name == "End":
            kind = value if value.__class__ is str else next(iter(value))
            if kind == "Paragraph":
                if paragraph is not None and paragraph[1] and paragraph[1][0] == ("Start", "Strong"):
                    label = _bold_label(paragraph[1])
                    if label is not None:
                        headings.append(Heading(BOLD_LEVEL, label, src.position(paragraph[0])[0]))
                paragraph = None
            elif kind in ("CodeBlock", "HtmlBlock"):
                skip -= 1
            elif kind == "Heading" and heading is not None:
                text = sys.intern("".join(heading[2]).strip())  # "Context", "Decision": recur
                headings.append(Heading(heading[0], text, src.position(heading[1])[0]))
                heading = None
        elif name == "Code":
            if heading is not None:
                heading[2].append(value)
            blanks.inline(span["start"], span["end"])
        elif name in ("InlineHtml", "Html", "InlineMath", "DisplayMath"):
            blanks.inline(span["start"], span["end"])
    if "]:" in src.text:
        for definition in pyromark.reference_definitions(src.text, options=OPTIONS).values():
            span = definition["span"]
            at = _destination_offset(src, span["start"], span["end"], ref=True)
            line, col = src.position(at)
            links.append(BodyLink(definition["dest"], line, col))
            blanks.block(span["start"], span["end"])
    links.sort(key=lambda link: (link.line, link.col))
    labels = [(src.first + i, blanks.text(i)) for i in dict.fromkeys(heading_lines)]
    return Body(tuple(headings), tuple(blanks.prose()), tuple(links), tuple(fences),
                tuple((n, t) for n, t in labels if t.strip()))  # fmt: skip


def _bold_label(events: list[tuple[str, Any]]) -> str | None:
    """`**Context:**` (or `**Context**:`) alone in its paragraph: the label, else None."""
    if len(events) < 3 or events[0] != ("Start", "Strong"):
        return None
    try:
        close = events.index(("End", "Strong"))
    except ValueError:
        return None
    inside, after = events[1:close], events[close + 1:]
    if not inside or any(n not in ("Text", "Code") for n, _ in inside):
        return None
    if any(n != "Text" or str(v).strip() not in ("", ":") for n, v in after):
        return None
    label = "".join(str(v) for _, v in inside).strip()
    return label.rstrip(":").strip() or None


def _destination_offset(src: _Source, start: int, end: int, ref: bool = False) -> int:
    """The byte offset where a link's destination is written (the link's start if not found):
    after `](` for an inline link, after `]:` for a reference definition."""
    raw = src.data[start:end]
    at = raw.find(b"]:") if ref else raw.rfind(b"](")
    if at < 0:
        return start
    at += 2
    while at < len(raw) and raw[at:at + 1] in (b" ", b"\t", b"\n", b"\r", b"<"):
        at += 1
    return start + at
