"""`tracecard import adr-tools|madr|log4brains|auto` on the project's own fixtures
(tests/fixtures/import/), each format with its quirks."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from importkit import FIXTURES, Run, front, in_tmp, run_fixture  # noqa: F401 (the run fixture)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    in_tmp(tmp_path, monkeypatch)
    return tmp_path



def setup(root: Path, fmt: str, folder: str) -> Path:
    """The fixture folder of `fmt` copied to `folder`, configured as the decisions folder."""
    shutil.copytree(FIXTURES / fmt, root / folder)
    (root / "tracecard.toml").write_text(f'[folders]\ndecision = "{folder}"\n', encoding="utf-8")
    return root / folder



def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def codes(run: Run) -> list[tuple[str, str]]:
    code, out = run("check", "--format", "json")
    assert code in (0, 1)
    return sorted((Path(f["path"]).name, f["code"]) for f in json.loads(out)["diagnostics"])


# -- adr-tools -------------------------------------------------------------------------------


def test_adr_tools_fields(repo: Path, run: Run) -> None:
    folder = setup(repo, "adr-tools", "doc/adr")
    code, out = run("import", "adr-tools", "doc/adr")
    assert code == 0, out
    one = front(folder / "0001-keep-a-decision-log.md")
    assert one["id"] == "ADR-0001" and one["title"] == "Keep a decision log"
    assert one["date"] == "2021-03-9"  # irregular, kept as written
    assert one["status"] == "accepted" and "status_text" not in one
    two = front(folder / "0002-serve-from-postgres.md")
    assert two["status"] == "superseded" and two["superseded_by"] == "ADR-0003"
    assert two["date"] == "12/01/2020"
    three = front(folder / "0003-serve-features-from-redis.md")
    assert three["supersedes"] == ["ADR-0002"]
    assert three["links"] == [{"rel": "amends", "id": "ADR-0001"}]
    assert one["links"] == [{"rel": "amended-by", "id": "ADR-0003"}]  # mirrored
    four = front(folder / "0004-shadow-traffic.md")
    assert four["title"] == "Shadow traffic before launch"  # `#4. Title`: number dropped
    assert four["status"] == "accepted"
    assert four["status_text"] == "Accepted (lazy consensus) & implemented"
    assert four["links"] == [{"rel": "reverted-by", "id": "ADR-0005"}]
    five = front(folder / "0005-stop-shadow-traffic.md")
    assert "status" not in five  # missing: reported, not invented
    assert five["links"] == [{"rel": "reverts", "id": "ADR-0004"}]
    twelve = front(folder / "012-three-digit-number.md")
    assert twelve["id"] == "ADR-0012" and twelve["status"] == "proposed"
    loose = front(folder / "notes-without-number.md")
    assert loose["id"] == "ADR-0013"  # after the highest number taken
    # the report: file and line of what was kept where
    assert "doc/adr/0001-keep-a-decision-log.md:3: date '2021-03-9'" in out
    assert "doc/adr/0005-stop-shadow-traffic.md: no status" in out
    assert "doc/adr/notes-without-number.md: the file name carries no number" in out


def test_adr_tools_body_is_byte_identical_below_the_header(repo: Path, run: Run) -> None:
    folder = setup(repo, "adr-tools", "doc/adr")
    path = folder / "0003-serve-features-from-redis.md"
    original = path.read_bytes()
    assert run("import", "adr-tools", "doc/adr")[0] == 0
    after = path.read_bytes()
    head, _, body = after.partition(b"\n---\n")
    assert head.startswith(b"---\n")
    header = (b"Date: 2022-07-01\n\n## Status\n\nAccepted\n\nSupercedes [2. Serve features from "
              b"Postgres](0002-serve-from-postgres.md)\n\nAmends [1. Keep a decision log]"
              b"(0001-keep-a-decision-log.md)\n\n")  # fmt: skip
    assert header in original
    assert body == original.replace(header, b"")


def test_crlf_and_bom_are_kept(repo: Path, run: Run) -> None:
    folder = setup(repo, "adr-tools", "doc/adr")
    path = folder / "0001-keep-a-decision-log.md"
    original = b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n")
    path.write_bytes(original)
    assert run("import", "adr-tools", str(path))[0] == 0
    after = path.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf---\r\n")
    assert b"\n" not in after.replace(b"\r\n", b"")  # every line still ends in CRLF
    body = after.split(b"---\r\n", 2)[2]
    assert body == original[3:].replace(b"Date: 2021-03-9\r\n\r\n## Status\r\n\r\nAccepted\r\n\r\n", b"")
    assert front(path)["status"] == "accepted"


def test_import_twice_changes_nothing(repo: Path, run: Run) -> None:
    folder = setup(repo, "adr-tools", "doc/adr")
    assert run("import", "adr-tools", "doc/adr")[0] == 0
    first = snapshot(folder)
    code, out = run("import", "adr-tools", "doc/adr")
    assert code == 0 and "0 file(s) written" in out
    assert snapshot(folder) == first
    code, out = run("import", "auto", "doc/adr")
    assert code == 0 and snapshot(folder) == first


def test_check_after_import_reports_only_real_defects(repo: Path, run: Run) -> None:
    setup(repo, "adr-tools", "doc/adr")
    assert run("import", "adr-tools", "doc/adr")[0] == 0
    found = codes(run)
    assert found == [
        ("0001-keep-a-decision-log.md", "SCH001"),  # 2021-03-9 is not YYYY-MM-DD
        ("0002-serve-from-postgres.md", "SCH001"),  # 12/01/2020 neither
        ("0004-shadow-traffic.md", "SCH001"),  # "2022-09-14, updated ..." neither
        ("0005-stop-shadow-traffic.md", "SCH003"),  # no status in the original
        ("notes-without-number.md", "IDN003"),  # a decision file needs its number
    ]


def test_dry_run_prints_a_diff_and_writes_nothing(repo: Path, run: Run) -> None:
    folder = setup(repo, "adr-tools", "doc/adr")
    before = snapshot(folder)
    code, out = run("import", "adr-tools", "doc/adr", "--dry-run")
    assert code == 0
    assert snapshot(folder) == before
    assert "+++ doc/adr/0001-keep-a-decision-log.md" in out
    assert "-Date: 2021-03-9" in out and "+id: ADR-0001" in out


def test_to_folder_leaves_the_originals(repo: Path, run: Run) -> None:
    shutil.copytree(FIXTURES / "adr-tools", repo / "old")
    before = snapshot(repo / "old")
    code, _ = run("import", "adr-tools", "old", "--to", "docs/decisions")
    assert code == 0
    assert snapshot(repo / "old") == before
    assert front(repo / "docs/decisions/0002-serve-from-postgres.md")["superseded_by"] == "ADR-0003"
    code, out = run("import", "adr-tools", "old", "--to", "docs/decisions")
    assert code == 0 and "0 file(s) written" in out


def test_report_escapes_record_content(repo: Path, run: Run) -> None:
    folder = setup(repo, "adr-tools", "doc/adr")
    path = folder / "0001-keep-a-decision-log.md"
    path.write_bytes(path.read_bytes().replace(b"Accepted", b"Paused\x1b[2J\r::error::x"))
    code, out = run("import", "adr-tools", str(path))
    assert code == 0
    assert "\x1b" not in out and "\r" not in out
    assert "\\x1b" in out


def test_unreadable_front_matter_is_reported_and_kept(repo: Path, run: Run) -> None:
    folder = setup(repo, "madr3", "docs/decisions")
    bad = folder / "0003-broken.md"
    bad.write_bytes(b"---\nstatus: [unclosed\n---\n# Broken\n")
    code, out = run("import", "madr", "docs/decisions")
    assert code == 0
    assert bad.read_bytes() == b"---\nstatus: [unclosed\n---\n# Broken\n"
    assert "docs/decisions/0003-broken.md" in out and "kept as is" in out


# -- MADR ------------------------------------------------------------------------------------


def test_madr2_bullets(repo: Path, run: Run) -> None:
    folder = setup(repo, "madr2", "docs/decisions")
    code, out = run("import", "madr", "docs/decisions")
    assert code == 0, out
    one = front(folder / "0001-use-madr.md")
    assert one["deciders"] == ["Ann Example", "Bob Example"] and one["date"] == "2020-05-01"
    assert one["title"] == "Use MADR for decisions"
    body = (folder / "0001-use-madr.md").read_text(encoding="utf-8").split("---\n", 2)[2]
    assert body.startswith("# Use MADR for decisions\n\nTechnical Story: the team wants one template.\n")
    two = front(folder / "0002-pause-the-retrain.md")
    assert two["status"] == "proposed" and two["status_text"] == "on hold"
    assert two["consulted"] == ["Data platform team"]
    three = front(folder / "0003-threshold-per-market.md")
    assert three["status"] == "superseded" and three["superseded_by"] == "ADR-0004"
    four = front(folder / "0004-one-threshold.md")
    assert four["status"] == "accepted" and four["supersedes"] == ["ADR-0003"]
    assert codes(run) == []


def test_madr3_front_matter_status_mapped(repo: Path, run: Run) -> None:
    folder = setup(repo, "madr3", "docs/decisions")
    path = folder / "0001-pick-a-vector-store.md"
    original = path.read_bytes()
    code, _ = run("import", "madr", "docs/decisions")
    assert code == 0
    data = front(path)
    assert data["status"] == "proposed" and data["status_text"] == "on hold"
    assert data["parent"] == "Decisions" and data["date"] == "2023-01-05"
    # only the status line changed, and one line was added
    changed = [ln for ln in path.read_bytes().splitlines() if ln not in original.splitlines()]
    assert changed == [b"status: proposed", b"status_text: on hold"]
    assert front(folder / "0002-use-faiss.md") == {"status": "accepted", "date": "2023-02-05",
                                                   "decision-makers": ["ann"]}  # fmt: skip
    assert codes(run) == []


# -- log4brains ------------------------------------------------------------------------------


def test_log4brains(repo: Path, run: Run) -> None:
    folder = setup(repo, "log4brains", "docs/adr")
    code, out = run("import", "log4brains", "docs/adr")
    assert code == 0, out
    first = front(folder / "20210101-first-choice.md")
    second = front(folder / "20210101-second-choice.md")
    assert (first["id"], second["id"]) == ("ADR-0001", "ADR-0002")  # same day, two numbers
    assert first["tags"] == ["ranking", "infra"]
    assert second["status"] == "accepted"  # log4brains shows a record without status accepted
    replaced = front(folder / "20210105-replaced-choice.md")
    assert replaced["status"] == "superseded" and replaced["superseded_by"] == "ADR-0004"
    assert front(folder / "20210110-replacing-choice.md")["supersedes"] == ["ADR-0003"]
    draft = front(folder / "20210120-draft-choice.md")
    assert draft["status"] == "proposed" and draft["status_text"] == "draft"
    assert (folder / "template.md").read_text(encoding="utf-8").startswith("# [short title]")
    assert codes(run) == []
    before = snapshot(folder)
    assert run("import", "log4brains", "docs/adr")[0] == 0
    assert snapshot(folder) == before


def test_auto_tells_the_formats_apart(repo: Path, run: Run) -> None:
    setup(repo, "madr2", "docs/decisions")
    code, _ = run("import", "auto", "docs/decisions")
    assert code == 0
    assert front(repo / "docs/decisions/0001-use-madr.md")["deciders"] == ["Ann Example", "Bob Example"]


def test_missing_path_is_a_usage_error(repo: Path, run: Run) -> None:
    (repo / "tracecard.toml").write_text("", encoding="utf-8")
    code, _ = run("import", "madr", "nowhere")
    assert code == 2


@pytest.mark.parametrize(("point", "code"), [("moved:3:KILL", -signal.SIGKILL), ("moved:2:INT", 130)])
def test_interrupted_import_leaves_every_file_as_it_was(tmp_path: Path, point: str, code: int) -> None:
    folder = setup(tmp_path, "adr-tools", "doc/adr")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    before = snapshot(folder)
    done = subprocess.run([sys.executable, "-m", "tracecard", "import", "adr-tools", "doc/adr"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "TRACECARD_FAILPOINT": point})  # fmt: skip
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr
    again = subprocess.run([sys.executable, "-m", "tracecard", "import", "adr-tools", "doc/adr",
                            "--dry-run"], cwd=tmp_path, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert again.returncode == 0
    assert snapshot(folder) == before
    assert not list(tmp_path.rglob("*.tmp"))


def test_a_guide_beside_the_records_is_left_alone(repo: Path, run: Run) -> None:
    folder = setup(repo, "madr2", "docs/decisions")
    guide = folder / "how-we-write-decisions.md"
    guide.write_text("# How we write decisions\n\nCopy the template.\n", encoding="utf-8")
    code, out = run("import", "madr", "docs/decisions")
    assert code == 0
    assert guide.read_text(encoding="utf-8") == "# How we write decisions\n\nCopy the template.\n"
    assert "how-we-write-decisions.md: no decision header" in out
    assert run("import", "madr", str(guide))[0] == 0  # named on its own: imported
    assert front(guide)["id"] == "ADR-0005"


def test_madr_front_matter_status_with_a_link(repo: Path, run: Run) -> None:
    folder = setup(repo, "madr3", "docs/decisions")
    path = folder / "0003-replace-faiss.md"
    path.write_text('---\nstatus: "accepted; supersedes ADR-0002"\n---\n# Replace FAISS\n\n'
                    "## Context and Problem Statement\n\nc\n\n## Decision Outcome\n\nd\n",
                    encoding="utf-8")  # fmt: skip
    assert run("import", "madr", "docs/decisions")[0] == 0
    data = front(path)
    assert data["status"] == "accepted" and data["supersedes"] == ["ADR-0002"]
    assert data["status_text"] == "accepted; supersedes ADR-0002"
    old = front(folder / "0002-use-faiss.md")
    assert old["status"] == "superseded" and old["superseded_by"] == "ADR-0003"
    assert codes(run) == []


def test_front_matter_edit_refused_is_reported(repo: Path, run: Run) -> None:
    folder = setup(repo, "madr3", "docs/decisions")
    path = folder / "0003-aliased.md"
    path.write_text("---\nstatus: &s on hold\nother: *s\n---\n# Aliased\n", encoding="utf-8")
    code, out = run("import", "madr", "docs/decisions")
    assert code == 0
    assert "0003-aliased.md: status: proposed not written" in out
    assert front(folder / "0001-pick-a-vector-store.md")["status"] == "proposed"  # the rest imported


def test_one_new_file_mirrors_onto_records_already_imported(repo: Path, run: Run) -> None:
    folder = setup(repo, "adr-tools", "doc/adr")
    assert run("import", "adr-tools", "doc/adr")[0] == 0
    new = folder / "0006-cache-features.md"
    new.write_text("# 6. Cache features\n\nDate: 2024-01-01\n\n## Status\n\nAccepted\n\n"
                   "Amends [3. Serve features from Redis](0003-serve-features-from-redis.md)\n\n"
                   "## Context\n\nc\n\n## Decision\n\nd\n", encoding="utf-8")  # fmt: skip
    code, out = run("import", "adr-tools", str(new))
    assert code == 0, out
    assert front(new)["links"] == [{"rel": "amends", "id": "ADR-0003"}]
    three = front(folder / "0003-serve-features-from-redis.md")
    assert {"rel": "amended-by", "id": "ADR-0006"} in three["links"]  # type: ignore[operator]
    before = snapshot(folder)
    assert run("import", "adr-tools", str(new))[0] == 0
    assert snapshot(folder) == before


# -- found in an outside trial ---------------------------------------------------------------

ADR = "# {n}. {title}\n\nDate: 2020-01-0{n}\n\n## Status\n\n{status}\n\n## Context\n\nc\n\n## Decision\n\nd\n"


def adr(folder: Path, name: str, n: int, title: str, status: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if not (Path.cwd() / "tracecard.toml").exists():
        (Path.cwd() / "tracecard.toml").write_text("", encoding="utf-8")
    path = folder / name
    path.write_text(ADR.format(n=n, title=title, status=status), encoding="utf-8")
    return path


def test_status_prose_with_a_dash_is_kept_whole(repo: Path, run: Run) -> None:
    path = adr(repo / "docs/decisions", "0001-x.md", 1, "X", "Proposed - pending review")
    assert run("import", "adr-tools", "docs/decisions")[0] == 0
    assert front(path)["status"] == "proposed"
    assert front(path)["status_text"] == "Proposed - pending review"


def test_a_bullet_status_loses_only_its_marker(repo: Path, run: Run) -> None:
    path = adr(repo / "docs/decisions", "0001-x.md", 1, "X", "- Accepted")
    assert run("import", "adr-tools", "docs/decisions")[0] == 0
    assert front(path)["status"] == "accepted" and "status_text" not in front(path)


@pytest.mark.parametrize("name, rid", [("adr-007-x.md", "ADR-0007"), ("ADR-0012-x.md", "ADR-0012"),
                                       ("adr_3_x.md", "ADR-0003")])  # fmt: skip
def test_a_number_after_the_prefix_is_the_records(repo: Path, run: Run, name: str, rid: str) -> None:
    adr(repo / "docs/decisions", name, 1, "X", "Accepted")
    code, out = run("import", "adr-tools", "docs/decisions")
    assert code == 0, out
    code, out = run("adr", "list", "--format", "json")
    assert [r["id"] for r in json.loads(out)] == [rid]


def test_importing_in_parts_mirrors_links_like_importing_at_once(repo: Path, run: Run) -> None:
    folder = repo / "docs/decisions"
    one = adr(folder, "0001-x.md", 1, "X", "Accepted")
    two = adr(folder, "0002-y.md", 2, "Y", "Accepted\n\nSupercedes [1. X](0001-x.md)\n\nAmends [1. X](0001-x.md)")
    assert run("import", "adr-tools", str(two))[0] == 0
    assert run("import", "adr-tools", str(one))[0] == 0  # its header says nothing of 2
    parts = snapshot(folder)
    shutil.rmtree(folder)
    adr(folder, "0001-x.md", 1, "X", "Accepted")
    adr(folder, "0002-y.md", 2, "Y", "Accepted\n\nSupercedes [1. X](0001-x.md)\n\nAmends [1. X](0001-x.md)")
    assert run("import", "adr-tools", "docs/decisions")[0] == 0
    assert snapshot(folder) == parts
    assert front(one)["status"] == "superseded" and front(one)["superseded_by"] == "ADR-0002"
    assert front(one)["links"] == [{"rel": "amended-by", "id": "ADR-0002"}]


def test_madr4_superseded_by_in_front_matter_is_mirrored(repo: Path, run: Run) -> None:
    folder = repo / "docs/decisions"
    folder.mkdir(parents=True)
    (repo / "tracecard.toml").write_text("", encoding="utf-8")
    body = "\n# {t}\n\n## Context and Problem Statement\n\nc\n\n## Decision Outcome\n\nd\n"
    (folder / "0001-x.md").write_text("---\nstatus: superseded by ADR-0003\n---" + body.format(t="X"),
                                      encoding="utf-8")  # fmt: skip
    (folder / "0003-z.md").write_text("---\nstatus: accepted\n---" + body.format(t="Z"), encoding="utf-8")
    assert run("import", "madr", "docs/decisions")[0] == 0
    assert front(folder / "0003-z.md")["supersedes"] == ["ADR-0001"]
    before = snapshot(folder)
    assert run("import", "madr", "docs/decisions")[0] == 0
    assert snapshot(folder) == before


def test_to_a_folder_holding_the_same_id_is_refused(repo: Path, run: Run) -> None:
    adr(repo / "old", "0001-x.md", 1, "X", "Accepted")
    adr(repo / "old", "0002-y.md", 2, "Y", "Accepted")
    taken = adr(repo / "docs/decisions", "0001-other.md", 1, "Other", "Accepted")
    (repo / ".git").mkdir()
    before = taken.read_bytes()
    code, _ = run("import", "adr-tools", "old", "--to", "docs/decisions")
    assert code == 2
    assert sorted(p.name for p in (repo / "docs/decisions").iterdir()) == ["0001-other.md"]
    assert taken.read_bytes() == before


@pytest.mark.parametrize("to", ["../outside", "/tmp/tracecard-import-outside", "afile", "afile/sub"])
def test_to_outside_the_repository_or_under_a_file_is_refused(repo: Path, run: Run, to: str) -> None:
    (repo / "tracecard.toml").write_text("", encoding="utf-8")
    (repo / "afile").write_text("x", encoding="utf-8")
    adr(repo / "old", "0001-x.md", 1, "X", "Accepted")
    code, _ = run("import", "adr-tools", "old", "--to", to)
    assert code == 2
    assert not (repo.parent / "outside").exists() and not Path("/tmp/tracecard-import-outside").exists()
    assert (repo / "afile").read_text(encoding="utf-8") == "x"


def test_a_broken_link_named_is_a_usage_error(repo: Path, run: Run) -> None:
    (repo / "tracecard.toml").write_text("", encoding="utf-8")
    (repo / "gone.md").symlink_to(repo / "nowhere.md")
    code, _ = run("import", "adr-tools", "gone.md")
    assert code == 2
    assert sorted(p.name for p in repo.iterdir()) == ["gone.md", "tracecard.toml"]  # no lock left
