"""Record bodies read by a real CommonMark parser with GitHub's extensions (pulldown-cmark,
through pyromark), the way GitHub renders them.

What the body rules need, with exact source positions:

- headings (ATX and setext; the text a reader sees: code spans kept, HTML left out), and
  paragraphs that are only bold text (`**Context:**`), which real records use as headings;
- prose: for each source line, the line with everything that is not text a reader reads
  (code blocks and spans, HTML blocks, comments and inline HTML, link destinations, markup)
  blanked to spaces, so that a placeholder keeps its column; heading text apart (`labels`),
  so that a heading alone does not make a section non-empty;
- links and images with their destination as the parser reads it (escapes resolved,
  `<...>` and titles removed, wrapped over lines), at the destination's line and column;
  reference definitions at theirs (footnotes are not links);
- code blocks (fenced and indented): the line each starts on.

Placeholders in URLs are not read (policy): a destination is an address, not text, and
`{` in one is more often a template of a real URL than a placeholder.

pyromark was chosen by measurement against markdown-it-py, the reference parser: both agree
on what these rules read (tests/test_markdown.py runs both over the CommonMark examples and a
crafted corpus), and pyromark, a Rust parser with source ranges, walks a 2 KB body in a
tenth of the time. Its offsets are UTF-8 byte offsets; they are turned into 1-based lines
and character columns here.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

import pyromark

from tracecard.load.parse import BOLD_LEVEL, Body, BodyLink, Heading

OPTIONS = (
    pyromark.Options.ENABLE_TABLES
    | pyromark.Options.ENABLE_FOOTNOTES
    | pyromark.Options.ENABLE_STRIKETHROUGH
    | pyromark.Options.ENABLE_TASKLISTS
    | pyromark.Options.ENABLE_GFM
)

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


class _Mask:
    """Per line, which characters are readable text (the rest become spaces)."""

    def __init__(self, src: _Source) -> None:
        self.src = src
        self.keep: dict[int, list[tuple[int, int]]] = {}

    def add(self, start: int, end: int) -> None:
        src = self.src
        i = src.index(start)
        if end < src.starts[i + 1]:  # within one line: the common case
            self.keep.setdefault(i, []).append((src.col(i, start), src.col(i, end)))
            return
        while start < end and i < len(src.lines):
            line_end = src.starts[i + 1] - 1  # the newline of line i
            stop = min(end, line_end)
            if stop > start:
                self.keep.setdefault(i, []).append((src.col(i, start), src.col(i, stop)))
            i += 1
            if i < len(src.starts):
                start = max(start, src.starts[i])

    def lines(self) -> list[tuple[int, str]]:
        out = []
        for i in sorted(self.keep):
            line = self.src.lines[i]
            chars = [" "] * len(line)
            for a, b in self.keep[i]:
                chars[a:b] = line[a:b]
            text = "".join(chars)
            if text.strip():
                out.append((self.src.first + i, text))
        return out


def scan_body(lines: list[str], first_line: int) -> Body:
    """Headings, prose, links and code blocks of a body, by the CommonMark parser."""
    if not any(line.strip() for line in lines):
        return Body((), (), (), ())
    src = _Source(lines, first_line)
    prose, labels = _Mask(src), _Mask(src)
    headings: list[Heading] = []
    links: list[BodyLink] = []
    fences: list[int] = []
    code = html = 0  # depth inside code blocks and HTML blocks
    heading: list[Any] | None = None  # [level, start offset, text parts]
    paragraph: list[Any] | None = None  # [start offset, events] while it may be a bold label
    for event, span in pyromark.events_with_range(src.text, options=OPTIONS, merge_text=True):
        name: Any
        value: Any
        if isinstance(event, dict):
            ((name, value),) = event.items()
        else:
            name, value = event, None
        if name == "Text":
            if not code and not html:
                if heading is not None:
                    heading[2].append(value)
                    labels.add(span["start"], span["end"])
                else:
                    prose.add(span["start"], span["end"])
            if paragraph is not None:
                paragraph[1].append((name, value))
            continue
        if paragraph is not None and not (name == "End" and value == "Paragraph"):
            paragraph[1].append((name, value))
        if name == "Start":
            kind = value if value.__class__ is str else next(iter(value))
            start = span["start"]
            if kind == "CodeBlock":
                code += 1
                fences.append(src.position(start)[0])
            elif kind == "HtmlBlock":
                html += 1
            elif kind == "Heading":
                heading = [_LEVELS[value["Heading"]["level"]], start, []]
            elif kind == "Paragraph":
                paragraph = [start, []] if heading is None else None
            elif kind in ("Link", "Image"):
                info = value[kind]
                if info["link_type"] == "Inline":  # the others resolve through a definition
                    line, col = _destination(src, start, span["end"], info["dest_url"])
                    links.append(BodyLink(info["dest_url"], line, col))
        elif name == "End":
            kind = value if value.__class__ is str else next(iter(value))
            if kind == "Paragraph":
                if paragraph is not None and paragraph[1] and paragraph[1][0] == ("Start", "Strong"):
                    label = _bold_label(paragraph[1])
                    if label is not None:
                        headings.append(Heading(BOLD_LEVEL, label, src.position(paragraph[0])[0]))
                paragraph = None
            elif kind == "CodeBlock":
                code -= 1
            elif kind == "HtmlBlock":
                html -= 1
            elif kind == "Heading" and heading is not None:
                text = "".join(heading[2]).strip()
                headings.append(Heading(heading[0], text, src.position(heading[1])[0]))
                heading = None
        elif name == "Code" and heading is not None and not code and not html:
            heading[2].append(value)
            labels.add(span["start"], span["end"])
    definitions = pyromark.reference_definitions(src.text, options=OPTIONS) if "]:" in src.text else {}
    for definition in definitions.values():
        span = definition["span"]
        line, col = _destination(src, span["start"], span["end"], definition["dest"], ref=True)
        links.append(BodyLink(definition["dest"], line, col))
    links.sort(key=lambda link: (link.line, link.col))
    return Body(tuple(headings), tuple(prose.lines()), tuple(links), tuple(fences),
                tuple(labels.lines()))  # fmt: skip


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


def _destination(src: _Source, start: int, end: int, dest: str, ref: bool = False,
                 ) -> tuple[int, int]:  # fmt: skip
    """Where a link's destination is written in the source (the link's start if not found):
    after `](` for an inline link, after `]:` for a reference definition."""
    raw = src.data[start:end]
    at = raw.find(b"]:") if ref else raw.rfind(b"](")
    if at >= 0:
        at += 2
        while at < len(raw) and raw[at:at + 1] in (b" ", b"\t", b"\n", b"\r", b"<"):
            at += 1
        return src.position(start + at)
    return src.position(start)
