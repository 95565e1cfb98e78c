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

The walk over the events is most of what a body costs once the parser has run (10,000 bodies,
700,000 events), so it takes short cuts: a paragraph's and a heading's own events are read
by a loop of their own where they start, an ASCII body's offsets are its columns, a line is
blanked only where something in it is not prose. tests/body_reference.py keeps the plain walk
it replaced; tests/test_markdown.py holds both to the same Body on crafted and generated
bodies.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_right
from itertools import accumulate
from operator import attrgetter
from typing import Any

import pyromark

from tracecard.load.parse import (
    BOLD_LEVEL,
    Body,
    BodyLink,
    Heading,
    make_body,
    make_heading,
    make_link,
)

OPTIONS = (
    pyromark.Options.ENABLE_TABLES
    | pyromark.Options.ENABLE_FOOTNOTES
    | pyromark.Options.ENABLE_STRIKETHROUGH
    | pyromark.Options.ENABLE_TASKLISTS
    | pyromark.Options.ENABLE_GFM
)
#: The parser with these options, made once (a call then costs less: 10,000 bodies a run).
_MARKDOWN = pyromark.Markdown(options=OPTIONS)

_LEVELS = {f"H{n}": n for n in range(1, 7)}
_LINK_ORDER = attrgetter("line", "col")
_STRONG = {"Start": "Strong"}
_STRONG_END = {"End": "Strong"}
_PARAGRAPH_END = {"End": "Paragraph"}
_DEFINITION = re.compile(r"\]:")  # in every link reference definition
_intern = sys.intern

_heading, _link, _body = make_heading, make_link, make_body


class _Source:
    """One body: byte offsets -> (line, column), and what of it is not prose: whole lines
    (code and HTML blocks, headings, link definitions) and ranges within lines (inline code and
    HTML, link destinations). Prose is the rest."""

    __slots__ = ("lines", "first", "text", "ascii", "starts", "count", "_data", "blank", "ranges")

    def __init__(self, lines: list[str], first_line: int, text: str) -> None:
        self.lines = lines
        self.first = first_line
        self.text = text
        self.count = len(lines)
        # ASCII: a byte offset is a character offset (most bodies; `isascii` costs nothing)
        self.ascii = text.isascii()
        sizes = [len(line) + 1 for line in lines] if self.ascii else [
            len(line.encode("utf-8", "surrogatepass")) + 1 for line in lines
        ]
        # byte offset where each line starts, and where the text ends
        self.starts = list(accumulate(sizes, initial=0))
        self._data: bytes | None = None
        self.blank: set[int] = set()  # 0-based indexes of lines that are not prose
        self.ranges: dict[int, list[tuple[int, int]]] = {}  # line index -> blanked columns

    @property
    def data(self) -> bytes:
        if self._data is None:
            self._data = self.text.encode("utf-8", "surrogatepass")
        return self._data

    def index(self, offset: int) -> int:
        """The 0-based line index that holds byte `offset` (offsets are never negative)."""
        return bisect_right(self.starts, offset, 0, self.count) - 1

    def col(self, index: int, offset: int) -> int:
        """0-based character column of byte `offset` in line `index`."""
        if self.ascii:
            return offset - self.starts[index]
        return len(self.data[self.starts[index]:offset].decode("utf-8", "surrogatepass"))

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (file line, column) of byte `offset`."""
        i = self.index(offset)
        return self.first + i, self.col(i, offset) + 1

    def block(self, start: int, end: int) -> range:
        """Blank the lines a block spans; return their indexes."""
        starts, count = self.starts, self.count
        first = bisect_right(starts, start, 0, count) - 1
        last = bisect_right(starts, end - 1, 0, count) - 1 if end > start else first
        span = range(first, last + 1)
        self.blank.update(span)
        return span

    def inline(self, start: int, end: int) -> None:
        """Blank the bytes from `start` to `end` (over lines if they span several)."""
        starts = self.starts
        i = bisect_right(starts, start, 0, self.count) - 1
        stop = starts[i + 1] - 1
        if self.ascii and end <= stop:  # within one line (most spans): columns are offsets
            if end > start:
                self.ranges.setdefault(i, []).append((start - starts[i], end - starts[i]))
            return
        while start < end and i < self.count:
            stop = min(end, starts[i + 1] - 1)
            if stop > start:
                self.ranges.setdefault(i, []).append((self.col(i, start), self.col(i, stop)))
            i += 1
            if i < len(starts):
                start = max(start, starts[i])

    def texts(self) -> list[str]:
        """Each line with its blanked ranges turned to spaces (a new list)."""
        out = list(self.lines)
        for i, cut in self.ranges.items():
            line = out[i]
            for a, b in cut:  # columns within the line; a blank keeps the line's length
                line = line[:a] + " " * (b - a) + line[b:]
            out[i] = line
        return out


def scan_body(lines: list[str], first_line: int) -> Body:
    """Headings, prose, links and code blocks of a body, by the CommonMark parser."""
    text = "\n".join(lines) + "\n"
    if text.isspace():  # no line has anything but white space
        return Body((), (), (), ())
    src = _Source(lines, first_line, text)
    starts, count, blank, inline = src.starts, src.count, src.blank, src.inline
    headings: list[Heading] = []
    heading_lines: list[int] = []
    links: list[BodyLink] = []
    fences: list[int] = []
    skip = 0  # inside a code or HTML block: its events are not Markdown
    event: Any
    value: Any
    label: list[str] | None
    # Events are single-key dicts, or the bare strings SoftBreak, HardBreak and Rule (which
    # hold none of the keys tested here). The commonest are tested first. A paragraph's and a
    # heading's own events are read where they start, by a loop of their own.
    events = _MARKDOWN.events_with_range(text, merge_text=True)
    for event, span in events:
        if "Text" in event:
            continue
        if "Start" in event:
            value = event["Start"]
            if value.__class__ is str:
                if value == "Paragraph":
                    # A paragraph that is only bold text is read as a heading (`**Context:**`):
                    # `label` holds that text while the paragraph may be one.
                    para_start, first, label, closed = span["start"], True, None, False
                    for event, span in events:
                        if "Text" in event:
                            if label is not None:
                                if not closed:
                                    label.append(event["Text"])
                                elif event["Text"].strip() not in ("", ":"):
                                    label = None
                            first = False
                            continue
                        if first:
                            first = False
                            if event == _STRONG:
                                label = []
                                continue
                        if "End" in event:
                            if event == _PARAGRAPH_END:
                                break
                            if label is not None:
                                if closed or event != _STRONG_END:
                                    label = None
                                closed = True
                            continue
                        if label is not None:
                            if not closed and "Code" in event and event.__class__ is dict:
                                label.append(event["Code"])  # (and blanked below)
                            else:
                                label = None
                        if "Start" in event:
                            value = event["Start"]
                            if value.__class__ is not str and ("Link" in value or "Image" in value):
                                _link_at(src, value.get("Link") or value["Image"], span, links)
                        elif "Code" in event:
                            inline(span["start"], span["end"])
                        elif ("InlineHtml" in event or "Html" in event or "InlineMath" in event
                              or "DisplayMath" in event):  # fmt: skip
                            inline(span["start"], span["end"])
                    else:
                        break  # (the parser closes every paragraph it opens)
                    if label and closed:
                        name = "".join(label).strip().rstrip(":").strip()
                        if name:
                            line = first_line + src.index(para_start)
                            headings.append(_heading(BOLD_LEVEL, name, line))
                elif value == "HtmlBlock":
                    skip += 1
                    src.block(span["start"], span["end"])
            elif "Heading" in value:
                level = _LEVELS[value["Heading"]["level"]]
                start, end = span["start"], span["end"]
                i = bisect_right(starts, start, 0, count) - 1
                line = first_line + i
                if end <= starts[i + 1]:  # on one line (ATX), the common case
                    heading_lines.append(i)  # (blanked below)
                else:
                    heading_lines.extend(src.block(start, end))
                # The heading's own events, read here: its text (code spans kept, HTML left
                # out), and what is blanked in it.
                heading = ""
                for event, span in events:
                    if "Text" in event:
                        heading += event["Text"]
                    elif "End" in event:
                        value = event["End"]
                        if value.__class__ is not str and "Heading" in value:
                            break
                    elif "Start" in event:
                        value = event["Start"]
                        if value.__class__ is not str and ("Link" in value or "Image" in value):
                            _link_at(src, value.get("Link") or value["Image"], span, links)
                    elif "Code" in event:
                        heading += event["Code"]
                        inline(span["start"], span["end"])
                    elif ("InlineHtml" in event or "Html" in event or "InlineMath" in event
                          or "DisplayMath" in event):  # fmt: skip
                        inline(span["start"], span["end"])
                else:
                    break  # (the parser closes every heading it opens)
                # "Context", "Decision": the same names in every record, kept once
                headings.append(_heading(level, _intern(heading.strip()), line))
            elif "Link" in value or "Image" in value:
                _link_at(src, value.get("Link") or value["Image"], span, links)
            elif "CodeBlock" in value:
                skip += 1
                fences.append(src.first + src.index(span["start"]))
                src.block(span["start"], span["end"])
        elif "End" in event:
            value = event["End"]
            if skip and (value == "CodeBlock" or value == "HtmlBlock"):
                skip -= 1
        elif event.__class__ is str:  # SoftBreak, HardBreak, Rule
            continue
        elif "Code" in event:
            inline(span["start"], span["end"])
        elif "Html" in event:
            # HTML in an HTML block, whose lines are blanked whole (no heading shares them)
            if not skip:
                inline(span["start"], span["end"])
        elif "InlineHtml" in event or "InlineMath" in event or "DisplayMath" in event:
            inline(span["start"], span["end"])
    if _may_define(text):
        for definition in _MARKDOWN.reference_definitions(text).values():
            span = definition["span"]
            at = _destination_offset(src, span["start"], span["end"], ref=True)
            line, col = src.position(at)
            links.append(BodyLink(definition["dest"], line, col))
            src.block(span["start"], span["end"])
    if len(links) > 1:
        links.sort(key=_LINK_ORDER)
    blank.update(heading_lines)
    texts = src.texts()
    labels = tuple([(first_line + i, texts[i]) for i in dict.fromkeys(heading_lines)
                    if texts[i].strip()])  # fmt: skip
    for i in blank:
        texts[i] = ""  # not prose
    # (`t and not t.isspace()` is `t.strip()`, without a call for an empty line)
    prose = tuple([(n, t) for n, t in enumerate(texts, first_line) if t and not t.isspace()])
    return _body(tuple(headings), prose, tuple(links), tuple(fences), labels)


def _link_at(src: _Source, info: Any, span: Any, links: list[BodyLink]) -> None:
    """An inline link or image (`info` from its event): its destination where it is written,
    which is then blanked (an address is not prose). The others resolve through a definition,
    read on its own."""
    if info["link_type"] != "Inline":
        return
    end = span["end"]
    at = _destination_offset(src, span["start"], end)
    if src.ascii:
        starts = src.starts
        i = bisect_right(starts, at, 0, src.count) - 1
        line_at = starts[i]
        links.append(_link(info["dest_url"], src.first + i, at - line_at + 1))
        if end < starts[i + 1]:  # on one line (most are): its columns are offsets
            if end > at:
                src.ranges.setdefault(i, []).append((at - line_at, end - line_at))
            return
    else:
        line, col = src.position(at)
        links.append(_link(info["dest_url"], line, col))
    src.inline(at, end)


def _may_define(text: str) -> bool:
    """Whether `text` may hold a link reference definition: `]:` somewhere. Looked for from
    each `]` (a body has few, and `]` is found at memchr speed), then by a regular expression
    (faster than `in` for this needle, whose last character is common)."""
    at = text.find("]")
    for _ in range(8):
        if at < 0:
            return False
        if text.startswith(":", at + 1):
            return True
        at = text.find("]", at + 1)
    return _DEFINITION.search(text, at) is not None


def _destination_offset(src: _Source, start: int, end: int, ref: bool = False) -> int:
    """The byte offset where a link's destination is written (the link's start if not found):
    after `](` for an inline link, after `]:` for a reference definition."""
    if src.ascii:  # offsets are characters: no bytes to copy
        text = src.text
        at = text.find("]:", start, end) if ref else text.rfind("](", start, end)
        if at < 0:
            return start
        at += 2
        while at < end and text[at] in " \t\n\r<":
            at += 1
        return at
    raw = src.data[start:end]
    at = raw.find(b"]:") if ref else raw.rfind(b"](")
    if at < 0:
        return start
    at += 2
    while at < len(raw) and raw[at:at + 1] in (b" ", b"\t", b"\n", b"\r", b"<"):
        at += 1
    return start + at
