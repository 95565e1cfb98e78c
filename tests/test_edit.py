"""Front-matter edits change only the intended lines, refuse what they cannot edit safely,
and never leave a half-written file."""

from __future__ import annotations

import difflib
import errno
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from tracecard.edit import frontmatter as edit
from tracecard.edit.frontmatter import EditError, load, save

BOM = b"\xef\xbb\xbf"

RECORD = """---

# Architecture decision: written by people, edited by tracecard
id: ADR-0007   # assigned by `adr new`
title: Überprüfung — 検証  # de/ja
status: "proposed"  # proposed | accepted | rejected
owner: 'Zoë'
date: 2024-03-09
decision-makers: Alice, Bob
supersedes: ADR-0001
tags: [retrieval, ranking]   # flow list
owners:
  # the lead first
  - alice   # lead
  # - carol (left the team)
  - bob
  # keep this list short
links:
  - rel: relates-to
    id: REQ-0003
x-team-field: {a: 1, b: [2, 3]}   # a key tracecard does not know
notes: |
  # not a comment: part of the text
  second line
---
# Use two-tower retrieval

Trailing spaces stay   \n\
and so does ünïcödé — 検証.
"""


def write(tmp_path: Path, text: str | bytes, name: str = "0007-record.md") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def changes(before: bytes, after: bytes) -> tuple[list[bytes], list[bytes]]:
    """The byte lines removed and added between two versions of a file."""
    a = before.splitlines(keepends=True)
    b = after.splitlines(keepends=True)
    removed: list[bytes] = []
    added: list[bytes] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            removed += a[i1:i2]
            added += b[j1:j2]
    return removed, added


def edited(tmp_path: Path, text: str | bytes, *calls: tuple[str, Any]) -> tuple[bytes, bytes]:
    """Load a record, apply `(method, args)` calls, save it; return the bytes before and after."""
    path = write(tmp_path, text)
    before = path.read_bytes()
    doc = load(path)
    for method, args in calls:
        getattr(doc, method)(*args)
    save(doc, path)
    return before, path.read_bytes()


def lines(*items: str) -> list[bytes]:
    return [item.encode("utf-8") for item in items]


# -- set_scalar ---------------------------------------------------------------------------


def test_set_scalar_keeps_double_quotes_and_trailing_comment(tmp_path: Path) -> None:
    before, after = edited(tmp_path, RECORD, ("set_scalar", ("status", "accepted")))
    assert changes(before, after) == (
        lines('status: "proposed"  # proposed | accepted | rejected\n'),
        lines('status: "accepted"  # proposed | accepted | rejected\n'),
    )


def test_set_scalar_keeps_single_quotes(tmp_path: Path) -> None:
    before, after = edited(tmp_path, RECORD, ("set_scalar", ("owner", "O'Neil")))
    assert changes(before, after) == (lines("owner: 'Zoë'\n"), lines("owner: 'O''Neil'\n"))
    assert load(write(tmp_path, after)).data["owner"] == "O'Neil"


def test_set_scalar_on_non_ascii_plain_value_quotes_when_needed(tmp_path: Path) -> None:
    before, after = edited(tmp_path, RECORD, ("set_scalar", ("title", "Prüfung: 検証")))
    assert changes(before, after) == (
        lines("title: Überprüfung — 検証  # de/ja\n"),
        lines("title: 'Prüfung: 検証'  # de/ja\n"),
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("ADR-0001", "ADR-0001"),
        ("2024-05-01", "2024-05-01"),
        ("it's fine", "it's fine"),
        ("yes", "'yes'"),
        ("No", "'No'"),
        ("null", "'null'"),
        ("1.10", "'1.10'"),
        ("0755", "'0755'"),
        ("a: b", "'a: b'"),
        ("#hash", "'#hash'"),
        ("*star", "'*star'"),
        ("- dash", "'- dash'"),
        (" padded", "' padded'"),
        ("", "''"),
        ("two\nlines", '"two\\nlines"'),
        (True, "true"),
        (False, "false"),
        (3, "3"),
        (0.75, "0.75"),
    ],
)
def test_set_scalar_writes_values_that_read_back_the_same(
    tmp_path: Path, value: Any, text: str
) -> None:
    before, after = edited(tmp_path, RECORD, ("set_scalar", ("date", value)))
    assert changes(before, after) == (lines("date: 2024-03-09\n"), lines(f"date: {text}\n"))
    assert edit.Document(after).data["date"] == value


def test_set_scalar_adds_an_absent_key_before_the_closing_fence(tmp_path: Path) -> None:
    before, after = edited(tmp_path, RECORD, ("set_scalar", ("x-reviewed", "2024-04-01")))
    removed, added = changes(before, after)
    assert (removed, added) == ([], lines("x-reviewed: 2024-04-01\n"))
    head = after.split(b"\n---\n")[0]
    assert head.endswith(b"  second line\nx-reviewed: 2024-04-01")


def test_set_scalar_replaces_exactly_the_lines_of_a_block_value(tmp_path: Path) -> None:
    before, after = edited(tmp_path, RECORD, ("set_scalar", ("owners", "alice")))
    assert changes(before, after) == (
        lines(
            "owners:\n",
            "  # the lead first\n",
            "  - alice   # lead\n",
            "  # - carol (left the team)\n",
            "  - bob\n",
        ),
        lines("owners: alice\n"),
    )
    assert b"  # keep this list short\nlinks:\n" in after


def test_set_scalar_replaces_a_block_scalar(tmp_path: Path) -> None:
    before, after = edited(tmp_path, RECORD, ("set_scalar", ("notes", "short")))
    assert changes(before, after) == (
        lines("notes: |\n", "  # not a comment: part of the text\n", "  second line\n"),
        lines("notes: short\n"),
    )


def test_set_scalar_on_an_empty_value_keeps_its_comment(tmp_path: Path) -> None:
    text = "---\nid: ADR-0001\nstatus:   # to be decided\n---\n"
    before, after = edited(tmp_path, text, ("set_scalar", ("status", "accepted")))
    assert changes(before, after) == (
        lines("status:   # to be decided\n"),
        lines("status: accepted   # to be decided\n"),
    )


# -- append_to_list -----------------------------------------------------------------------


def test_append_to_block_list_goes_after_the_last_item_not_the_comments(tmp_path: Path) -> None:
    before, after = edited(tmp_path, RECORD, ("append_to_list", ("owners", "dave")))
    assert changes(before, after) == ([], lines("  - dave\n"))
    assert b"  - bob\n  - dave\n  # keep this list short\n" in after


def test_append_to_flow_list_stays_on_its_line(tmp_path: Path) -> None:
    before, after = edited(tmp_path, RECORD, ("append_to_list", ("tags", "recsys")))
    assert changes(before, after) == (
        lines("tags: [retrieval, ranking]   # flow list\n"),
        lines("tags: [retrieval, ranking, recsys]   # flow list\n"),
    )


def test_append_to_flow_list_follows_its_quoting(tmp_path: Path) -> None:
    text = "---\ntags: ['a', 'b']\nids: [\"X-1\"]\n---\n"
    before, after = edited(
        tmp_path, text, ("append_to_list", ("tags", "c")), ("append_to_list", ("ids", "X-2"))
    )
    assert changes(before, after)[1] == lines("tags: ['a', 'b', 'c']\n", 'ids: ["X-1", "X-2"]\n')


def test_append_to_multi_line_flow_list(tmp_path: Path) -> None:
    text = "---\ntags: [\n  a,\n  b\n]\n---\nbody\n"
    before, after = edited(tmp_path, text, ("append_to_list", ("tags", "c")))
    assert changes(before, after) == (lines("  b\n"), lines("  b,\n", "  c\n"))


def test_append_to_empty_flow_list(tmp_path: Path) -> None:
    text = "---\nid: ADR-0001\nsupersedes: []  # none\n---\n"
    before, after = edited(tmp_path, text, ("append_to_list", ("supersedes", "ADR-0002")))
    assert changes(before, after)[1] == lines("supersedes: [ADR-0002]  # none\n")


def test_append_to_madr_scalar_converts_only_that_line(tmp_path: Path) -> None:
    before, after = edited(tmp_path, RECORD, ("append_to_list", ("supersedes", "ADR-0003")))
    assert changes(before, after) == (
        lines("supersedes: ADR-0001\n"),
        lines("supersedes: [ADR-0001, ADR-0003]\n"),
    )


def test_append_to_comma_separated_string(tmp_path: Path) -> None:
    before, after = edited(tmp_path, RECORD, ("append_to_list", ("decision-makers", "Carol")))
    assert changes(before, after) == (
        lines("decision-makers: Alice, Bob\n"),
        lines("decision-makers: [Alice, Bob, Carol]\n"),
    )


def test_append_present_item_is_a_no_op(tmp_path: Path) -> None:
    path = write(tmp_path, RECORD)
    doc = load(path)
    doc.append_to_list("owners", "bob")
    doc.append_to_list("supersedes", "ADR-0001")
    doc.append_mapping_to_list("links", {"rel": "relates-to", "id": "REQ-0003"})
    assert not doc.changed
    assert save(doc, path) is False
    assert path.read_bytes() == RECORD.encode("utf-8")


def test_append_to_absent_key_follows_the_block_style_of_the_file(tmp_path: Path) -> None:
    text = "---\nid: ADR-0001\nowners:\n    - alice\n---\n"
    before, after = edited(tmp_path, text, ("append_to_list", ("supersedes", "ADR-0000")))
    assert changes(before, after) == ([], lines("supersedes:\n", "    - ADR-0000\n"))


def test_append_to_absent_key_follows_the_flow_style_of_the_file(tmp_path: Path) -> None:
    text = "---\nid: ADR-0001\ntags: [a]\n---\n"
    before, after = edited(tmp_path, text, ("append_to_list", ("supersedes", "ADR-0000")))
    assert changes(before, after) == ([], lines("supersedes: [ADR-0000]\n"))


def test_append_to_empty_key_in_block_file_adds_an_item_line(tmp_path: Path) -> None:
    text = "---\nowners:\n  - alice\nsupersedes:  # filled by adr new\n---\n"
    before, after = edited(tmp_path, text, ("append_to_list", ("supersedes", "ADR-0002")))
    assert changes(before, after) == ([], lines("  - ADR-0002\n"))
    assert edit.Document(after).data["supersedes"] == ["ADR-0002"]


def test_append_to_null_and_quoted_string(tmp_path: Path) -> None:
    text = "---\ninformed: ~  # nobody yet\nconsulted: \"Ann\"\n---\n"
    before, after = edited(
        tmp_path,
        text,
        ("append_to_list", ("informed", "Bea")),
        ("append_to_list", ("consulted", "Cy")),
    )
    assert changes(before, after)[1] == lines(
        "informed: [Bea]  # nobody yet\n", 'consulted: ["Ann", "Cy"]\n'
    )


def test_append_to_a_number_is_refused() -> None:
    doc = edit.Document(b"---\nsupersedes: 7\n---\n")
    with pytest.raises(EditError, match="holds a number, not a list"):
        doc.append_to_list("supersedes", "ADR-0001")


def test_append_to_a_mapping_is_refused(tmp_path: Path) -> None:
    doc = load(write(tmp_path, RECORD))
    with pytest.raises(EditError, match="not a list"):
        doc.append_to_list("x-team-field", "c")
    assert doc.text() == RECORD


# -- append_mapping_to_list ----------------------------------------------------------------


def test_append_mapping_to_block_list(tmp_path: Path) -> None:
    link = {"rel": "amends", "id": "ADR-0001"}
    before, after = edited(tmp_path, RECORD, ("append_mapping_to_list", ("links", link)))
    assert changes(before, after) == ([], lines("  - rel: amends\n", "    id: ADR-0001\n"))
    assert b"    id: REQ-0003\n  - rel: amends\n    id: ADR-0001\nx-team-field" in after


def test_append_mapping_to_flow_list(tmp_path: Path) -> None:
    text = "---\nlinks: [{rel: relates-to, id: REQ-0003}]  # typed\n---\n"
    link = {"rel": "amends", "id": "ADR-0001"}
    before, after = edited(tmp_path, text, ("append_mapping_to_list", ("links", link)))
    assert changes(before, after)[1] == lines(
        "links: [{rel: relates-to, id: REQ-0003}, {rel: amends, id: ADR-0001}]  # typed\n"
    )


def test_append_mapping_to_block_list_of_flow_mappings(tmp_path: Path) -> None:
    text = "---\nlinks:\n- { rel: relates-to, id: 'REQ-0003' }\n---\n"
    link = {"rel": "amends", "id": "ADR-0001"}
    before, after = edited(tmp_path, text, ("append_mapping_to_list", ("links", link)))
    assert changes(before, after) == ([], lines("- { rel: amends, id: 'ADR-0001' }\n"))


def test_append_mapping_to_absent_key(tmp_path: Path) -> None:
    text = "---\nid: ADR-0001\n---\nbody"
    link = {"rel": "amends", "id": "ADR-0000"}
    before, after = edited(tmp_path, text, ("append_mapping_to_list", ("links", link)))
    assert changes(before, after) == (
        [],
        lines("links:\n", "  - rel: amends\n", "    id: ADR-0000\n"),
    )


# -- remove_key ---------------------------------------------------------------------------


def test_remove_key_removes_its_lines_only(tmp_path: Path) -> None:
    before, after = edited(
        tmp_path, RECORD, ("remove_key", ("links",)), ("remove_key", ("absent",))
    )
    assert changes(before, after) == (
        lines("links:\n", "  - rel: relates-to\n", "    id: REQ-0003\n"),
        [],
    )


# -- line endings, BOM, no trailing newline, blank lines ------------------------------------


def test_crlf_record_keeps_crlf_everywhere(tmp_path: Path) -> None:
    text = RECORD.replace("\n", "\r\n")
    before, after = edited(
        tmp_path,
        text,
        ("set_scalar", ("status", "accepted")),
        ("append_to_list", ("owners", "dave")),
        ("set_scalar", ("x-new", "v")),
    )
    assert changes(before, after) == (
        lines('status: "proposed"  # proposed | accepted | rejected\r\n'),
        lines(
            'status: "accepted"  # proposed | accepted | rejected\r\n',
            "  - dave\r\n",
            "x-new: v\r\n",
        ),
    )
    assert after.count(b"\n") == after.count(b"\r\n")


def test_bom_is_kept(tmp_path: Path) -> None:
    before, after = edited(tmp_path, BOM + RECORD.encode(), ("set_scalar", ("status", "rejected")))
    assert after.startswith(BOM + b"---\n")
    assert changes(before, after) == (
        lines('status: "proposed"  # proposed | accepted | rejected\n'),
        lines('status: "rejected"  # proposed | accepted | rejected\n'),
    )


def test_file_without_trailing_newline_stays_so(tmp_path: Path) -> None:
    text = RECORD.rstrip("\n")
    before, after = edited(tmp_path, text, ("append_to_list", ("tags", "x")))
    assert after.endswith("ünïcödé — 検証.".encode())
    assert len(changes(before, after)[1]) == 1


def test_front_matter_only_file_without_newline(tmp_path: Path) -> None:
    text = "---\r\nid: ADR-0001\r\n---"
    before, after = edited(tmp_path, text, ("set_scalar", ("status", "proposed")))
    assert after == b"---\r\nid: ADR-0001\r\nstatus: proposed\r\n---"


def test_bom_crlf_and_no_trailing_newline_together(tmp_path: Path) -> None:
    text = BOM + "---\r\n\r\ntitle: Überprüfung — 検証\r\n---\r\nbody 検証".encode()
    before, after = edited(tmp_path, text, ("set_scalar", ("title", "Prüfung")))
    assert after == BOM + "---\r\n\r\ntitle: Prüfung\r\n---\r\nbody 検証".encode()


def test_body_is_kept_byte_for_byte(tmp_path: Path) -> None:
    body = "\n# Title\r\nmixed endings\nstray \r in a line\ttab  \n\n\u2028odd separator"
    text = "---\nid: ADR-0001\n---" + body
    before, after = edited(tmp_path, text, ("set_scalar", ("id", "ADR-0002")))
    assert after == text.replace("ADR-0001", "ADR-0002").encode()


def test_empty_front_matter_can_be_filled(tmp_path: Path) -> None:
    before, after = edited(tmp_path, "---\n---\nbody\n", ("set_scalar", ("id", "ADR-0001")))
    assert after == b"---\nid: ADR-0001\n---\nbody\n"


# -- refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"---\ntitle: [unclosed\n---\nbody\n", id="invalid-yaml"),
        pytest.param(b"---\nid: ADR-1\nid: ADR-2\n---\n", id="duplicate-key"),
        pytest.param(b"# Just a heading\n\nno front matter\n", id="no-front-matter"),
        pytest.param(b"---\nid: ADR-1\n", id="never-closed"),
        pytest.param(b"---\n- a\n- b\n---\n", id="not-a-mapping"),
        pytest.param(b"---\ntitle: caf\xe9\n---\n", id="not-utf8"),
        pytest.param(b"", id="empty"),
        pytest.param(b"---\n{id: ADR-1}\n---\n", id="flow-mapping"),
    ],
)
def test_unparseable_record_is_refused_and_untouched(tmp_path: Path, content: bytes) -> None:
    path = write(tmp_path, content)
    with pytest.raises(EditError) as info:
        load(path)
    assert "\n" not in str(info.value)
    assert path.read_bytes() == content
    assert os.listdir(tmp_path) == [path.name]


@pytest.mark.parametrize(
    ("content", "key"),
    [
        ("---\nbase: &b ADR-1\nother: *b\n---\n", "other"),
        ("---\nbase: &b ADR-1\nother: *b\n---\n", "base"),
        ("---\nid: !!str 1.10\n---\n", "id"),
        ("---\nbase: &b {status: x}\n<<: *b\n---\n", "<<"),
    ],
)
def test_anchors_aliases_tags_and_merges_are_refused(content: str, key: str) -> None:
    doc = edit.Document(content.encode())
    with pytest.raises(EditError):
        doc.set_scalar(key, "new")
    assert doc.text() == content


def test_guard_refuses_an_edit_that_would_damage_the_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, RECORD)
    doc = load(path)
    monkeypatch.setattr(edit, "_format", lambda *a, **k: "x\nid: ADR-9999")
    with pytest.raises(EditError, match="not edited"):
        doc.set_scalar("status", "accepted")
    monkeypatch.setattr(edit, "_format", lambda *a, **k: "[accepted]")
    with pytest.raises(EditError, match="wrong value"):
        doc.set_scalar("status", "accepted")
    assert doc.text() == RECORD
    assert save(doc, path) is False
    assert path.read_bytes() == RECORD.encode()


def test_save_refuses_a_file_changed_since_it_was_read(tmp_path: Path) -> None:
    path = write(tmp_path, RECORD)
    doc = load(path)
    doc.set_scalar("status", "accepted")
    path.write_bytes(RECORD.replace("Bob", "Robert").encode())
    with pytest.raises(EditError, match="changed on disk"):
        save(doc, path)
    assert b"Robert" in path.read_bytes()


# -- atomic writes ------------------------------------------------------------------------


def _fail_replace(src: Any, dst: Any) -> None:
    raise OSError(errno.EIO, "simulated I/O error")


def _full_disk(real_write: Any) -> Any:
    def write(fd: int, data: Any) -> int:
        real_write(fd, bytes(data[:7]))  # part of the data lands, then the disk is full
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    return write


@pytest.mark.parametrize("failure", ["replace", "enospc", "fsync"])
def test_failed_write_leaves_the_old_file_whole_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    path = write(tmp_path, RECORD)
    doc = load(path)
    doc.set_scalar("status", "accepted")
    expected: type[BaseException] = EditError
    if failure == "replace":
        monkeypatch.setattr(os, "replace", _fail_replace)
    elif failure == "enospc":
        monkeypatch.setattr(os, "write", _full_disk(os.write))
    else:
        expected = KeyboardInterrupt  # an interruption, not an OSError: it propagates as is

        def interrupted(fd: int) -> None:
            raise KeyboardInterrupt

        monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(expected) as info:
        save(doc, path)
    monkeypatch.undo()
    if failure == "enospc":
        assert "No space left" in str(info.value)
    assert path.read_bytes() == RECORD.encode()
    assert os.listdir(tmp_path) == [path.name]


def test_save_keeps_the_file_mode(tmp_path: Path) -> None:
    path = write(tmp_path, RECORD)
    path.chmod(0o640)
    doc = load(path)
    doc.set_scalar("status", "accepted")
    assert save(doc, path) is True
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert os.listdir(tmp_path) == [path.name]


def test_save_twice_and_through_a_symlink(tmp_path: Path) -> None:
    path = write(tmp_path, RECORD)
    link = tmp_path / "link.md"
    link.symlink_to(path.name)
    doc = load(link)
    doc.set_scalar("status", "accepted")
    save(doc)
    doc.append_to_list("owners", "dave")
    save(doc)
    assert link.is_symlink()
    assert load(path).data["status"] == "accepted"
    assert load(path).data["owners"] == ["alice", "bob", "dave"]
