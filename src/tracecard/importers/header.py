"""What the decision formats share: status words, link phrases, people lists, titles.

Pure functions on strings; each format module decides which lines are its header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tracecard.model.lifecycles import REVERSE_RELS, TRANSITIONS
from tracecard.model.records import Kind

DECISION_STATES = tuple(TRANSITIONS[Kind.DECISION])

#: Status words real decision folders use, read as a state of the decision lifecycle. A team's
#: own `[statuses.decision]` table is asked first.
STATUS_WORDS: dict[str, str] = {
    **{w: "proposed" for w in (
        "draft", "pending", "on hold", "on-hold", "hold", "open", "proposal", "in progress",
        "wip", "work in progress", "under review", "in review", "review", "discussing",
        "under discussion", "suggested", "new", "planned", "idea", "postponed", "deferred",
    )},  # fmt: skip
    **{w: "accepted" for w in (
        "approved", "adopted", "agreed", "decided", "done", "implemented", "active", "in effect",
        "current", "valid", "final", "completed", "complete", "accept", "accecpted", "acepted",
    )},  # fmt: skip
    **{w: "rejected" for w in ("declined", "refused", "abandoned", "withdrawn", "dropped", "reject")},
    **{w: "deprecated" for w in ("obsolete", "retired", "outdated", "deprecate", "legacy")},
    **{w: "superseded" for w in ("replaced", "superceded", "supersceded", "superseeded")},
}


def map_status(prose: str, aliases: dict[str, str] | None = None) -> str | None:
    """The lifecycle state a status text stands for, or None when it names none.

    The whole text first (`on hold`, a configured word), then its leading words
    (`Accepted (lazy consensus) & implemented` is accepted). Of several lines (`2019-01-04
    proposed`, `2019-02-01 accepted`), the last that names a state: the latest."""
    if "\n" in prose.strip():
        found = [map_status(line, aliases) for line in prose.strip().splitlines()]
        return next((state for state in reversed(found) if state), None)
    text = re.sub(r"\s+", " ", prose.strip().strip("*_`").strip()).lower().rstrip(".")
    if not text:
        return None
    tables = [aliases or {}, {s: s for s in DECISION_STATES}, STATUS_WORDS]
    for table in tables:
        if text in table:
            return table[text]
    words = re.findall(r"[a-z][a-z-]*", text)
    for n in (3, 2, 1):  # the longest leading phrase that is a known word
        head = " ".join(words[:n])
        for table in tables:
            if head in table:
                return table[head]
    if text.startswith(("supersede", "superceded")):
        return "superseded"
    return None


# -- links ----------------------------------------------------------------------------------

#: "Supercedes" (adr-tools' spelling), "Superseeds": all read as the one relation.
_SUPERSEDES = re.compile(r"(?:^|\s)super(?:s|c|sc)ee?de?s\Z")
_SUPERSEDED_BY = re.compile(r"(?:^|\s)(?:super(?:s|c|sc)ee?ded|replaced) by\Z")

#: Link relations beyond tracecard's own pairs, with their reverse.
_MORE_PAIRS = (("reverts", "reverted-by"), ("fixes", "fixed-by"),
               ("enables", "enabled-by"), ("updates", "updated-by"))  # fmt: skip
RELS: dict[str, str] = {**REVERSE_RELS, **{a: b for a, b in _MORE_PAIRS},
                        **{b: a for a, b in _MORE_PAIRS}}  # fmt: skip


def relation(verb: str) -> str:
    """`Supersedes`, `Superseded by`, or a typed-link relation (`Amended by` -> amended-by)."""
    v = re.sub(r"\s+", " ", verb.strip().rstrip(":").strip()).lower()
    if _SUPERSEDES.search(v) or v == "supersede":
        return "supersedes"
    if _SUPERSEDED_BY.search(v):
        return "superseded-by"
    if v == "replaces":
        return "supersedes"
    words = re.findall(r"[a-z0-9]+", v)
    # the verb is the last word, or the last two before a preposition (`... is amended by`)
    words = words[-2:] if words and words[-1] in _PREPOSITIONS else words[-1:]
    return "-".join(words) or "relates-to"


_PREPOSITIONS = frozenset({"by", "to", "on", "with", "of", "from", "in"})


def reverse(rel: str) -> str:
    """The relation the target of `rel` gets: amends / amended-by, and a guess from the verb's
    form for a relation nobody listed (`overrides` / `overridden-by` reads `overrides-by`...)."""
    if rel in RELS:
        return RELS[rel]
    if rel.endswith("-by"):
        stem = rel[:-3]
        if stem.endswith("ied"):
            return stem[:-3] + "ies"
        if stem.endswith("ed"):
            return stem[:-1] + "s" if stem[:-2].endswith(("c", "g", "v", "z", "s", "u")) else stem[:-2] + "s"
        return stem
    if rel.endswith("ies"):
        return rel[:-3] + "ied-by"
    if rel.endswith("es") and not rel.endswith("sses"):
        return rel[:-1] + "d-by"  # overrides: overrided-by (regular, if not good English)
    if rel.endswith("s"):
        return rel[:-1] + "ed-by"
    return rel + "-by"


@dataclass(frozen=True)
class LinkRef:
    """A link phrase found in a header: `Amends [2. Title](0002-title.md)` at line `line`."""

    rel: str
    target: str  # a file name (`0002-title.md`) or an ID as written (`ADR-0045`)
    line: int  # 1-based line in the file
    text: str  # as written, for the report


# `Verb [text](target)`, and MADR's bare forms `superseded by ADR-0123`, `supersedes ADR-45`:
# the target is found first, then the verb in the few characters before it (no pattern here
# scans a long line from every position).
_LINK = re.compile(r"\[(?P<label>[^\]\n]{0,500})\]\((?P<target>[^)\s]{0,500})[^)\n]{0,500}\)")
_BARE = re.compile(r"\b(?P<target>[A-Za-z]{1,20}-\d{1,18})\b")
_VERB = re.compile(r"(?P<verb>[A-Za-z][A-Za-z -]{0,60}?)[ \t]*:?[ \t]*\Z")
#: A header line longer than this is prose, not a link phrase.
MAX_PHRASE_LINE = 5000


def split_links(text: str, line: int) -> tuple[str, list[LinkRef]]:
    """The text with its link phrases taken out, and the phrases."""
    found: list[LinkRef] = []
    if len(text) > MAX_PHRASE_LINE:
        return text.strip(), found
    rest = _take(text, _LINK, False, line, found)
    rest = _take(rest, _BARE, True, line, found)
    return rest.strip(" ;,\t"), found


def _take(text: str, pattern: re.Pattern[str], bare: bool, line: int, found: list[LinkRef]) -> str:
    out: list[str] = []
    last = 0
    for m in pattern.finditer(text):
        prefix = text[last:m.start()]
        window = prefix[-64:]
        v = _VERB.search(window)
        target = m.group("target")
        external = ":" in target or target.startswith("#") or not target
        if v is None or external or (bare and not _is_link_verb(v.group("verb"))):
            continue  # prose (a web page, an anchor, an ID named in passing): left as it is
        verb = v.group("verb")
        out.append(prefix[: len(prefix) - len(window) + v.start()])
        found.append(LinkRef(relation(verb), target, line, f"{verb} {m.group(0)}".strip()))
        last = m.end()
    out.append(text[last:])
    return "".join(out)


def _is_link_verb(verb: str) -> bool:
    r = relation(verb)
    return r in ("supersedes", "superseded-by") or r in RELS


# -- titles and people ----------------------------------------------------------------------

# `2. `, `46. `, `0012 - `, `ADR-0007: `, `ADR 7 ` (a bare leading number needs its `.`: `2021 plan`
# is a title)
_NUMBER_PREFIX = re.compile(r"\A(?:ADR[- ]?\d{1,18}[ \t]*[.:)\-]?|\d{1,18}[ \t]*[.:)\-])[ \t]+(?=\S)",
                            re.IGNORECASE)  # fmt: skip


def heading_title(line: str) -> str | None:
    """The title of a `# N. Title` line (also `#46. Title`), without the number; None when the
    line is not a level-one heading."""
    s = line.strip()
    if not s.startswith("#") or s.startswith("##"):
        return None
    text = s[1:].strip()
    if text.endswith("#"):  # a closing sequence of #s, as CommonMark allows
        text = text.rstrip("#").rstrip()
    title = _NUMBER_PREFIX.sub("", text, count=1).strip()
    return title or None


def people(value: str) -> list[str]:
    """`John Doe, Foo bar` -> two names; `@a and @b` too."""
    parts = re.split(r" ?(?:,|;|\band\b|&) ?", " ".join(value.split()))
    return [p.strip() for p in parts if p.strip()]


def tags(value: str) -> list[str]:
    return [t.strip().strip("#`") for t in re.split(r"[,;]", value) if t.strip().strip("#`")]


_ISO_DAY = re.compile(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])\Z")


def regular_date(text: str) -> bool:
    """YYYY-MM-DD, the form the schema asks for (the calendar is the schema rule's business)."""
    return bool(_ISO_DAY.match(text))


@dataclass
class Header:
    """What a decision format's header says, and which body lines it was written on."""

    title: str | None = None
    date: str | None = None
    date_line: int = 0
    status: str | None = None  # the prose as written, links taken out
    status_line: int = 0
    people: dict[str, list[str]] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    links: list[LinkRef] = field(default_factory=list)
    cut: set[int] = field(default_factory=set)  # 0-based indexes of body lines moved out
    notes: list[tuple[int, str]] = field(default_factory=list)
    #: The state a record without a status is in, in its tool (log4brains shows it accepted).
    default_status: str | None = None
