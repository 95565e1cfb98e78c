"""What every renderer shares: record content made safe for its medium, colour, and numbers and
criteria written the way people read them."""

from __future__ import annotations

import os
import re
from typing import IO

from tracecard.gate.judge import Row
from tracecard.model.metrics import Direction


def use_colour(stream: IO[str]) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


def _unsafe() -> dict[int, str]:
    """Every character that could act instead of being read: C0 and C1 controls (escape
    sequences, bells, carriage returns), DEL, line and paragraph separators, and the Unicode
    controls that reorder text on screen (bidi overrides and isolates)."""
    table = {c: f"\\x{c:02x}" for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]}
    table.update({0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t"})
    for c in (0x2028, 0x2029, 0x200E, 0x200F, 0x061C, *range(0x202A, 0x202F),
              *range(0x2066, 0x206A)):  # fmt: skip
        table[c] = f"\\u{c:04x}"
    # a byte of a file name that is not UTF-8 (Python's surrogate escape): the byte
    table.update({c: f"\\x{c - 0xDC00:02x}" for c in range(0xDC80, 0xDD00)})
    return table


_UNSAFE = _unsafe()


def one_line(message: str) -> str:
    """Record content made inert for a terminal or a CI log, on one line: a newline quoted from
    a record cannot start a line of its own (in a GitHub log such a line could be run as a
    workflow command), and an escape sequence cannot clear the screen or paint "passed"; each
    such character is shown as an escape (`\\n`, `\\x1b`, `\\u202e`)."""
    text = message.translate(_UNSAFE)
    if "::" in text or "##[" in text:
        # GitHub runs a log line that starts with `::` (after spaces) or holds `##[` anywhere
        # as a workflow command: a fragment of record content may start a line
        text = text.replace("##[", "#\\x23[")
        stripped = text.lstrip()
        if stripped.startswith("::"):
            text = text[: len(text) - len(stripped)] + "\\x3a" + stripped[1:]
    return text



def say(line: str, stream: IO[str]) -> None:
    """Write one line of a command's own output, any record content in it made inert."""
    stream.write(one_line(line) + "\n")


def md(text: str) -> str:
    """Record content as inert Markdown text, on one line and safe in a table cell: HTML cannot
    open (`<` `>` `&` as entities), and emphasis, links, images, code spans and cell borders
    cannot start (their characters backslash-escaped)."""
    s = " ".join(one_line(text).split())
    parts = []
    at = 0
    for m in _AUTOLINKED.finditer(s):  # what GitHub would turn into a link: a code span
        parts.append(_md_text(s[at:m.start()]))
        parts.append(md_code(m.group(0)))
        at = m.end()
    parts.append(_md_text(s[at:]))
    return "".join(parts)


def _md_text(s: str) -> str:
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in s)


_MD_SPECIAL = frozenset("\\`*_[]|~!#")
#: Text GitHub links by itself (its autolink extension): URLs with a scheme, `www.` names and
#: e-mail addresses. Record content never becomes a live link.
_AUTOLINKED = re.compile(
    r"(?i)(?<![a-z0-9+.-])(?:[a-z][a-z0-9+.-]{1,20}:(?://)?|www\.)[^\s<>`|]+"
    r"|(?<![a-z0-9._%+-])[a-z0-9._%+-]{1,64}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})+"
)


def md_code(text: str) -> str:
    """Record content as a Markdown code span that nothing in it can close, on one line; `|` is
    escaped so that it does not end a table cell."""
    s = " ".join(one_line(text).split()).replace("|", "\\|")
    run = longest = 0
    for ch in s:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if s.startswith("`") or s.endswith("`") or not s.strip() else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def md_url(path: str) -> str:
    """A repository path as a link destination: percent-encoded, so that nothing in a file or
    folder name can end the link or start another."""
    from urllib.parse import quote

    return quote(path.encode("utf-8", "surrogateescape"), safe="/")


def fmt_number(value: object) -> str:
    """A threshold as the user wrote it (`1.10` stays `1.10`)."""
    raw = getattr(value, "raw", None)
    return raw if isinstance(raw, str) else str(value)


def criterion_text(row: Row) -> str:
    """`precision@10 on DS-recs-holdout/holdout/new_visitors`, or a constraint's key."""
    metric = row.metric or "?"
    if row.constraint:
        return f"{metric} (operational)"
    where = row.dataset or "?"
    if row.split is not None or row.slice is not None:
        where += f"/{row.split if row.split is not None else '-'}"
    if row.slice is not None:
        where += f"/{row.slice}"
    return f"{metric} on {where}"


def threshold_text(value: object, direction: Direction) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return "any" if value == "none" else value  # explainability levels
    return f"{'>=' if direction is Direction.HIGHER else '<='} {fmt_number(value)}"


def value_text(value: object) -> str:
    return "-" if value is None else value if isinstance(value, str) else fmt_number(value)


def escape_data(s: str) -> str:
    """A GitHub workflow command's data (the message), encoded as GitHub documents (% CR LF),
    after every other control character is made visible."""
    s = s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return s.translate({c: v for c, v in _UNSAFE.items() if c not in (0x0A, 0x0D)})


def escape_property(s: str) -> str:
    return escape_data(s).replace(":", "%3A").replace(",", "%2C")


def dumps_json(doc: object) -> str:
    """JSON for people and tools: UTF-8 kept readable, but every character that could act on a
    terminal (controls, bidi and line separators, lone surrogates) written as a `\\u` escape."""
    import json

    text = json.dumps(doc, indent=2, ensure_ascii=False)
    return text.translate(_JSON_UNSAFE) + "\n"


_JSON_UNSAFE = {c: f"\\u{c:04x}" for c in _UNSAFE if c >= 0x7F}
