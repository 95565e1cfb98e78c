"""Split a record into front matter and body, exactly.

Line numbers here are the file's own 1-based lines: blank lines after the opening fence,
CRLF endings and a UTF-8 BOM do not shift them. python-frontmatter is not used for the split:
its fence pattern swallows blank lines and strips whitespace, which shifts every line number.

The YAML is composed by libyaml into nodes (which carry marks) and constructed here, with
YAML 1.2 core scalars: `2021-03-09` stays the string the user wrote, `yes` stays a string,
`1.10` keeps its text. Findings in the file are returned as values, never raised.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import yaml

from tracecard.model.fast import constructor
from tracecard.model.findings import Finding
from tracecard.rules import parsing as par

try:
    _Base: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML without libyaml
    _Base = yaml.SafeLoader


class _Loader(_Base):  # type: ignore[misc]
    """libyaml's composer, without PyYAML's YAML 1.1 tag resolution (a Python call per scalar
    that walks a list of regexes): plain scalars are resolved here, by `scalar`, as YAML 1.2."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return _STR_TAG
        return _SEQ_TAG if kind is yaml.SequenceNode else _MAP_TAG

#: How many YAML nodes the front matter may expand to (aliases count each time they are used).
MAX_NODES = 20_000

Path_ = tuple[str | int, ...]


class YamlFloat(float):
    """A float that remembers how it was written (`1.10`, not `1.1`)."""

    __slots__ = ("raw",)  # no __dict__: a repository holds tens of thousands of these
    raw: str

    def __new__(cls, value: float, raw: str) -> YamlFloat:
        obj = super().__new__(cls, value)
        obj.raw = raw
        return obj

    def __reduce__(self) -> tuple[Any, ...]:  # the parse cache pickles front matter
        return (YamlFloat, (float(self), self.raw))


def plain(value: Any) -> Any:
    """Front matter as plain JSON values (a YamlFloat becomes a float), as history keeps it."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, float) and type(value) is not float:
        return float(value)
    return value


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class BodyLink:
    target: str
    line: int
    col: int


@dataclass(slots=True)
class Parsed:
    """The result of splitting one file. `data` is None when there is no usable front matter."""

    data: dict[str, Any] | None = None
    fm_start: int = 0  # line of the opening fence, 0 when there is none
    fm_end: int = 0  # line of the closing fence
    body_start: int = 1
    body_lines: list[str] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)
    #: The digest of the body (`tracecard.git.index.body_digest`), taken when the body is
    #: read so that `body_lines` need not be kept (the loader empties it).
    digest: str | None = None
    #: The front matter's YAML text, kept so that positions are worked out only for a record
    #: that has a finding (most have none): composed again then, never kept as a node tree
    #: (a composed tree per record was two thirds of a run's memory). None once `_positions`
    #: holds them all, or when the builder recorded them while reading.
    _source: str | None = None
    _offset: int = 0
    _positions: dict[Path_, tuple[int, int, int, int]] = field(default_factory=dict)
    #: Once the loader has let go of `_source` (`detach`): the file it is read again from
    #: when a finding needs a position, and the CRC-32 of the text, so that a file changed
    #: since is never taken for the one that was read (positions then fall back to the
    #: front matter's first line).
    _file: PurePath | None = None  # (the record's own Path: no copy of the name)
    _sum: int = 0

    def detach(self, path: PurePath) -> None:
        """Keep no copy of the YAML text: read it again from `path` if a position is needed."""
        if self._source is not None:
            self._sum = zlib.crc32(self._source.encode("utf-8", "surrogatepass"))
            self._file = path if path.is_absolute() else PurePath(os.path.abspath(path))
            self._source = None

    @property
    def lazy(self) -> bool:
        """Whether positions are still to be worked out (from the YAML text, held or not)."""
        return self._source is not None or self._file is not None

    @property
    def positions(self) -> dict[Path_, tuple[int, int, int, int]]:
        """JSON path -> (key line, key col, value line, value col), all 1-based."""
        if self.lazy:
            tree = _tree(self)
            self._positions = (_walk_positions(tree, self._offset, self.fm_start) if tree is not None
                               else {(): (self.fm_start, 1, self.fm_start, 1)})  # fmt: skip
            self._source = self._file = None
        return self._positions

    def pos(self, path: Path_, key: bool = False) -> tuple[int, int]:
        """Line and column of the value at `path` (or of its key), or of the nearest parent."""
        if self.lazy and path:  # follow the one path down the tree, no full walk
            tree = _tree(self)
            hit = _locate(tree, self._offset, tuple(path)) if tree is not None else None
            if hit is not None:
                return (hit[0], hit[1]) if key else (hit[2], hit[3])
            return (self.fm_start or 1), 1
        p = tuple(path)
        while p:
            hit = self.positions.get(p)
            if hit is not None:
                return (hit[0], hit[1]) if key else (hit[2], hit[3])
            p = p[:-1]
        hit = self.positions.get(())
        if hit is not None:
            return hit[2], hit[3]
        return (self.fm_start or 1), 1


#: The last few composed trees, by the Parsed they belong to: rules and the launch gate ask
#: for several positions of one record in a row, so a record is composed again only rarely,
#: and memory stays flat however many records have findings.
_TREES: OrderedDict[int, tuple[Parsed, yaml.Node]] = OrderedDict()
_TREES_KEPT = 16  # a few: the rules ask for positions of one record in a row


def _remember(parsed: Parsed, node: yaml.Node) -> None:
    _TREES[id(parsed)] = (parsed, node)
    _TREES.move_to_end(id(parsed))
    while len(_TREES) > _TREES_KEPT:
        _TREES.popitem(last=False)


def _tree(parsed: Parsed) -> yaml.Node | None:
    """The composed tree of `parsed`'s front matter (which composed cleanly before); None
    when its text is gone (the file changed or went away since it was read)."""
    held = _TREES.get(id(parsed))
    if held is not None and held[0] is parsed:
        _TREES.move_to_end(id(parsed))
        return held[1]
    source = parsed._source if parsed._source is not None else _read_again(parsed)
    if source is None:
        return None
    try:
        node = yaml.compose(source, Loader=_Loader)
    except yaml.YAMLError:
        return None
    if not isinstance(node, yaml.MappingNode):
        return None
    _remember(parsed, node)
    return node


def _read_again(parsed: Parsed) -> str | None:
    """The YAML text of a detached record, from its file, if the file still holds that text."""
    if parsed._file is None:
        return None
    try:
        with open(parsed._file, "rb") as fh:
            text, _ = decode(fh.read())
    except OSError:
        return None
    if text is None:
        return None
    lines = split_lines(text)
    close = parsed.fm_end - 1
    if len(lines) <= close or lines[0].rstrip() != _FENCE:
        return None
    source = "\n".join(lines[1:close]) + "\n"
    return source if zlib.crc32(source.encode("utf-8", "surrogatepass")) == parsed._sum else None


def body_digest(lines: list[str]) -> str:
    """The digest of a body's lines: the same as `tracecard.git.index.body_digest` (16 hex
    digits; whitespace at line ends and blank lines at the end are not part of it)."""
    kept = [line.rstrip() for line in lines]
    while kept and not kept[-1]:
        kept.pop()
    text = "\n".join(kept).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(text, digest_size=8).hexdigest()


_FENCE = "---"


def decode(raw: bytes) -> tuple[str | None, Finding | None]:
    """Bytes to text, or a problem saying where the bytes stop being UTF-8 text."""
    if b"\x00" in raw[:8192]:
        return None, par.Unreadable.problem(1, 1, "binary file (NUL bytes): not a Markdown record")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start + (3 if raw.startswith(b"\xef\xbb\xbf") else 0)  # utf-8-sig skips the BOM
        line = raw.count(b"\n", 0, start) + 1
        col = start - (raw.rfind(b"\n", 0, start) + 1) + 1
        return None, par.Unreadable.problem(
            line, col, f"not UTF-8 (byte 0x{raw[start]:02x}): save the file as UTF-8"
        )
    return text, None


def split_lines(text: str) -> list[str]:
    """Lines without their endings; only LF and CRLF end a line (not U+2028 and friends)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [ln[:-1] if ln.endswith("\r") else ln for ln in lines]


def parse_text(text: str) -> Parsed:
    """Split `text` (BOM already removed) into front matter and body."""
    lines = split_lines(text)
    out = Parsed()
    if not lines or not text.strip():
        out.problems.append(par.NoFrontMatter.problem(1, 1, "empty file: a record starts with '---' front matter"))
        return out
    if lines[0].rstrip() != _FENCE:
        out.body_lines = lines
        out.problems.append(
            par.NoFrontMatter.problem(1, 1, "no front matter: start the file with a '---' line, the YAML, and '---'")
        )
        return out
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if close is None:
        out.problems.append(
            par.UnclosedFrontMatter.problem(1, 1, "front matter is never closed: add a '---' line after the YAML")
        )
        return out
    out.fm_start, out.fm_end, out.body_start = 1, close + 1, close + 2
    out.body_lines = lines[close + 1 :]
    _load_yaml("\n".join(lines[1:close]) + "\n", out)
    return out


#: Characters libyaml (YAML 1.1) takes for line breaks but YAML 1.2 and our line count do not.
_ODD_BREAKS = {"\r": "\ue00d", "\x85": "\ue085", "\u2028": "\ue028", "\u2029": "\ue029"}
_RESTORE = {v: k for k, v in _ODD_BREAKS.items()}


#: libyaml contexts whose error is best shown where the construct opened (an unclosed `[`, `"`).
_OPENERS = (
    "while parsing a flow", "while scanning a quoted scalar", "while scanning a simple key",
)  # fmt: skip


def _load_yaml(source: str, out: Parsed) -> None:
    offset = out.fm_start + 1  # file line of YAML line 0
    odd = any(ch in source for ch in _ODD_BREAKS)
    if odd:  # keep libyaml's line numbers equal to ours; the characters come back in values
        for ch, stand_in in _ODD_BREAKS.items():
            source = source.replace(ch, stand_in)
    try:
        node = yaml.compose(source, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "invalid YAML"
        opener = (exc.context or "").startswith(_OPENERS)
        at_end = mark is not None and mark.index >= len(source.rstrip())
        if exc.context_mark is not None and mark is not None and (opener or at_end):
            mark = exc.context_mark  # an unclosed '[' or quote: point where it opened
            opened = (exc.context or "").removeprefix("while parsing ").removeprefix("while scanning ")
            what = f"{opened or 'a value'} that starts here is never closed ({exc.problem})"
        line = offset + (mark.line if mark else 0)
        col = (mark.column + 1) if mark else 1
        out.problems.append(par.InvalidYaml.problem(line, col, f"invalid YAML: {what}"))
        return
    except yaml.YAMLError as exc:
        out.problems.append(par.InvalidYaml.problem(offset, 1, f"invalid YAML: {exc}"))
        return
    if node is None:
        out.data = {}
        out.positions[()] = (out.fm_start, 1, out.fm_start, 1)
        return
    deep = _too_deep(node) if _may_be_deep(source) else None
    if deep is not None:
        out.problems.append(par.YamlTooComplex.problem(
            offset + deep.start_mark.line, deep.start_mark.column + 1,
            f"front matter nests lists and mappings more than {MAX_DEPTH} levels deep: "
            "flatten it (no record needs that)",
        ))  # fmt: skip
        return
    if not odd and "&" not in source and "!" not in source and "<<" not in source:
        # No anchors, aliases, tags or merges: a plain tree, built without bookkeeping.
        if isinstance(node, yaml.MappingNode):
            out.data = _plain_mapping(node, offset, out.problems)
            out._source, out._offset = source, offset
            _remember(out, node)  # the rules that run next may ask for a position in it
            return
    if not isinstance(node, yaml.MappingNode):
        line, col = offset + node.start_mark.line, node.start_mark.column + 1
        out.problems.append(
            par.NotAMapping.problem(line, col, "front matter is not a mapping: write 'key: value' lines")
        )
        return
    builder = _Builder(offset, out, source, odd)
    try:
        data = builder.build(node, ())
    except _TooBig:
        out.problems.append(
            par.YamlTooComplex.problem(
                offset + node.start_mark.line,
                node.start_mark.column + 1,
                f"front matter expands to more than {MAX_NODES} YAML nodes (alias bomb?): "
                "remove the anchors and aliases",
            )
        )
        return
    out.data = data
    out.positions[()] = (out.fm_start, 1, out.fm_start, 1)


#: How deep lists and mappings may nest. Every reader and editor of tracecard refuses deeper
#: front matter the same way (PAR009), before any code that recurses sees it.
MAX_DEPTH = 64


def _may_be_deep(source: str) -> bool:
    """Whether the YAML text could nest more than MAX_DEPTH levels. A block level takes more
    indentation or a `- ` on the line, a flow level a `[` or `{`: a bound from those counts,
    cheap to take, spares the walk for every ordinary record."""
    flow = source.count("[") + source.count("{")
    if flow > MAX_DEPTH // 2:
        return True
    block = max((len(ln) - len(ln.lstrip(" ")) + ln.count("- ") for ln in source.splitlines()),
                default=0)  # fmt: skip
    return block + flow >= MAX_DEPTH - 1


def _too_deep(root: yaml.Node) -> yaml.Node | None:
    """The first node nested deeper than MAX_DEPTH, walked without recursion (aliases are not
    followed: the node budget bounds those)."""
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    seen: set[int] = set()
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return node
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))
    return None


def _plain_value(node: yaml.Node, offset: int, problems: list[Finding]) -> Any:
    cls = node.__class__
    if cls is yaml.ScalarNode:
        return scalar(node)  # type: ignore[arg-type]
    if cls is yaml.SequenceNode:
        return [_plain_value(child, offset, problems) for child in node.value]
    return _plain_mapping(node, offset, problems)  # type: ignore[arg-type]


def _plain_mapping(node: yaml.MappingNode, offset: int, problems: list[Finding]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if key_node.__class__ is not yaml.ScalarNode:
            m = key_node.start_mark
            problems.append(par.InvalidYaml.problem(offset + m.line, m.column + 1, "invalid YAML: a key must be a plain string"))
            continue
        key = _intern(key_node.value)
        if key in result:
            m = key_node.start_mark
            problems.append(par.DuplicateKey.problem(offset + m.line, m.column + 1, f"duplicate key '{key}': keep one of them"))
        result[key] = _plain_value(value_node, offset, problems)
    return result


def _locate(root: yaml.Node, offset: int, path: Path_) -> tuple[int, int, int, int] | None:
    """The position of the deepest prefix of `path` that exists (what `_walk_positions` would
    give for it), found by following that path alone."""
    node, hit = root, None
    for step in path:
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            pair = None
            for key_node, value_node in node.value:  # the last of duplicate keys wins, as in data
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == step:
                    pair = (key_node, value_node)
            if pair is None:
                return hit
            key_node, node = pair
            km, vm = key_node.start_mark, node.start_mark
            kline, kcol = offset + km.line, km.column + 1
            if vm.line == km.line or not isinstance(node, yaml.ScalarNode):
                hit = (kline, kcol, offset + vm.line, vm.column + 1)
            else:
                hit = (kline, kcol, kline, kcol)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
            node = node.value[step]
            m = node.start_mark
            hit = (offset + m.line, m.column + 1, offset + m.line, m.column + 1)
        else:
            return hit
    return hit


def _walk_positions(
    root: yaml.Node, offset: int, fm_start: int
) -> dict[Path_, tuple[int, int, int, int]]:
    """Every key's and item's position, as `_Builder` records them, from a composed tree."""
    positions: dict[Path_, tuple[int, int, int, int]] = {(): (fm_start, 1, fm_start, 1)}
    stack: list[tuple[yaml.Node, Path_]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    continue
                km, vm = key_node.start_mark, value_node.start_mark
                kline, kcol = offset + km.line, km.column + 1
                child = path + (key_node.value,)
                if vm.line == km.line or not isinstance(value_node, yaml.ScalarNode):
                    positions[child] = (kline, kcol, offset + vm.line, vm.column + 1)
                else:  # an empty value is marked on the next line by libyaml
                    positions[child] = (kline, kcol, kline, kcol)
                stack.append((value_node, child))
        elif isinstance(node, yaml.SequenceNode):
            for i, child_node in enumerate(node.value):
                m = child_node.start_mark
                line, col = offset + m.line, m.column + 1
                positions.setdefault(path + (i,), (line, col, line, col))
                stack.append((child_node, path + (i,)))
    return positions


class _TooBig(Exception):
    pass


_INT = re.compile(r"[-+]?[0-9]+\Z")
_INT_OTHER = re.compile(r"0o[0-7]+\Z|0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_SPECIAL = {
    "": None, "~": None, "null": None, "Null": None, "NULL": None,
    "true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False,
    ".inf": float("inf"), "+.inf": float("inf"), "-.inf": float("-inf"),
    ".Inf": float("inf"), ".INF": float("inf"), "-.Inf": float("-inf"),
    ".nan": float("nan"), ".NaN": float("nan"), ".NAN": float("nan"),
}  # fmt: skip

_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
#: Longer integers stay text: Python refuses to convert beyond 4300 digits, and no field needs them.
_MAX_DIGITS = 1000
_MAYBE_NOT_STR = frozenset("0123456789+-.~nNtTfF")


#: Keys and short values (statuses, metric names, IDs) recur across records: one string each.
_intern = sys.intern
_SHORT = 48


def scalar(node: yaml.ScalarNode, explicit_tag: bool = False) -> Any:
    """YAML 1.2 core schema for plain scalars; quoted and block scalars are strings.

    libyaml's resolver is YAML 1.1, so its implicit tags are ignored for plain scalars
    (`1e-3` is a float, `yes` a string); an explicit `!!str` is honoured.
    """
    value = node.value
    if node.style or (explicit_tag and node.tag == _STR_TAG):  # libyaml: plain style is ""
        return _intern(value) if len(value) <= _SHORT else value
    if value and node.tag == _STR_TAG and value[0] not in _MAYBE_NOT_STR:
        return _intern(value) if len(value) <= _SHORT else value
    if value in _SPECIAL:
        return _SPECIAL[value]
    if _INT.match(value):
        return int(value) if len(value) <= _MAX_DIGITS else value
    if _INT_OTHER.match(value):
        return int(value, 0) if len(value) <= _MAX_DIGITS else value
    if _FLOAT.match(value):
        return YamlFloat(float(value), value)
    return value


class _Builder:
    """Builds Python values from composed nodes, recording positions and duplicate keys."""

    __slots__ = ("offset", "out", "budget", "active", "source", "odd")

    def __init__(self, offset: int, out: Parsed, source: str, odd: bool) -> None:
        self.offset = offset
        self.out = out
        self.budget = MAX_NODES
        self.active: set[int] = set()
        self.source = source
        self.odd = odd

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise _TooBig
        if isinstance(node, yaml.ScalarNode):
            value = scalar(node, self.source[node.start_mark.index : node.start_mark.index + 1] == "!")
            if self.odd and isinstance(value, str):
                for stand_in, ch in _RESTORE.items():
                    value = value.replace(stand_in, ch)
            return value
        if id(node) in self.active:
            mark = node.start_mark
            self.out.problems.append(
                par.YamlTooComplex.problem(self.offset + mark.line, mark.column + 1, "recursive YAML alias")
            )
            return None
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return self._sequence(node, path)
            assert isinstance(node, yaml.MappingNode)
            return self._mapping(node, path)
        finally:
            self.active.discard(id(node))

    def _sequence(self, node: yaml.SequenceNode, path: Path_) -> list[Any]:
        items = []
        positions = self.out.positions
        for i, child in enumerate(node.value):
            m = child.start_mark
            line, col = self.offset + m.line, m.column + 1
            positions.setdefault(path + (i,), (line, col, line, col))
            items.append(self.build(child, path + (i,)))
        return items

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, Any]:
        result: dict[str, Any] = {}
        explicit: set[str] = set()
        positions = self.out.positions
        for key_node, value_node in node.value:
            km = key_node.start_mark
            kline, kcol = self.offset + km.line, km.column + 1
            if not isinstance(key_node, yaml.ScalarNode):
                self.out.problems.append(
                    par.InvalidYaml.problem(kline, kcol, "invalid YAML: a key must be a plain string")
                )
                continue
            key = key_node.value
            if key == "<<" and not key_node.style:
                merged = self.build(value_node, path)
                for part in merged if isinstance(merged, list) else [merged]:
                    if isinstance(part, dict):
                        for k, v in part.items():
                            result.setdefault(k, v)
                continue
            if key in explicit:
                self.out.problems.append(
                    par.DuplicateKey.problem(kline, kcol, f"duplicate key '{key}': keep one of them")
                )
            explicit.add(key)
            vm = value_node.start_mark
            child = path + (key,)
            if vm.line == km.line or not isinstance(value_node, yaml.ScalarNode):
                positions[child] = (kline, kcol, self.offset + vm.line, vm.column + 1)
            else:  # an empty value is marked on the next line by libyaml
                positions[child] = (kline, kcol, kline, kcol)
            result[key] = self.build(value_node, child)
        return result


# --- body (read by tracecard.load.markdown) ---------------------------------------------------

#: The level given to a bold-only paragraph used as a heading: below every real heading.
BOLD_LEVEL = 7


@dataclass(frozen=True, slots=True)
class Body:
    """What the rules need from a body: headings, prose lines (code blocks blanked), links."""

    headings: tuple[Heading, ...]
    prose: tuple[tuple[int, str], ...]  # (file line, the line with all but readable text blanked)
    links: tuple[BodyLink, ...]
    fences: tuple[int, ...] = ()  # lines that open a code block (fenced or indented)
    labels: tuple[tuple[int, str], ...] = ()  # heading text, blanked like prose


# Made by the ten thousand (by the body reader, and from cache entries): built through their
# slots (tracecard.model.fast).
make_heading: Callable[[int, str, int], Heading] = constructor(Heading)
make_link: Callable[[str, int, int], BodyLink] = constructor(BodyLink)
make_body: Callable[..., Body] = constructor(Body)
