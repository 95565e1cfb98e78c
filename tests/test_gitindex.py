"""The one-pass history reader and its cache, on real git repositories made in tmp_path."""

from __future__ import annotations

import io
import json
import pickle
import re
from pathlib import Path
from typing import Any

import gitscratch
import pytest

from tracecard.git import index as gitindex
from tracecard.git.index import (
    WORKTREE,
    History,
    Status,
    body_digest,
    read_history,
    with_worktree,
)
from tracecard.load.parse import decode, parse_text, plain
from tracecard.report.text import fmt_number

FOLDERS = ["docs/decisions", "docs/requirements", "docs/model-cards", "docs/datasets"]


def madr_key(path: str, data: dict[str, Any] | None) -> str | None:
    """IDs from `NNNN-` file names in the decisions folder, as a MADR repository has them."""
    m = re.match(r"docs/decisions/(\d{4})-", path)
    return f"ADR-{m.group(1)}" if m else None


class Scratch(gitscratch.Scratch):
    """Commits an hour apart."""


def record(ident: str | None, status: str = "proposed", **extra: object) -> str:
    lines = ["---"] + ([f"id: {ident}"] if ident else []) + [f"status: {status}"]
    lines += [f"{key}: {value}" for key, value in extra.items()]
    return "\n".join(lines + ["---", "", "# Title", "", "## Context", "", "Text.", ""])


def read(repo: Scratch, **kwargs: Any) -> History:
    return read_history(repo.path, FOLDERS, madr_key, **kwargs)


@pytest.fixture
def repo(tmp_path: Path) -> Scratch:
    return Scratch(tmp_path / "repo")


def test_create_and_edit_keep_author_date_and_before(repo: Scratch) -> None:
    repo.write("docs/decisions/0001-use-x.md", record("ADR-0001"))
    first = repo.commit("Propose ADR-0001", author="Ada")
    repo.write("docs/decisions/0001-use-x.md", record("ADR-0001", "accepted"))
    second = repo.commit("Accept ADR-0001", author="Grace")
    hist = read(repo)
    assert hist.status is Status.READ and hist.head == second and not hist.shallow
    created, accepted = hist.records["ADR-0001"].versions
    assert (created.commit, created.parent, created.before) == (first, None, None)
    assert created.date == "2024-01-01T01:00:00+00:00" and created.author == "Ada"
    assert (
        accepted.parent == first
        and accepted.author == "Grace"
        and accepted.email == "grace@example.com"
    )
    assert accepted.subject == "Accept ADR-0001"
    assert accepted.before == {"id": "ADR-0001", "status": "proposed"}
    assert accepted.data == {"id": "ADR-0001", "status": "accepted"}


def test_rename_with_edit_is_followed_by_id(repo: Scratch) -> None:
    repo.write("docs/requirements/0003-fraud.md", record("REQ-0003", "draft", launch=0.7))
    repo.commit("Add REQ-0003")
    repo.git("mv", "docs/requirements/0003-fraud.md", "docs/requirements/0003-fraud-precision.md")
    repo.write(
        "docs/requirements/0003-fraud-precision.md", record("REQ-0003", "agreed", launch=0.75)
    )
    renamed = repo.commit("Rename and agree REQ-0003")
    versions = read(repo).records["REQ-0003"].versions
    assert len(versions) == 2
    last = versions[-1]
    assert last.commit == renamed and last.path == "docs/requirements/0003-fraud-precision.md"
    assert last.old_path == "docs/requirements/0003-fraud.md"
    assert last.before is not None and last.before["launch"] == 0.7 and last.data["launch"] == 0.75


def test_template_born_files_are_not_taken_for_copies(repo: Scratch) -> None:
    repo.write("docs/decisions/0001-a.md", record("ADR-0001"))
    repo.commit("ADR-0001")
    repo.write("docs/decisions/0002-b.md", record("ADR-0002"))
    second = repo.commit("ADR-0002")
    assert read(repo).records["ADR-0002"].created.commit == second


def test_change_on_merged_branch_is_attributed_to_the_branch_commit(repo: Scratch) -> None:
    repo.write("docs/model-cards/fraud.md", record("MC-fraud", "draft", recall=0.8))
    repo.write("docs/datasets/holdout.md", record("DS-holdout", "planned"))
    repo.commit("Add card and dataset")
    repo.git("checkout", "-q", "-b", "topic")
    repo.write("docs/model-cards/fraud.md", record("MC-fraud", "candidate", recall=0.85))
    on_branch = repo.commit("Card to candidate", author="Linus")
    repo.git("checkout", "-q", "main")
    repo.write("docs/datasets/holdout.md", record("DS-holdout", "ready"))
    on_main = repo.commit("Dataset ready")
    repo.tick += 1
    repo.git("merge", "-q", "--no-ff", "topic", "-m", "Merge topic")
    hist = read(repo)
    card = hist.records["MC-fraud"].versions
    assert [v.commit for v in card][1:] == [on_branch]
    assert card[-1].author == "Linus" and card[-1].before["status"] == "draft"
    assert [v.commit for v in hist.records["DS-holdout"].versions][1:] == [on_main]


def test_conflict_resolution_is_attributed_to_the_merge(repo: Scratch) -> None:
    path = "docs/requirements/0001-x.md"
    repo.write(path, record("REQ-0001", "draft", launch=0.7))
    repo.commit("Add")
    repo.git("checkout", "-q", "-b", "topic")
    repo.write(path, record("REQ-0001", "draft", launch=0.8))
    branch = repo.commit("Raise on topic")
    repo.git("checkout", "-q", "main")
    repo.write(path, record("REQ-0001", "draft", launch=0.6))
    main = repo.commit("Lower on main")
    repo.git("merge", "-q", "topic", check=False)
    repo.write(path, record("REQ-0001", "agreed", launch=0.75))
    merge = repo.commit("Merge topic")
    versions = read(repo).records["REQ-0001"].versions
    assert [v.commit for v in versions][1:] == [main, branch, merge] or [
        v.commit for v in versions
    ][1:] == [
        branch,
        main,
        merge,
    ]
    last = versions[-1]
    assert last.parent == main and last.before["launch"] == 0.6 and last.data["launch"] == 0.75


def test_branch_change_dropped_by_the_merge_leaves_no_version(repo: Scratch) -> None:
    path = "docs/decisions/0001-x.md"
    repo.write(path, record("ADR-0001", "accepted"))
    repo.commit("Add")
    repo.git("checkout", "-q", "-b", "topic")
    repo.write(path, record("ADR-0001", "rejected"))
    repo.commit("Reject on topic")
    repo.git("checkout", "-q", "main")
    repo.tick += 1
    repo.git("merge", "-q", "-s", "ours", "topic", "-m", "Merge topic, keep ours")
    versions = read(repo).records["ADR-0001"].versions
    assert [v.data["status"] for v in versions] == ["accepted"]


def test_deletion_is_a_version_and_listed(repo: Scratch) -> None:
    repo.write("docs/datasets/old.md", record("DS-old", "ready"))
    repo.write("docs/datasets/new.md", record("DS-new", "ready"))
    repo.commit("Add")
    (repo.path / "docs/datasets/old.md").unlink()
    gone = repo.commit("Remove DS-old")
    hist = read(repo)
    assert [r.id for r in hist.deleted] == ["DS-old"]
    last = hist.records["DS-old"].latest
    assert (
        last.deleted
        and last.commit == gone
        and last.data is None
        and last.before["status"] == "ready"
    )


def test_id_change_under_same_path_is_reported(repo: Scratch) -> None:
    path = "docs/model-cards/ranker.md"
    repo.write(path, record("MC-ranker", "draft"))
    repo.commit("Add")
    repo.write(path, record("MC-ranker-v2", "draft"))
    changed = repo.commit("Rename the ID")
    hist = read(repo)
    assert [(c.path, c.commit, c.old_id, c.new_id) for c in hist.id_changes] == [
        (path, changed, "MC-ranker", "MC-ranker-v2")
    ]
    assert hist.records["MC-ranker-v2"].created.before["id"] == "MC-ranker"


def test_key_for_names_records_without_id_and_skips_the_rest(repo: Scratch) -> None:
    repo.write("docs/decisions/0007-use-two-tower.md", record(None, "proposed"))
    repo.write("docs/decisions/README.md", "# Decisions\n")
    repo.write("docs/decisions/diagram.png", "not markdown")
    repo.write("src/app.py", "print()\n")
    repo.commit("Add")
    repo.write("docs/decisions/0007-use-two-tower.md", "---\nstatus: [broken\n---\n")
    repo.commit("Break the YAML")
    hist = read(repo)
    assert list(hist.records) == ["ADR-0007"]
    assert [v.data for v in hist.records["ADR-0007"].versions] == [{"status": "proposed"}, None]


def test_root_in_a_subdirectory_gives_paths_relative_to_it(repo: Scratch) -> None:
    repo.write("ml/docs/decisions/0001-x.md", record("ADR-0001"))
    repo.write("docs/decisions/0002-elsewhere.md", record("ADR-0002"))
    repo.commit("Add")
    hist = read_history(repo.path / "ml", FOLDERS, madr_key)
    assert list(hist.records) == ["ADR-0001"]
    assert hist.records["ADR-0001"].latest.path == "docs/decisions/0001-x.md"


def test_shallow_clone_is_detected_and_not_cached(repo: Scratch, tmp_path: Path) -> None:
    repo.write("docs/decisions/0001-x.md", record("ADR-0001"))
    repo.commit("One")
    repo.write("docs/decisions/0001-x.md", record("ADR-0001", "accepted"))
    head = repo.commit("Two")
    clone = tmp_path / "clone"
    repo.git("clone", "-q", "--depth", "1", f"file://{repo.path}", str(clone))
    hist = read_history(clone, FOLDERS, madr_key)
    assert hist.status is Status.READ and hist.shallow and "fetch-depth: 0" in hist.message
    assert hist.head == head and hist.stats.cache == "off"
    assert [(v.commit, v.parent) for v in hist.records["ADR-0001"].versions] == [(head, None)]
    assert not (clone / ".git" / "tracecard").exists()


def test_plain_folder_nonexistent_folder_and_empty_repository(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    for root, status in ((plain, Status.NOT_A_REPO), (tmp_path / "missing", Status.NOT_A_REPO)):
        hist = read_history(root, FOLDERS, madr_key)
        assert hist.status is status and not hist.available and hist.records == {} and hist.message
    empty = Scratch(tmp_path / "empty")
    hist = read_history(empty.path, FOLDERS, madr_key)
    assert hist.status is Status.EMPTY and hist.head == "" and "no commits" in hist.message


def test_cache_is_reused_then_extended_with_new_commits_only(repo: Scratch) -> None:
    for n in range(1, 4):
        repo.write(f"docs/decisions/000{n}-x.md", record(f"ADR-000{n}"))
        repo.commit(f"Add ADR-000{n}")
    cold = read(repo)
    assert (cold.stats.cache, cold.stats.commits_read, cold.stats.blobs_read) == ("cold", 3, 3)
    warm = read(repo)
    assert (warm.stats.cache, warm.stats.commits_read, warm.stats.blobs_read) == ("hit", 0, 0)
    assert warm.records == cold.records
    repo.write("docs/decisions/0002-x.md", record("ADR-0002", "accepted"))
    repo.commit("Accept ADR-0002")
    more = read(repo)
    assert (more.stats.cache, more.stats.commits_read, more.stats.blobs_read) == ("extended", 1, 1)
    assert more.records == read(repo, use_cache=False).records
    assert more.records["ADR-0002"].latest.before == {"id": "ADR-0002", "status": "proposed"}


def test_a_new_cache_removes_caches_of_earlier_formats(repo: Scratch) -> None:
    repo.write("docs/decisions/0001-x.md", record("ADR-0001"))
    repo.commit("Add ADR-0001")
    folder = repo.path / ".git" / "tracecard"
    folder.mkdir(parents=True, exist_ok=True)
    old = folder / "history-2-0123456789ab.json"
    old.write_text("{}", encoding="utf-8")
    other = folder / "journal.json"  # not a history cache: kept
    other.write_text("{}", encoding="utf-8")
    read(repo)
    assert not old.exists() and other.exists()
    assert list(folder.glob(f"history-{gitindex.CACHE_FORMAT}-*"))


def test_rewritten_head_rebuilds_the_cache(repo: Scratch) -> None:
    repo.write("docs/decisions/0001-x.md", record("ADR-0001"))
    repo.commit("One")
    repo.write("docs/decisions/0001-x.md", record("ADR-0001", "accepted"))
    repo.commit("Two")
    assert read(repo).stats.cache == "cold"
    repo.write("docs/decisions/0001-x.md", record("ADR-0001", "rejected"))
    repo.tick += 1
    repo.git("commit", "-q", "-a", "--amend", "-m", "Two, amended")
    hist = read(repo)
    assert hist.stats.cache == "rebuilt" and "not an ancestor" in hist.stats.cache_note
    assert [v.data["status"] for v in hist.records["ADR-0001"].versions] == ["proposed", "rejected"]
    assert read(repo).stats.cache == "hit"


@pytest.mark.parametrize(
    "damage",
    [
        lambda blob: blob[: len(blob) // 2],
        lambda blob: b"garbage",
        lambda blob: blob.replace(b"proposed", b"accepted"),
        lambda blob: blob.replace(
            f"tracecard-history {gitindex.CACHE_FORMAT} ".encode(), b"tracecard-history 99 ", 1
        ),
        lambda blob: b"",
    ],
    ids=["truncated", "garbage", "tampered", "other-format", "empty"],
)
def test_damaged_cache_is_ignored_and_rewritten(repo: Scratch, damage: Any) -> None:
    repo.write("docs/decisions/0001-x.md", record("ADR-0001"))
    repo.commit("One")
    read(repo)
    cache, _delta = _cache_files(repo)
    cache.write_bytes(damage(cache.read_bytes()))
    hist = read(repo)
    assert hist.stats.cache == "rebuilt" and hist.stats.commits_read == 1
    assert hist.records["ADR-0001"].latest.data["status"] == "proposed"
    assert read(repo).stats.cache == "hit"


def test_cache_from_another_tracecard_version_is_ignored(
    repo: Scratch, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.write("docs/decisions/0001-x.md", record("ADR-0001"))
    repo.commit("One")
    read(repo)
    monkeypatch.setattr(gitindex, "__version__", "99.0")
    assert read(repo).stats.cache == "rebuilt"


def test_cache_is_keyed_by_folders(repo: Scratch) -> None:
    repo.write("docs/decisions/0001-x.md", record("ADR-0001"))
    repo.write("docs/datasets/d.md", record("DS-d"))
    repo.commit("One")
    read(repo)
    only = read_history(repo.path, ["docs/datasets"], madr_key)
    assert only.stats.cache == "cold" and list(only.records) == ["DS-d"]


def test_worktree_state_is_one_more_version(repo: Scratch) -> None:
    repo.write("docs/decisions/0001-x.md", record("ADR-0001"))
    repo.write("docs/decisions/0002-y.md", record("ADR-0002"))
    repo.write("docs/datasets/d.md", record("DS-d"))
    repo.write("docs/model-cards/m.md", record("MC-m"))
    repo.commit("One")
    hist = read(repo)
    current = [
        ("ADR-0001", "docs/decisions/0001-x.md", {"id": "ADR-0001", "status": "proposed"}),
        ("ADR-0002", "docs/decisions/0002-y.md", {"id": "ADR-0002", "status": "accepted"}),
        ("MC-m2", "docs/model-cards/m.md", {"id": "MC-m2", "status": "proposed"}),
    ]
    now = with_worktree(hist, current, date="2024-02-01T00:00:00+00:00")
    assert len(now.records["ADR-0001"].versions) == 1
    edited = now.records["ADR-0002"].latest
    assert (edited.commit, edited.parent, edited.before["status"]) == (
        WORKTREE,
        hist.head,
        "proposed",
    )
    assert now.records["DS-d"].latest.deleted and now.records["DS-d"].latest.commit == WORKTREE
    assert [r.id for r in now.deleted] == ["DS-d"]
    assert [(c.path, c.commit, c.old_id, c.new_id) for c in now.id_changes] == [
        ("docs/model-cards/m.md", WORKTREE, "MC-m", "MC-m2")
    ]
    assert len(hist.records["ADR-0002"].versions) == 1  # the original is untouched


# --- the body digest ---------------------------------------------------------------------------


def _body_of(text: str) -> str:
    """As a file on disk is read: bytes decoded (BOM dropped), then split."""
    decoded, _problem = decode(text.encode("utf-8"))
    assert decoded is not None
    return body_digest(parse_text(decoded).body_lines)


def test_body_digest_ignores_line_endings_trailing_spaces_and_trailing_blank_lines() -> None:
    text = record("ADR-0001")
    same = [
        text.replace("\n", "\r\n"),
        text.replace("# Title\n", "# Title  \t\n"),
        text + "\n\n   \n",
        "\ufeff" + text,  # a BOM: `decode` drops it before the split, as for a file
    ]
    assert {_body_of(t) for t in same} == {_body_of(text)}
    other = [
        text.replace("Text.", "Other text."),
        text.replace("## Context\n\n", "## Context\n"),  # a blank line inside the text
        text.replace("Text.", "  Text."),  # indentation
        text.replace("status: proposed", "status: accepted\n---\n"),  # body gains a fence line
    ]
    assert _body_of(text) not in {_body_of(t) for t in other}
    assert len({_body_of(t) for t in other}) == len(other)
    assert re.fullmatch(r"[0-9a-f]{16}", _body_of(text))
    assert body_digest([]) == body_digest(["", "  "])


def test_versions_carry_the_body_digest_cold_and_cached(repo: Scratch) -> None:
    path = "docs/decisions/0001-x.md"
    repo.write(path, record("ADR-0001"))
    repo.commit("Propose")
    repo.write(path, record("ADR-0001", "accepted"))
    repo.commit("Accept")  # front matter only: the body digest stays
    repo.write(path, record("ADR-0001", "accepted").replace("Text.", "New text."))
    repo.commit("Reword")
    repo.write(path, record("ADR-0001", "accepted").replace("Text.", "New text.  ") + "\n\n")
    repo.commit("Whitespace")
    repo.write("docs/decisions/0002-big.md", record("ADR-0002") + "x" * gitindex.MAX_BLOB_BYTES)
    repo.commit("Too large to read")
    cold = read(repo)
    bodies = [v.body for v in cold.records["ADR-0001"].versions]
    old, new = (
        _body_of(record("ADR-0001")),
        _body_of(record("ADR-0001").replace("Text.", "New text.")),
    )
    assert bodies == [old, old, new, new]
    assert cold.records["ADR-0002"].latest.body is None  # unreadable: unknown, not empty
    warm = read(repo)
    assert warm.stats.cache == "hit" and warm.records == cold.records


def test_worktree_version_compares_the_body(repo: Scratch) -> None:
    path = "docs/decisions/0001-x.md"
    repo.write(path, record("ADR-0001"))
    repo.commit("One")
    hist = read(repo)
    data = {"id": "ADR-0001", "status": "proposed"}
    same = _body_of(record("ADR-0001"))
    edited = _body_of(record("ADR-0001").replace("Text.", "Other."))
    assert (
        len(with_worktree(hist, [("ADR-0001", path, data, same)]).records["ADR-0001"].versions) == 1
    )
    now = with_worktree(hist, [("ADR-0001", path, data, edited)]).records["ADR-0001"].latest
    assert (now.commit, now.body, now.data, now.before) == (WORKTREE, edited, data, data)
    unknown = with_worktree(hist, [("ADR-0001", path, data)])  # no body given: not compared
    assert len(unknown.records["ADR-0001"].versions) == 1
    moved = with_worktree(hist, [("ADR-0001", "docs/decisions/0001-y.md", data, same)])
    latest = moved.records["ADR-0001"].latest  # moved, not deleted
    assert (latest.deleted, latest.old_path, latest.body) == (False, path, same)
    assert moved.deleted == []


def _parsed(text: str) -> tuple[dict[str, Any], str]:
    """Front matter as `tracecard.load.parse` gives it (floats that remember their spelling),
    and the body digest."""
    parsed = parse_text(text)
    assert isinstance(parsed.data, dict)
    return parsed.data, body_digest(parsed.body_lines)


def test_an_unchanged_file_shares_its_front_matter_with_its_last_version(repo: Scratch) -> None:
    """Equal content is held once: the last version takes the plain form of the file's front
    matter, sharing what needs no conversion; what it holds is what decoding it would give."""
    path = "docs/decisions/0001-x.md"
    text = record("ADR-0001", tags="[a, b]", score="0.90", nested="{x: 1, y: 2.50}")
    repo.write(path, text)
    repo.commit("One")
    data, body = _parsed(text)
    now = with_worktree(read(repo), [("ADR-0001", path, data, body)])
    (only,) = now.records["ADR-0001"].versions
    assert only.data == plain(data) and only.data is not data  # a float to convert: a new dict
    assert only.data["tags"] is data["tags"]  # plain already: shared
    assert type(only.data["score"]) is float and fmt_number(only.data["score"]) == "0.9"
    assert type(only.data["nested"]["y"]) is float
    fresh = read(repo)  # the same, decoded: equal, with the same types and order
    assert list(fresh.records["ADR-0001"].latest.data) == list(only.data)
    assert fresh.records["ADR-0001"].latest.data == only.data


def test_a_file_equal_but_not_identical_keeps_the_committed_front_matter(repo: Scratch) -> None:
    """Keys in another order, or 1.0 written 1: equal, so no working-tree version, and the
    last version holds what was committed (its order, its types), as before."""
    path = "docs/decisions/0001-x.md"
    text = record("ADR-0001", score="1.0", owner="ml")
    repo.write(path, text)
    repo.commit("One")
    data, body = _parsed(text.replace("score: 1.0", "score: 1"))
    reordered = {"owner": data["owner"], **data}
    for given in (data, reordered):
        (only,) = with_worktree(read(repo), [("ADR-0001", path, given, body)]).records[
            "ADR-0001"
        ].versions
        assert only.data is not None and type(only.data["score"]) is float
        assert list(only.data) == ["id", "status", "score", "owner"]


def test_nan_is_never_taken_for_unchanged(repo: Scratch) -> None:
    """NaN is not equal to itself: a record holding it always gets a working-tree version,
    whether its last version was decoded or could have been shared."""
    path = "docs/decisions/0001-x.md"
    text = record("ADR-0001", score=".nan")
    repo.write(path, text)
    repo.commit("One")
    data, body = _parsed(text)
    for hist in (read(repo, use_cache=False), read(repo), read(repo)):
        versions = with_worktree(hist, [("ADR-0001", path, data, body)]).records["ADR-0001"].versions
        assert [v.commit for v in versions][-1] == WORKTREE


def _body(path: Path) -> Any:
    return gitindex._Unpickler(io.BytesIO(path.read_bytes().partition(b"\n")[2])).load()


def _forge(path: Path, obj: Any, magic: str = "tracecard-history") -> None:
    """Write `obj` at `path` with a header whose digest matches: only its content is wrong."""
    body = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    path.write_bytes(f"{magic} {gitindex.CACHE_FORMAT} {gitindex._digest(body)}\n".encode() + body)


def test_cache_of_a_previous_format_is_not_trusted(repo: Scratch) -> None:
    """A cache of format 2 (JSON, front matter decoded): at its own file name it is not read
    at all; given the current format's header, it is rejected by its shape, and rebuilt."""
    repo.write("docs/decisions/0001-x.md", record("ADR-0001"))
    repo.commit("One")
    cold = read(repo)
    base, _delta = _cache_files(repo)
    obj = _body(base)
    old = {**obj, "folders": list(obj["folders"]),
           "commits": [[*row[:6], [list(c) for c in row[6]]] for row in obj["commits"]],
           "blobs": {sha: [json.loads(fm) if fm else None, body]
                     for sha, (_id, fm, body) in obj["blobs"].items()}}  # fmt: skip
    old_body = json.dumps(old, separators=(",", ":")).encode("ascii")
    old_name = base.with_name(base.name.replace(f"history-{gitindex.CACHE_FORMAT}-", "history-2-"))
    old_name = old_name.with_suffix(".json")
    base.unlink()
    old_name.write_bytes(f"tracecard-history 2 {gitindex._digest(old_body)}\n".encode() + old_body)
    fresh = read(repo)
    assert fresh.stats.cache == "cold" and fresh.records == cold.records
    assert fresh.records["ADR-0001"].latest.body == _body_of(record("ADR-0001"))
    assert not old_name.exists()  # never read, and removed once the new cache is written
    _forge(base, {**obj, "blobs": {sha: [json.loads(fm) if fm else None, body]
                                   for sha, (_id, fm, body) in obj["blobs"].items()}})  # fmt: skip
    hist = read(repo)
    assert hist.stats.cache == "rebuilt" and "blob entry" in hist.stats.cache_note
    assert hist.records == cold.records
    assert read(repo).stats.cache == "hit"


class _Bomb:
    """What a forged cache could hold: unpickling it would call `_explode`."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (_explode, ("ran",))


EXPLODED: list[str] = []


def _explode(what: str) -> str:
    EXPLODED.append(what)
    return what


@pytest.mark.parametrize("where", ["head", "tool", "blob"])
def test_a_cache_that_names_a_function_is_ignored_not_run(repo: Scratch, where: str) -> None:
    repo.write("docs/decisions/0001-x.md", record("ADR-0001"))
    repo.commit("One")
    cold = read(repo)
    base, _delta = _cache_files(repo)
    obj = _body(base)
    if where == "blob":
        sha = next(iter(obj["blobs"]))
        obj["blobs"][sha] = (_Bomb(), None, None)
    else:
        obj[where] = _Bomb()
    _forge(base, obj)
    hist = read(repo)
    assert EXPLODED == []
    assert hist.stats.cache == "rebuilt" and "is not cache data" in hist.stats.cache_note
    assert hist.records == cold.records


def test_a_cache_of_the_wrong_shape_is_ignored(repo: Scratch) -> None:
    repo.write("docs/decisions/0001-x.md", record("ADR-0001"))
    repo.commit("One")
    cold = read(repo)
    base, _delta = _cache_files(repo)
    obj = _body(base)
    for forged, note in (
        ([obj], "not a mapping"),
        ({**obj, "commits": [list(row) for row in obj["commits"]]}, "commit row"),
        ({**obj, "commits": [(*row[:6], [list(row[6][0])]) for row in obj["commits"]]}, "commit row"),
        ({**obj, "blobs": {}}, "missing from cache"),
        ({**obj, "blobs": {k: (["ADR-0001"], fm, b) for k, (_i, fm, b) in obj["blobs"].items()}},
         "blob entry"),
    ):  # fmt: skip
        _forge(base, forged)
        hist = read(repo)
        assert hist.stats.cache == "rebuilt" and note in hist.stats.cache_note, note
        assert hist.records == cold.records


def test_a_record_is_built_when_asked_for(repo: Scratch, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading history and adding the working tree decode no front matter; asking for one
    record decodes that record's versions only (what keeps a check of one file fast)."""
    for n in range(1, 4):
        repo.write(f"docs/decisions/000{n}-x.md", record(f"ADR-000{n}"))
    repo.commit("One")
    repo.write("docs/decisions/0002-x.md", record("ADR-0002", "accepted"))
    repo.commit("Two")
    read(repo)  # the cache
    decoded: list[bytes | None] = []
    real = gitindex._decode

    def counting(text: bytes | None) -> Any:
        decoded.append(text)
        return real(text)

    monkeypatch.setattr(gitindex, "_decode", counting)
    hist = read(repo)
    current = [(f"ADR-000{n}", f"docs/decisions/000{n}-x.md", {"id": f"ADR-000{n}",
               "status": "proposed"}) for n in (1, 2)]  # fmt: skip
    now = with_worktree(hist, current, date="2024-02-01T00:00:00+00:00")
    assert decoded == [] and list(now.records) == ["ADR-0001", "ADR-0002", "ADR-0003"]
    assert "ADR-0003" in now.records and [r.id for r in now.deleted_now] == ["ADR-0003"]
    assert len(decoded) == 1  # the deleted record's last version, as `before` of its deletion
    rh = now.records["ADR-0002"]
    assert [v.data["status"] for v in rh.versions if v.data] == ["proposed", "accepted", "proposed"]
    assert len(decoded) == 3  # its two committed blobs; the working tree's data is given
    assert now.records["ADR-0002"] is rh and len(decoded) == 3


def test_progress_reports_blobs(repo: Scratch) -> None:
    repo.write("docs/decisions/0001-x.md", record("ADR-0001"))
    repo.write("docs/decisions/0002-x.md", record("ADR-0002"))
    repo.commit("One")
    calls: list[tuple[int, int]] = []
    read(repo, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (2, 2)


def test_one_git_log_and_one_cat_file_per_run(
    repo: Scratch, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(1, 6):
        repo.write(f"docs/decisions/000{n}-x.md", record(f"ADR-000{n}"))
        repo.commit(f"Add {n}")
    import git

    calls: list[str] = []
    original = git.Git.execute

    def spy(self: git.Git, command: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(command[1] if isinstance(command, list) else str(command))
        return original(self, command, *args, **kwargs)

    monkeypatch.setattr(git.Git, "execute", spy)
    read(repo, use_cache=False)
    assert calls.count("log") == 1 and calls.count("cat-file") == 1 and len(calls) <= 5


def _cache_files(repo: Scratch) -> tuple[Path, Path]:
    folder = repo.path / ".git" / "tracecard"
    (base,) = [p for p in folder.glob("history-*.pickle") if not p.name.endswith(".delta.pickle")]
    return base, base.with_name(base.name.replace(".pickle", ".delta.pickle"))


def test_new_commits_go_to_a_small_delta_next_to_the_base(repo: Scratch) -> None:
    repo.write("docs/decisions/0001-x.md", record("ADR-0001"))
    repo.commit("One")
    read(repo)
    base, delta = _cache_files(repo)
    written = base.read_bytes()
    for status in ("accepted", "deprecated"):
        repo.write("docs/decisions/0001-x.md", record("ADR-0001", status))
        repo.commit(status)
        assert read(repo).stats.commits_read == 1
    assert base.read_bytes() == written and delta.is_file()
    hist = read(repo)
    assert hist.stats.cache == "hit"
    assert [v.data["status"] for v in hist.records["ADR-0001"].versions] == [
        "proposed",
        "accepted",
        "deprecated",
    ]


def test_damaged_delta_is_ignored_and_base_still_used(repo: Scratch) -> None:
    repo.write("docs/decisions/0001-x.md", record("ADR-0001"))
    repo.commit("One")
    read(repo)
    repo.write("docs/decisions/0001-x.md", record("ADR-0001", "accepted"))
    repo.commit("Two")
    read(repo)
    _base, delta = _cache_files(repo)
    delta.write_bytes(delta.read_bytes()[:-5])
    hist = read(repo)
    assert hist.stats.cache == "extended" and hist.stats.commits_read == 1
    assert "delta ignored" in hist.stats.cache_note
    assert hist.records["ADR-0001"].latest.data["status"] == "accepted"


def test_a_large_delta_is_folded_into_the_base(
    repo: Scratch, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gitindex, "DELTA_MIN_COMMITS", 0)
    repo.write("docs/decisions/0001-x.md", record("ADR-0001"))
    repo.commit("One")
    read(repo)
    repo.write("docs/decisions/0001-x.md", record("ADR-0001", "accepted"))
    repo.commit("Two")
    assert read(repo).stats.cache == "extended"
    base, delta = _cache_files(repo)
    assert not delta.exists() and read(repo).stats.cache == "hit"


def test_delta_of_another_base_is_ignored(repo: Scratch) -> None:
    repo.write("docs/decisions/0001-x.md", record("ADR-0001"))
    repo.commit("One")
    read(repo)
    repo.write("docs/decisions/0001-x.md", record("ADR-0001", "accepted"))
    repo.commit("Two")
    read(repo)
    base, delta = _cache_files(repo)
    kept = delta.read_bytes()
    read(repo, use_cache=True)
    base.unlink()
    read(repo)  # a new base (cold), and the old delta removed
    delta.write_bytes(kept)  # a delta left over from the old base
    hist = read(repo)
    assert hist.stats.cache == "hit" and "another base" in hist.stats.cache_note


def test_git_failure_is_a_value_not_a_traceback(repo: Scratch) -> None:
    repo.write("docs/decisions/0001-x.md", record("ADR-0001"))
    repo.commit("One")
    blob = repo.git("rev-parse", "HEAD:docs/decisions/0001-x.md")
    obj = repo.path / ".git" / "objects" / blob[:2] / blob[2:]
    obj.chmod(0o644)
    obj.write_bytes(b"not zlib")
    hist = read(repo, use_cache=False)
    assert hist.status in (Status.GIT_ERROR, Status.READ)
    if hist.status is Status.READ:  # cat-file reports the object as unreadable: no data
        assert hist.records == {} or hist.records["ADR-0001"].latest.data is None


def test_records_left_out_stay_out_once_built(repo: Scratch) -> None:
    """`keep_records` leaves records out without building any; one built before stays out."""
    for n in (1, 2):
        repo.write(f"docs/decisions/000{n}-x.md", record(f"ADR-000{n}"))
    repo.commit("One")
    hist = read(repo)
    assert hist.records["ADR-0002"].latest.data is not None  # built
    kept = gitindex.keep_records(hist, lambda path: "0001" in path)
    assert list(kept.records) == ["ADR-0001"] and len(kept.records) == 1
    assert "ADR-0002" not in kept.records and kept.records.get("ADR-0002") is None
    with pytest.raises(KeyError):
        kept.records["ADR-0002"]
    assert dict(kept.records.items()) == {"ADR-0001": hist.records["ADR-0001"]}
