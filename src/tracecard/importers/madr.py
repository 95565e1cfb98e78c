"""MADR 2 and log4brains: the bullet list under the title (`* Status: accepted`,
`- Deciders: a, b`, `- Date: 2020-01-01`, `- Tags: x, y`); log4brains' `## Links` section.

MADR 3 and 4 keep these in front matter: such a file has no header in its body, and only its
`status` is mapped (see `core`).
"""

from __future__ import annotations

import re

from tracecard.importers.adr_tools import _HEADING, _fenced
from tracecard.importers.header import Header, heading_title, people, split_links, tags

_BULLET = re.compile(r"[ \t]{0,3}[*+-][ \t]+")
_ITEM = re.compile(
    r"[ \t]{0,3}[*+-][ \t]+(?:[*_]{2})?(?P<key>[A-Za-z][A-Za-z -]{0,40}?)(?:[*_]{2})?[ \t]*:(?:[*_]{2})?"
    r"(?P<value>.*)\Z"
)  # the value greedy, stripped in code: no lazy scan of a long line
_KEYS = {
    "status": "status", "date": "date", "tags": "tags", "deciders": "deciders",
    "decision-makers": "decision-makers", "decision makers": "decision-makers",
    "consulted": "consulted", "informed": "informed",
}  # fmt: skip
_LINKS_WORD = re.compile(r" {0,3}#{2,3}[ \t]*links\b(?P<rest>.*)\Z", re.IGNORECASE)


def _links_heading(line: str) -> bool:
    m = _LINKS_WORD.match(line)
    return m is not None and not m.group("rest").strip().strip("#").strip()


def parse(lines: list[str], first_line: int = 1) -> Header:
    h = Header()
    fenced = _fenced(lines)
    start = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if start is None:
        return h
    title = heading_title(lines[start]) if not lines[start].lstrip().startswith("##") else None
    if title is not None:
        h.title = title
    else:
        start -= 1
    first = None
    for i in range(start + 1, len(lines)):
        if i in fenced or _HEADING.match(lines[i]):
            break
        m = _ITEM.match(lines[i])
        if m and m.group("key").strip().lower() in _KEYS:
            first = i
            break
    if first is not None:
        i = first
        while i < len(lines) and _BULLET.match(lines[i]):
            _item(h, lines[i], i, first_line)
            i += 1
    _links_section(h, lines, fenced, first_line)
    return h


def _item(h: Header, line: str, i: int, first_line: int) -> None:
    m = _ITEM.match(line)
    key = _KEYS.get(m.group("key").strip().lower()) if m else None
    if m is None or key is None:
        h.notes.append((first_line + i, "a header line that is no known field: kept in the body"))
        return
    value = m.group("value").strip()
    if key == "status":
        rest, links = split_links(value, first_line + i)
        h.links += links
        h.status, h.status_line = rest or None, first_line + i
    elif key == "date":
        h.date, h.date_line = value or None, first_line + i
    elif key == "tags":
        h.tags = tags(value)
    else:
        h.people[key] = people(value)
    h.cut.add(i)


def _links_section(h: Header, lines: list[str], fenced: set[int], first_line: int) -> None:
    """log4brains: `- Supersedes [slug](slug.md)` under `## Links` (read, and left in the body)."""
    at = next((i for i, ln in enumerate(lines) if i not in fenced and _links_heading(ln)), None)
    if at is None:
        return
    for i in range(at + 1, len(lines)):
        if i in fenced or _HEADING.match(lines[i]):
            break
        if _BULLET.match(lines[i]):
            text = _BULLET.sub("", lines[i], count=1)
            rest, links = split_links(text, first_line + i)
            h.links += [ln for ln in links if ln.text[:1] != "["]  # a bare [link] has no relation
