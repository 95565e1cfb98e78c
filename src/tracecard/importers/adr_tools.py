"""adr-tools (the Nygard format): `# N. Title`, a `Date:` line, a `## Status` section.

The Status section holds the status prose and the link lines adr-tools writes
(`Supercedes [1. Title](0001-title.md)`, `Amended by [...]`); all of it moves to the front
matter. The title line stays in the body, as written.
"""

from __future__ import annotations

import re

from tracecard.importers.header import Header, heading_title, split_links

_HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t]+|\Z)(.*)")
_STATUS_WORD = re.compile(r" {0,3}#{1,3}[ \t]*status\b(?P<rest>.*)\Z", re.IGNORECASE)


def status_heading(line: str) -> str | None:
    """`## Status` -> "", `## Status: Accepted` -> "Accepted", anything else -> None. (Read in
    code, not by one pattern: optional runs that end a pattern make long lines quadratic.)"""
    m = _STATUS_WORD.match(line)
    if m is None:
        return None
    rest = m.group("rest").strip()
    if rest.startswith(":"):
        return rest[1:].rstrip("#").strip()
    return "" if not rest.strip("#").strip() else None
_FIELD = re.compile(r"[ \t]*(?:[*_]{2})?(date|status)(?:[*_]{2})?[ \t]*:(?:[*_]{2})?(.*)\Z",
                    re.IGNORECASE)  # fmt: skip
_LIST_MARK = re.compile(r"[-*+][ \t]+")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")


def parse(lines: list[str], first_line: int = 1) -> Header:
    """The header of an adr-tools record; `lines` without their endings, the first of them at
    file line `first_line`."""
    h = Header()
    fenced = _fenced(lines)
    start = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if start is None:
        return h
    title = heading_title(lines[start])
    if title is not None and not lines[start].lstrip().startswith("##"):
        h.title = title
    else:
        start = -1
    status_at = next((i for i, ln in enumerate(lines) if i not in fenced and status_heading(ln) is not None), None)
    # the header region: from the title to the first heading that is not the Status one
    end = next((i for i in range(start + 1, len(lines))
                if i not in fenced and _HEADING.match(lines[i]) and i != status_at), len(lines))  # fmt: skip
    if status_at is not None:
        stop = next((i for i in range(status_at + 1, len(lines))
                     if i not in fenced and _HEADING.match(lines[i])), len(lines))  # fmt: skip
        prose: list[str] = []
        inline = status_heading(lines[status_at])
        if inline:
            rest, links = split_links(inline, first_line + status_at)
            h.links += links
            prose += [rest] if rest else []
        for i in range(status_at + 1, stop):
            text = lines[i].strip()
            if m := _LIST_MARK.match(text):  # `- Accepted` is `Accepted`; `Proposed - x` is kept
                text = text[m.end():]
            if not text:
                continue
            rest, links = split_links(text, first_line + i)
            h.links += links
            if rest:
                prose.append(rest)
        h.cut.update(range(status_at, stop))
        h.status_line = first_line + status_at
        h.status = "\n".join(prose) if prose else None
    for i in range(start + 1, min(end, status_at if status_at is not None and status_at > start else end)):
        m = _FIELD.match(lines[i])
        if not m or i in fenced:
            continue
        what, value = m.group(1).lower(), m.group(2).strip()
        if what == "date" and h.date is None and value:
            h.date, h.date_line = value, first_line + i
            h.cut.add(i)
        elif what == "status" and h.status is None and value:
            rest, links = split_links(value, first_line + i)
            h.links += links
            h.status, h.status_line = rest or None, first_line + i
            h.cut.add(i)
    return h


def _fenced(lines: list[str]) -> set[int]:
    """Lines inside fenced code blocks (a `## Status` there is an example, not the header)."""
    inside: set[int] = set()
    opener: str | None = None
    for i, ln in enumerate(lines):
        m = _FENCE.match(ln)
        if opener is None and m:
            opener = m.group(1)
            inside.add(i)
        elif opener is not None:
            inside.add(i)
            if ln.strip().startswith(opener[0] * len(opener)) and not ln.strip().strip(opener[0]):
                opener = None
    return inside
