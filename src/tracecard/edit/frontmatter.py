"""Edits to a record's front matter that change only the lines they must.

A record is held as its front-matter lines (each with its own line ending) and its body as
one untouched string. An edit finds the value it changes in the YAML nodes' marks, rewrites
the fewest characters it can, and is then checked: the new text is parsed again with
`parse.parse_text` and must have no problem, give the edited keys the intended values and
leave every other top-level value as it was. A failed check raises `EditError` and leaves the
document as it was. `parse.Parsed` keeps where values start but not where they end, so the
end marks come from composing the same front matter with the same libyaml loader.

`save` writes atomically: a temporary file beside the target, flushed and fsynced, then
`os.replace`; on any failure the old file stays whole and the temporary file is removed.
"""

from __future__ import annotations

import codecs
import contextlib
import datetime
import math
import os
import re
import stat
import tempfile
from dataclasses import dataclass
from typing import Any

import yaml

from tracecard.errors import UsageError
from tracecard.load.parse import Parsed, decode, parse_text, scalar

try:
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML without libyaml
    _Loader = yaml.SafeLoader

Scalar = str | int | float | bool | datetime.date

_BLOCK_SCALAR = ("|", ">")
_DASH_PREFIX = re.compile(r"[ \t]*-[ \t]+\Z")
# Characters that start something else than a plain scalar.
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
# YAML 1.1 readers (PyYAML, many editors) turn these into booleans or null: quote them too.
_YAML11_WORDS = frozenset(
    {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "=", "<<"}
)
# Numbers in YAML 1.1 (underscores, sexagesimal, octal, versions that look like floats).
#: A YAML 1.1 timestamp (`2026-01-01`, `2026-1-9 10:00`): 1.1 readers make it a date.
_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ]|\s*\Z)")
_NUMBERISH = re.compile(
    r"[-+]?[0-9_.:]*[0-9][0-9_.:]*([eE][-+]?[0-9]+)?\Z|[-+]?0[xXoObB][0-9a-fA-F_]+\Z"
)
# Line breaks that libyaml honours but `split_lines` does not: their marks would disagree.
_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")


class EditError(UsageError):
    """An edit that cannot be made safely: one line that says why; nothing was changed."""


@dataclass(frozen=True, slots=True)
class _Entry:
    """One top-level `key: value` pair; lines are indexes into the document's lines."""

    key: str
    key_node: yaml.ScalarNode
    node: yaml.Node
    colon: int  # column of the ':' after the key, on the key's line
    next_line: int  # line of the next top-level key, or of the closing fence

    @property
    def key_line(self) -> int:
        return int(self.key_node.start_mark.line) + 1


@dataclass(frozen=True, slots=True)
class _Front:
    """The parsed state of the current text."""

    parsed: Parsed
    entries: dict[str, _Entry]
    indent: str  # what precedes a top-level key
    close: int  # line of the closing fence

    @property
    def data(self) -> dict[str, Any]:
        return self.parsed.data or {}


class Document:
    """A record whose front matter can be edited without touching anything else."""

    def __init__(self, raw: bytes, name: str = "<record>", path: str | None = None) -> None:
        self.name = name
        self.path = path
        self.original = raw
        self.bom = raw.startswith(codecs.BOM_UTF8)
        text, problem = decode(raw)
        if text is None:
            msg = problem.message if problem else "unreadable"
            raise EditError(f"{name}: {msg}; not edited")
        parsed = parse_text(text)
        if parsed.problems or parsed.data is None:
            p = parsed.problems[0]
            raise EditError(f"{name}:{p.line}:{p.col}: {p.message}; not edited")
        self._lines, self._ends, self._body = _split_head(text, parsed.fm_end)
        self.newline = "\r\n" if self._ends[0] == "\r\n" else "\n"
        self._front = self._analyse(self._lines, parsed)
        self._base: dict[str, Any] = dict(parsed.data)
        self._expected: dict[str, Any] = {}
        self._removed: set[str] = set()

    # -- reading -------------------------------------------------------------------------

    @property
    def data(self) -> dict[str, Any]:
        """The front matter as it is now."""
        return self._front.data

    @property
    def changed(self) -> bool:
        return self.to_bytes() != self.original

    def text(self) -> str:
        """The whole record as text (without the BOM, which `to_bytes` puts back)."""
        return _join(self._lines, self._ends) + self._body

    def to_bytes(self) -> bytes:
        """The record as it will be written, checked once more against the intended edits."""
        text = self.text()
        self._verify(text, self._expected, self._removed)
        return (codecs.BOM_UTF8 if self.bom else b"") + text.encode("utf-8")

    # -- edits ---------------------------------------------------------------------------

    def set_scalar(self, key: str, value: Scalar, prose: bool = False) -> None:
        """Give top-level `key` a scalar value, keeping its line, comment and quoting. With
        `prose` (a title), text that a YAML 1.1 reader would take for a date is quoted too."""
        expected = value.isoformat() if isinstance(value, datetime.date) else value
        entry = self._entry(key)
        node = entry.node if entry is not None else None
        style = node.style if isinstance(node, yaml.ScalarNode) else None
        if isinstance(value, datetime.date) and style not in ("'", '"'):
            text = value.isoformat()  # a date is written as a date: YYYY-MM-DD, unquoted
        elif prose and isinstance(value, str) and _TIMESTAMP.match(value) and style != '"':
            text = _format(value, "'", flow=False)
        else:
            text = _format(expected, style if style in ("'", '"') else None, flow=False)
        if entry is None:
            self._append_lines(key, [f": {text}"], {key: expected})
            return
        self._commit(*self._replace_value(entry, text), {key: expected})

    def append_to_list(self, key: str, item: str) -> None:
        """Add `item` to the top-level list `key` in the list's own style; no-op if present."""
        entry = self._entry(key)
        current = self._as_list(key, entry)
        if item in current:
            return
        expected = {key: current + [item]}
        if entry is None:
            self._append_new_list(key, [item], expected)
        elif _is_null(entry.node):
            self._fill_null(entry, [item], expected)
        elif isinstance(entry.node, yaml.ScalarNode):
            items = [_format(x, entry.node.style, flow=True) for x in current + [item]]
            self._commit(*self._replace_value(entry, "[" + ", ".join(items) + "]"), expected)
        else:
            self._add_item(entry, item, expected)

    def append_mapping_to_list(self, key: str, item: dict[str, str]) -> None:
        """Add a `{k: v, ...}` entry to the list `key`, in the style of its entries."""
        if not item:
            raise EditError(f"{self.name}: cannot add an empty mapping to '{key}'")
        entry = self._entry(key)
        current = self._as_list(key, entry, strings=False)
        if dict(item) in current:
            return
        expected = {key: current + [dict(item)]}
        if entry is None:
            self._append_new_list(key, [dict(item)], expected)
        elif _is_null(entry.node):
            self._fill_null(entry, [dict(item)], expected)
        else:
            self._add_item(entry, dict(item), expected)

    def remove_key(self, key: str) -> None:
        """Delete top-level `key` with its value lines; comments around it stay."""
        entry = self._entry(key)
        if entry is None:
            return
        first, last = entry.key_line, _last_line(entry)
        if self._lines[first][: entry.key_node.start_mark.column].strip():
            raise EditError(f"{self.name}: '{key}' does not start its line; remove it by hand")
        tail = self._tail_after(entry, last)
        if tail.strip() and not tail.lstrip().startswith("#"):
            raise EditError(f"{self.name}: '{key}' shares its last line; remove it by hand")
        lines, ends = _spliced(self._lines, self._ends, first, last + 1, [], self.newline)
        self._commit(lines, ends, {}, removed=key)

    # -- locating ------------------------------------------------------------------------

    def _analyse(self, lines: list[str], parsed: Parsed) -> _Front:
        close = parsed.fm_end - 1
        if any(b in ln for ln in lines[:close] for b in _OTHER_BREAKS):
            raise EditError(
                f"{self.name}: the front matter has a line break other than LF or CRLF; "
                "edit it by hand"
            )
        root = yaml.compose("\n".join(lines[1:close]) + "\n", Loader=_Loader)
        if root is None:
            return _Front(parsed, {}, "", close)
        if not isinstance(root, yaml.MappingNode) or root.flow_style:
            raise EditError(
                f"{self.name}: the front matter is a flow mapping {{...}}; edit it by hand"
            )
        pairs = [(k, v) for k, v in root.value if isinstance(k, yaml.ScalarNode)]
        entries: dict[str, _Entry] = {}
        for i, (k, v) in enumerate(pairs):
            nxt = pairs[i + 1][0].start_mark.line + 1 if i + 1 < len(pairs) else close
            colon = _colon(lines, k)
            entries[k.value] = _Entry(k.value, k, v, colon, nxt)
        first = pairs[0][0].start_mark if pairs else None
        indent = lines[first.line + 1][: first.column] if first else ""
        return _Front(parsed, entries, indent, close)

    def _entry(self, key: str) -> _Entry | None:
        entry = self._front.entries.get(key)
        if entry is None:
            if key in self.data:
                raise EditError(
                    f"{self.name}: '{key}' comes from a YAML merge key (<<); edit it by hand"
                )
            return None
        if key == "<<" or entry.colon < 0:
            raise EditError(
                f"{self.name}: the key '{key}' is written in a form tracecard does not edit"
            )
        node = entry.node
        first = self._lines[node.start_mark.line + 1][node.start_mark.column :][:1]
        if first in ("&", "!", "*") or node.start_mark.index < entry.key_node.end_mark.index:
            raise EditError(
                f"{self.name}: '{key}' uses a YAML anchor, alias or tag; edit it by hand"
            )
        return entry

    def _as_list(self, key: str, entry: _Entry | None, strings: bool = True) -> list[Any]:
        """The current items of `key`; a null is empty and a string is a comma-separated list."""
        if entry is None or _is_null(entry.node):
            return []
        value = self.data.get(key)
        if isinstance(value, list):
            _check_items(self.name, key, entry.node)
            return list(value)
        if strings and isinstance(value, str) and getattr(entry.node, "style", None) not in _BLOCK_SCALAR:
            return [part.strip() for part in value.split(",") if part.strip()]
        what = _describe(value)
        raise EditError(f"{self.name}: '{key}' holds {what}, not a list; edit it by hand")

    def _tail_after(self, entry: _Entry, last: int) -> str:
        """What follows the value on its last line (a trailing comment, or nothing)."""
        node = entry.node
        if _is_block(node) or _is_empty(node):
            return ""
        return self._lines[last][node.end_mark.column :]

    # -- rewriting -----------------------------------------------------------------------

    def _replace_value(self, entry: _Entry, text: str) -> tuple[list[str], list[str]]:
        """Lines with the value of `entry` replaced by `text` (one scalar or flow text)."""
        node = entry.node
        kl, last = entry.key_line, _last_line(entry)
        if _is_empty(node) or (_is_block(node) and not isinstance(node, yaml.ScalarNode)):
            line = self._lines[kl]
            new = line[: entry.colon + 1] + " " + text + line[entry.colon + 1 :]
            return _spliced(self._lines, self._ends, kl, last + 1, [new], self.newline)
        sl, sc = node.start_mark.line + 1, node.start_mark.column
        if _is_block(node):  # a `|` or `>` scalar: its header and lines give way
            new = self._lines[sl][:sc] + text
            return _spliced(self._lines, self._ends, sl, last + 1, [new], self.newline)
        el, ec = _end_of(node)
        merged = self._lines[sl][:sc] + text + self._lines[el][ec:]
        return _spliced(self._lines, self._ends, sl, el + 1, merged.split("\n"), self.newline)

    def _append_lines(self, key: str, rest: list[str], expected: dict[str, Any]) -> None:
        """Add `key` as the last top-level key; `rest[0]` follows the key on its line."""
        front = self._front
        new = [front.indent + _format_key(key, flow=False) + rest[0]] + rest[1:]
        lines, ends = _spliced(self._lines, self._ends, front.close, front.close, new, self.newline)
        self._commit(lines, ends, expected)

    def _append_new_list(self, key: str, items: list[Any], expected: dict[str, Any]) -> None:
        prefix = self._block_prefix()
        if prefix is None:
            self._append_lines(key, [": " + _flow_list(items)], expected)
        else:
            self._append_lines(key, [":"] + _block_items(prefix, items), expected)

    def _fill_null(self, entry: _Entry, items: list[Any], expected: dict[str, Any]) -> None:
        """Give an empty `key:` its first item: block lines below it, or `[item]` on its line."""
        prefix = self._block_prefix()
        if prefix is not None and _is_empty(entry.node):
            at = entry.key_line + 1
            new = _block_items(prefix, items)
            self._commit(*_spliced(self._lines, self._ends, at, at, new, self.newline), expected)
            return
        self._commit(*self._replace_value(entry, _flow_list(items)), expected)

    def _add_item(self, entry: _Entry, item: Any, expected: dict[str, Any]) -> None:
        node = entry.node
        if not isinstance(node, yaml.SequenceNode):
            raise EditError(f"{self.name}: '{entry.key}' is not a list; edit it by hand")
        if node.flow_style:
            self._commit(*self._add_flow_item(node, item), expected)
        else:
            self._commit(*self._add_block_item(entry, node, item), expected)

    def _add_flow_item(self, node: yaml.SequenceNode, item: Any) -> tuple[list[str], list[str]]:
        text = _item_text(item, node.value, flow=True)
        if not node.value:
            return self._insert_in_empty_flow(node, text)
        last = node.value[-1]
        line, col = _end_of(last)
        sep = self._separator(node)
        merged = self._lines[line][:col] + sep + text + self._lines[line][col:]
        return _spliced(self._lines, self._ends, line, line + 1, merged.split("\n"), self.newline)

    def _insert_in_empty_flow(self, node: yaml.Node, text: str) -> tuple[list[str], list[str]]:
        sl, sc = node.start_mark.line + 1, node.start_mark.column
        el, ec = _end_of(node)
        line = self._lines[sl]
        if sl == el and not line[sc + 1 : ec - 1].strip():
            merged = line[:sc] + "[" + text + "]" + line[ec:]
        else:
            merged = line[: sc + 1] + text + line[sc + 1 :]
        return _spliced(self._lines, self._ends, sl, sl + 1, [merged], self.newline)

    def _separator(self, node: yaml.SequenceNode) -> str:
        """The text between the last two items (`, ` or `,\\n  `), when it is plain."""
        if len(node.value) < 2:
            return ", "
        a, b = node.value[-2], node.value[-1]
        al, ac = _end_of(a)
        bl, bc = b.start_mark.line + 1, b.start_mark.column
        sep = "\n".join([self._lines[al][ac:]] + self._lines[al + 1 : bl + 1])
        sep = sep[: len(sep) - (len(self._lines[bl]) - bc)]
        return sep if sep.strip() == "," else ", "

    def _add_block_item(
        self, entry: _Entry, node: yaml.SequenceNode, item: Any
    ) -> tuple[list[str], list[str]]:
        prefix = self._prefix_of(node)
        if prefix is None:
            raise EditError(f"{self.name}: cannot tell how the items of '{entry.key}' are written")
        last = node.value[-1]
        if isinstance(item, dict) and not (isinstance(last, yaml.MappingNode) and last.flow_style):
            like = last if isinstance(last, yaml.MappingNode) else None
            new = _block_items(prefix, [item], self._continuation(last, prefix), like)
        else:
            new = [prefix + _item_text(item, node.value, flow=False)]
        at = _last_line(entry) + 1
        return _spliced(self._lines, self._ends, at, at, new, self.newline)

    def _continuation(self, last: yaml.Node, prefix: str) -> str:
        """The indentation of the second key of a block mapping item."""
        if isinstance(last, yaml.MappingNode) and len(last.value) > 1:
            key = last.value[1][0]
            return str(self._lines[key.start_mark.line + 1][: key.start_mark.column])
        return " " * len(prefix)

    def _prefix_of(self, node: yaml.SequenceNode) -> str | None:
        """The `  - ` before an item, taken from the last item that shows it cleanly."""
        for item in reversed(node.value):
            before = str(self._lines[item.start_mark.line + 1][: item.start_mark.column])
            if _DASH_PREFIX.match(before):
                return before
        return None

    def _block_prefix(self) -> str | None:
        """How new lists are written here: a block `- ` prefix, or None for flow `[...]`."""
        blocks: list[str] = []
        flows = 0
        for entry in self._front.entries.values():
            node = entry.node
            if isinstance(node, yaml.SequenceNode) and node.value:
                if node.flow_style:
                    flows += 1
                elif (prefix := self._prefix_of(node)) is not None:
                    blocks.append(prefix)
        if flows > len(blocks):
            return None
        return blocks[0] if blocks else self._front.indent + "  - "

    # -- checking ------------------------------------------------------------------------

    def _commit(
        self,
        lines: list[str],
        ends: list[str],
        expected: dict[str, Any],
        removed: str | None = None,
    ) -> None:
        """Adopt the edited lines if the new text still says what it should."""
        want = {**self._expected, **expected}
        gone = (self._removed - expected.keys()) | ({removed} if removed else set())
        if removed:
            want.pop(removed, None)
        front = self._verify(_join(lines, ends) + self._body, want, gone, lines)
        self._lines, self._ends, self._front = lines, ends, front
        self._expected, self._removed = want, gone

    def _verify(
        self, text: str, want: dict[str, Any], gone: set[str], lines: list[str] | None = None
    ) -> _Front:
        parsed = parse_text(text)
        if parsed.problems or parsed.data is None:
            p = parsed.problems[0]
            raise EditError(
                f"{self.name}: the edit would break line {p.line} ({p.message}); not edited"
            )
        if not text.endswith(self._body):
            raise EditError(f"{self.name}: the edit would change the body; not edited")
        data = parsed.data
        for key in sorted(set(self._base) | set(data) | set(want)):
            if not self._as_intended(key, data, want, gone):
                raise EditError(
                    f"{self.name}: the edit would give '{key}' a wrong value; not edited"
                )
        head_lines = lines if lines is not None else _split_head(text, parsed.fm_end)[0]
        return self._analyse(head_lines, parsed)

    def _as_intended(
        self, key: str, data: dict[str, Any], want: dict[str, Any], gone: set[str]
    ) -> bool:
        if key in gone:
            return key not in data
        if key in want:
            return key in data and _same(data[key], want[key])
        return key in data and key in self._base and _same(data[key], self._base[key])


# -- loading and saving ------------------------------------------------------------------


def load(path: str | os.PathLike[str]) -> Document:
    """Read a record for editing; refuses non-UTF-8 files and front matter with problems."""
    name = os.fspath(path)
    try:
        with open(name, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise EditError(f"{name}: cannot read ({exc.strerror or exc})") from exc
    return Document(raw, name=name, path=name)


def save(doc: Document, path: str | os.PathLike[str] | None = None) -> bool:
    """Write `doc` atomically to `path` (default: where it was loaded). False if unchanged.

    When writing back to the file it came from, a file changed on disk since `load` is
    refused rather than overwritten.
    """
    target = os.fspath(path) if path is not None else doc.path
    if target is None:
        raise EditError(f"{doc.name}: no path to save to")
    data = doc.to_bytes()
    real = os.path.realpath(target)
    current = _read_if_exists(real)
    if doc.path is not None and os.path.realpath(doc.path) == real and current != doc.original:
        raise EditError(f"{target}: changed on disk since it was read; not written")
    if current == data:
        return False
    try:
        write_atomic(real, data)
    except OSError as exc:
        why = exc.strerror or str(exc)
        raise EditError(f"{target}: cannot write ({why}); the file is unchanged") from exc
    if doc.path is not None and os.path.realpath(doc.path) == real:
        doc.original = data
    return True


def _read_if_exists(path: str) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise EditError(f"{path}: cannot read ({exc.strerror or exc})") from exc


def write_atomic(path: str, data: bytes) -> None:
    """Write `data` to `path` atomically: a synced temporary file beside it, then a rename."""
    folder = os.path.dirname(path) or "."
    mode = _mode_for(path)
    prefix = "." + os.path.basename(path) + "."
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=folder)
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    sync_folder(folder)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _mode_for(path: str) -> int:
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def sync_folder(folder: str) -> None:
    """Make the rename durable where the platform allows it."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# -- lines -------------------------------------------------------------------------------


def _split_head(text: str, count: int) -> tuple[list[str], list[str], str]:
    """The first `count` lines (contents and endings) and the rest of `text`, untouched."""
    lines: list[str] = []
    ends: list[str] = []
    pos = 0
    for _ in range(count):
        nl = text.find("\n", pos)
        piece = text[pos:] if nl < 0 else text[pos : nl + 1]
        pos = len(text) if nl < 0 else nl + 1
        content = piece.rstrip("\n")
        end = piece[len(content) :]
        if content.endswith("\r"):
            content, end = content[:-1], "\r" + end
        lines.append(content)
        ends.append(end)
    return lines, ends, text[pos:]


def _join(lines: list[str], ends: list[str]) -> str:
    return "".join(line + end for line, end in zip(lines, ends))


def _spliced(
    lines: list[str], ends: list[str], start: int, stop: int, new: list[str], newline: str
) -> tuple[list[str], list[str]]:
    """Lines [start, stop) replaced by `new`; replaced lines lend their endings, in order."""
    lent = ends[start:stop]
    new_ends = [lent[i] if i < len(lent) else newline for i in range(len(new))]
    return lines[:start] + new + lines[stop:], ends[:start] + new_ends + ends[stop:]


def _colon(lines: list[str], key: yaml.ScalarNode) -> int:
    """Column of the ':' that ends `key`, or -1 when it is not on the key's line."""
    if key.end_mark.line != key.start_mark.line:
        return -1
    line = lines[key.end_mark.line + 1]
    rest = line[key.end_mark.column :]
    stripped = rest.lstrip(" \t")
    return len(line) - len(stripped) if stripped.startswith(":") else -1


# -- nodes -------------------------------------------------------------------------------


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and not node.style and scalar(node) is None


def _is_empty(node: yaml.Node) -> bool:
    """A value left out (`key:`): nothing to replace, the new text goes after the colon."""
    return isinstance(node, yaml.ScalarNode) and not node.style and node.value == ""


def _is_block(node: yaml.Node) -> bool:
    """A value that starts on its own lines: block list or mapping, or a `|`/`>` scalar."""
    if isinstance(node, yaml.ScalarNode):
        return node.style in _BLOCK_SCALAR
    return not getattr(node, "flow_style", False)


def _end_of(node: yaml.Node) -> tuple[int, int]:
    """Line and column just after a scalar or flow node."""
    return int(node.end_mark.line) + 1, int(node.end_mark.column)


def _last_line(entry: _Entry) -> int:
    """The last line that holds part of the entry's value (its key line at least)."""
    node = entry.node
    if _is_empty(node):
        return entry.key_line
    return min(max(_node_last_line(node), entry.key_line), entry.next_line - 1)


def _node_last_line(node: yaml.Node) -> int:
    if isinstance(node, yaml.ScalarNode) and node.style in _BLOCK_SCALAR:
        end = node.end_mark.line + 1
        return end - 1 if node.end_mark.column == 0 else end
    if isinstance(node, yaml.CollectionNode) and not node.flow_style and node.value:
        last = node.value[-1]
        if isinstance(last, tuple):
            key, last = last
            if _is_empty(last):
                return int(key.end_mark.line) + 1
        return _node_last_line(last)
    return int(node.end_mark.line) + 1


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    return "multi-line text"


def _check_items(name: str, key: str, node: yaml.Node) -> None:
    """Refuse lists whose items are aliases (their marks point elsewhere)."""
    previous = node.start_mark.index
    for item in getattr(node, "value", []):
        if item.start_mark.index < previous:
            raise EditError(f"{name}: '{key}' uses YAML aliases; edit it by hand")
        previous = item.end_mark.index


# -- formatting ---------------------------------------------------------------------------


def _format(value: Any, style: str | None, flow: bool) -> str:
    """YAML text for a scalar; strings keep `style` (a quote) when given."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if not isinstance(value, str):
        raise EditError(f"cannot write a {type(value).__name__} as a YAML scalar")
    if style == "'" and _single_ok(value):
        return "'" + value.replace("'", "''") + "'"
    if style == '"':
        return _double(value)
    if _plain_ok(value, flow):
        return value
    return "'" + value.replace("'", "''") + "'" if _single_ok(value) else _double(value)


def _float_text(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    return repr(value)


def _needs_escape(ch: str) -> bool:
    code = ord(ch)
    return code < 0x20 or ch in "\x7f\x85\u2028\u2029\ufeff" or 0xD800 <= code <= 0xDFFF


def _single_ok(value: str) -> bool:
    return not any(_needs_escape(ch) for ch in value if ch != "\t")


def _double(value: str) -> str:
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\n\t\r":
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}[ch])
        elif _needs_escape(ch):
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _plain_ok(value: str, flow: bool) -> bool:
    """True when `value` can be written unquoted and read back as the same string."""
    if not value or value != value.strip() or value[0] in _INDICATORS:
        return False
    if any(_needs_escape(ch) or ch == "\t" for ch in value):
        return False
    if ": " in value or " #" in value or value.endswith(":"):
        return False
    if flow and any(ch in value for ch in ",[]{}:"):
        return False
    return not _retyped(value)


def _retyped(value: str) -> bool:
    """Would a YAML 1.2 or 1.1 reader take this plain text for something else than a string?"""
    if value.lower() in _YAML11_WORDS or _NUMBERISH.match(value):
        return True
    return not isinstance(scalar(yaml.ScalarNode("", value)), str)


def _format_key(key: str, flow: bool) -> str:
    return key if _plain_ok(key, flow) else _format(key, '"', flow)


def _item_text(item: Any, siblings: list[yaml.Node], flow: bool) -> str:
    """One list item as text: quoted the way every string item of the list is, if they agree."""
    if isinstance(item, dict):
        like = siblings[-1] if siblings and isinstance(siblings[-1], yaml.MappingNode) else None
        return _flow_mapping(item, like)
    return _format(item, _common_quote(siblings), flow)


def _common_quote(siblings: list[yaml.Node]) -> str | None:
    styles = {n.style or "" for n in siblings if isinstance(n, yaml.ScalarNode)}
    return styles.pop() if len(styles) == 1 and styles <= {"'", '"'} else None


def _flow_mapping(item: dict[str, Any], like: yaml.MappingNode | None) -> str:
    styles = _value_styles(like)
    body = ", ".join(
        f"{_format_key(k, True)}: {_format(v, styles.get(k), True)}" for k, v in item.items()
    )
    pad = " " if like is not None and like.flow_style and _padded(like) else ""
    return "{" + pad + body + pad + "}"


def _padded(node: yaml.MappingNode) -> bool:
    """Does this flow mapping put a space after its `{`?"""
    if not node.value:
        return False
    first = node.value[0][0]
    return bool(first.start_mark.index - node.start_mark.index > 1)


def _value_styles(like: yaml.MappingNode | None) -> dict[str, str]:
    if like is None:
        return {}
    return {
        k.value: v.style
        for k, v in like.value
        if isinstance(v, yaml.ScalarNode) and v.style in ("'", '"')
    }


def _flow_list(items: list[Any]) -> str:
    return "[" + ", ".join(_item_text(x, [], flow=True) for x in items) + "]"


def _block_items(
    prefix: str,
    items: list[Any],
    continuation: str | None = None,
    like: yaml.MappingNode | None = None,
) -> list[str]:
    """Lines for block list items: `- x`, or `- k: v` with the next keys aligned."""
    indent = continuation if continuation is not None else " " * len(prefix)
    styles = _value_styles(like)
    out: list[str] = []
    for item in items:
        if not isinstance(item, dict):
            out.append(prefix + _format(item, None, flow=False))
            continue
        for i, (k, v) in enumerate(item.items()):
            lead = prefix if i == 0 else indent
            out.append(f"{lead}{_format_key(k, False)}: {_format(v, styles.get(k), False)}")
    return out


def _same(a: Any, b: Any) -> bool:
    """Equal values of the same YAML type (so `1` is not `true` and `1` is not `1.0`)."""
    if _kind(a) != _kind(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def _kind(value: Any) -> str:
    for kind in (bool, int, float, str, list, dict):
        if isinstance(value, kind):
            return kind.__name__
    return "none" if value is None else type(value).__name__
