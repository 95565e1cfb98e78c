"""`adr new`, `req new`, `card new`, `dataset new`: a record made from its kind's template.

The ID comes first (the next free number, or the slug of the title), then the template is
filled in: `{{id}}`, `{{title}}`, `{{date}}` and `{{author}}` in the body, and the front-matter
keys `id`, `title`, `status` (the kind's first status), `date` (decisions) and `owners` (the
author from `git config user.name`) through `tracecard.edit.frontmatter`, which quotes what needs quoting.
Supersession and typed links change the other records in the same all-or-nothing write.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import unicodedata
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import IO

from tracecard.edit import frontmatter as edit
from tracecard.edit.lifecycle import (
    Change,
    Workspace,
    change_of,
    check_rel,
    commit,
    find_any,
    has_link,
    load_doc,
    supersede_edits,
    today,
)
from tracecard.errors import UsageError
from tracecard.git import branches, revisions
from tracecard.load import config
from tracecard.load.config import Settings
from tracecard.load.parse import parse_text
from tracecard.model import clock, numbering
from tracecard.model.lifecycles import INITIAL, REVERSE_RELS
from tracecard.model.records import ID_SCHEMES, NOT_RECORDS, Kind, Record
from tracecard.report.text import say

TEMPLATE_FILES: dict[Kind, str] = {
    Kind.DECISION: "decision.md",
    Kind.REQUIREMENT: "requirement.md",
    Kind.MODEL_CARD: "model_card.md",
    Kind.DATASET: "dataset.md",
    Kind.MODEL_REVIEW: "model_review.md",
}
#: Where `tracecard init` puts the templates when the configuration names no `templates` folder.
DEFAULT_TEMPLATE_DIR = ".tracecard/templates"

_VARIABLE = re.compile(r"\{\{\s*(id|title|date|author)\s*\}\}")


def slugify(text: str) -> str:
    """adr-tools' rule: runs of anything but ASCII letters and digits become one `-`, lower case,
    trimmed. Accents are dropped first, so `Café` gives `cafe` rather than `caf`."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-").lower()


def shipped_template(name: str) -> bytes:
    return resources.files("tracecard").joinpath("templates", name).read_bytes()


def template_bytes(settings: Settings, kind: Kind) -> tuple[str, bytes]:
    """The repository's template for `kind` when it has one, else the shipped one."""
    folder = settings.root / (settings.templates or DEFAULT_TEMPLATE_DIR)
    if settings.templates and not folder.is_dir():
        where = settings.config_file.name if settings.config_file else "the configuration"
        raise UsageError(f"templates folder {settings.templates} (set in {where}) does not exist")
    own = folder / TEMPLATE_FILES[kind]
    if own.is_file():
        if not own.resolve().is_relative_to(settings.root.resolve()):
            raise UsageError(f"template {own} links outside the repository: tracecard reads "
                             "templates only inside it")  # fmt: skip
        return str(own), own.read_bytes()
    return f"shipped {TEMPLATE_FILES[kind]}", shipped_template(TEMPLATE_FILES[kind])


def new_record(
    kind: Kind,
    title: str,
    out: IO[str],
    err: IO[str],
    supersedes: Sequence[str] = (),
    links: Sequence[str] = (),
    slug: str | None = None,
    open_editor: bool = False,
    card: str | None = None,
    version: str | None = None,
) -> int:
    # A record linked to nothing needs no other record read: numbers come from file names,
    # when every file name in the kind's folder carries its number.
    settings = config.load(config.find_root(Path.cwd()))
    light = not supersedes and not links and card is None and _names_carry_numbers(settings, kind)
    ws = Workspace.open(light=light, settings=settings)
    title = _check_title(title)
    reviewed = ws.find(Kind.MODEL_CARD, card) if card is not None else None
    folder = _folder(ws.settings, kind)
    slug = _slug(slug if slug is not None else title, given=slug is not None)
    olds = [ws.find(Kind.DECISION, s) for s in dict.fromkeys(supersedes)]
    typed = [_parse_link(ws, spec) for spec in dict.fromkeys(links)]
    rid, path, notes = _allocate(ws, kind, folder, slug)
    doc = _render(ws.settings, kind, rid, title)
    if reviewed is not None:
        _set_reviewed(doc, reviewed, version)
    others: dict[str, edit.Document] = {}
    for old in olds:
        doc.append_to_list("supersedes", str(old.id))
        old_doc = supersede_edits(ws, old, rid)
        if old_doc is not None:
            others[str(old.id)] = old_doc
    for rel, dst in typed:
        doc.append_mapping_to_list("links", {"rel": rel, "id": str(dst.id)})
        if not has_link(dst, REVERSE_RELS[rel], rid):
            dst_doc = others.get(str(dst.id)) or load_doc(ws, dst)
            dst_doc.append_mapping_to_list("links", {"rel": REVERSE_RELS[rel], "id": rid})
            others[str(dst.id)] = dst_doc
    changes = [Change(path, kind, doc, None)]
    changes += [change_of(ws, ws.graph.by_id[rec_id], d) for rec_id, d in others.items()]
    commit(ws, changes)
    for line in notes:
        say(f"tracecard: {line}", err)
    say(_shown(path), out)
    if open_editor:
        _edit(path, err)
    return 0


def _set_reviewed(doc: edit.Document, card: Record, version: str | None) -> None:
    """A model review's `card` and `version`: the version given, else the card's own now."""
    doc.set_scalar("card", str(card.id))
    if version is None:
        from tracecard.model.reviews import version_text

        version = version_text(card.data.get("version"))  # `3.10` as the card writes it
    elif not version.strip() or any(c in version for c in "\r\n"):
        raise UsageError("--version must be one line of text, e.g. 3.2.0")
    if version is not None:
        doc.set_scalar("version", version.strip())
    elif "version" in doc.data:
        doc.remove_key("version")  # the card has no version: nothing to name


def _names_carry_numbers(settings: Settings, kind: Kind) -> bool:
    """Whether the numbers of the kind's records can be read from their file names alone."""
    if not ID_SCHEMES[kind].numbered:
        return True
    folder = settings.root / settings.folders[kind]
    for _dirpath, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith((".", "_"))]
        for name in names:
            if name.endswith(".md") and not name.startswith(".") and \
                    name.lower() not in NOT_RECORDS and numbering.number_of(kind, name) is None:
                return False  # fmt: skip
    return True


def _check_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise UsageError("the title is empty")
    if any(c in title for c in "\r\n\x85\u2028\u2029"):
        raise UsageError("the title must be one line")
    return title


def _folder(settings: Settings, kind: Kind) -> Path:
    rel = settings.folders[kind]
    folder = settings.root / rel
    if not folder.is_dir():
        raise UsageError(f"the {kind.label} folder {rel} does not exist: run `tracecard init`")
    return folder


#: File names stay well under the 255 bytes most file systems allow, number and temp names
#: included.
MAX_SLUG = 60


def _slug(text: str, given: bool) -> str:
    slug = slugify(text)
    if len(slug) > MAX_SLUG:  # cut at a word boundary when there is one
        cut = slug[:MAX_SLUG]
        slug = cut.rsplit("-", 1)[0] if "-" in cut[MAX_SLUG // 2:] else cut
    if not slug:
        what = "--slug" if given else "the title"
        raise UsageError(f"{what} {text!r} has no letters or digits to make a file name from")
    return slug


def _parse_link(ws: Workspace, spec: str) -> tuple[str, Record]:
    rel, sep, ident = spec.partition(":")
    if not sep or not ident.strip():
        raise UsageError(f"--link {spec!r}: write it as REL:ID, e.g. amends:ADR-0003")
    return check_rel(rel), find_any(ws, ident)


def _allocate(ws: Workspace, kind: Kind, folder: Path, slug: str) -> tuple[str, Path, list[str]]:
    """The new record's ID and path, and notes about numbers other branches hold."""
    scheme = ID_SCHEMES[kind]
    if scheme.numbered:
        ids = [r.id for r in ws.graph.records if r.kind is kind and r.id]
        local = numbering.local_numbers(kind, folder, ids)
        nxt = branches.next_number(kind, folder, local)
        notes = numbering.skipped_message(kind, nxt.skipped, nxt.number)
        return numbering.format_id(kind, nxt.number), folder / f"{nxt.number:04d}-{slug}.md", notes
    rid, path = f"{scheme.prefix}-{slug}", folder / f"{slug}.md"
    taken = ws.graph.by_id.get(rid)
    if taken is not None or path.exists():
        where = taken.path if taken is not None else _shown(path)
        raise UsageError(f"{rid} exists already ({where}): choose another title or pass --slug")
    return rid, path, []


def _render(settings: Settings, kind: Kind, rid: str, title: str) -> edit.Document:
    name, raw = template_bytes(settings, kind)
    bom = raw.startswith(b"\xef\xbb\xbf")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"template {name}: not UTF-8 ({exc.reason})") from exc
    parsed = parse_text(text)
    if parsed.problems or parsed.data is None:
        p = parsed.problems[0]
        raise UsageError(f"template {name}:{p.line}:{p.col}: {p.message}")
    author = revisions.user_name(settings.root)
    values = {"id": rid, "title": title, "date": today(), "author": author or ""}
    head, body = _split_after_line(text, parsed.fm_end)
    body = _VARIABLE.sub(lambda m: values[m.group(1)], body)
    filled = (b"\xef\xbb\xbf" if bom else b"") + (head + body).encode("utf-8")
    doc = edit.Document(filled, name=f"template {name}")
    doc.set_scalar("id", rid)
    doc.set_scalar("title", title, prose=True)
    doc.set_scalar("status", INITIAL[kind])
    if kind in (Kind.DECISION, Kind.MODEL_REVIEW):  # a review's date: when it is planned
        doc.set_scalar("date", clock.today())
    if author:
        doc.append_to_list("owners", author)
    return doc


def _split_after_line(text: str, count: int) -> tuple[str, str]:
    pos = 0
    for _ in range(count):
        nl = text.find("\n", pos)
        if nl < 0:
            return text, ""
        pos = nl + 1
    return text[:pos], text[pos:]


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def _edit(path: Path, err: IO[str]) -> None:
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        say("tracecard: set VISUAL or EDITOR to open the new record with --edit", err)
        return
    try:
        code = subprocess.call([*shlex.split(editor), str(path)])
    except OSError as exc:
        say(f"tracecard: cannot start the editor {editor!r}: {exc.strerror or exc}", err)
        return
    if code:
        say(f"tracecard: the editor exited with status {code} ({_shown(path)})", err)
