"""`tracecard import hf` and `tracecard card export-hf` on the project's own cards
(tests/fixtures/import/hf/)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from importkit import FIXTURES, Run, front, in_tmp, run_fixture  # noqa: F401 (the run fixture)

from tracecard.importers.hf import parse_value


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    in_tmp(tmp_path, monkeypatch)
    shutil.copytree(FIXTURES / "hf", tmp_path / "hub")
    (tmp_path / "tracecard.toml").write_text("", encoding="utf-8")
    return tmp_path




def model_index(text: str) -> object:
    """`model-index` as the Hub reads it (PyYAML), from a card's text."""
    return yaml.safe_load(text.split("---\n")[1])["model-index"]


@pytest.mark.parametrize(("raw", "want"), [
    ("0.91 ± 0.02", ("0.91", "0.02", False)),
    ("286.26 +/- 16.68", ("286.26", "16.68", False)),
    ("93.5%", ("93.5", None, True)),
    (0.88, ("0.88", None, False)),
    (3, ("3", None, False)),
])  # fmt: skip
def test_values(raw: object, want: tuple[str, str | None, bool]) -> None:
    got = parse_value(raw)
    assert got is not None
    assert (str(got[0]), None if got[1] is None else str(got[1]), got[2]) == want


@pytest.mark.parametrize("raw", ["not measured", True, None, "1 ± ", [0.9]])
def test_values_that_are_not_numbers(raw: object) -> None:
    assert parse_value(raw) is None


def test_import_maps_model_index_to_results(repo: Path, run: Run) -> None:
    code, out = run("import", "hf", "hub", "--to", "docs/model-cards")
    assert code == 0, out
    card = repo / "docs/model-cards/ranker-small.md"
    data = front(card)
    assert "id" not in data  # ranker-small.md holds MC-ranker-small
    assert data["status"] == "draft"
    assert data["results"] == [
        {"metric": "accuracy", "value": 0.91, "dataset": "DS-shop-reviews", "split": "test",
         "ci": [0.89, 0.93]},
        {"metric": "f1", "value": 0.88, "dataset": "DS-shop-reviews", "split": "test"},
        {"metric": "log_loss" if data["results"][2]["metric"] == "log_loss" else "loss",  # type: ignore[index]
         "value": 0.312, "dataset": "DS-returns", "split": "validation", "ci": [0.302, 0.322]},
        {"metric": "accuracy", "value": 0.875, "dataset": "DS-shop-reviews", "split": "test"},
    ]  # fmt: skip
    # every Hugging Face key kept as written: the original lines are all still there, in order
    original = (repo / "hub/ranker-small.md").read_text(encoding="utf-8").splitlines()
    imported = card.read_text(encoding="utf-8").splitlines()
    assert [ln for ln in imported if ln in original] == original
    assert "not measured" in out and "percentage" in out  # what was not mapped is reported
    sheet = front(repo / "docs/datasets/shop-reviews.md")
    assert sheet["id"] == "DS-shop-reviews" and sheet["status"] == "planned"
    assert front(repo / "docs/model-cards/no-metadata.md") == {"status": "draft"}
    assert not (repo / "docs/model-cards/readme.md").exists()  # the dataset card is left out
    assert "dataset card" in out


def test_round_trip_is_exact(repo: Path, run: Run) -> None:
    assert run("import", "hf", "hub", "--to", "docs/model-cards")[0] == 0
    code, exported = run("card", "export-hf", "MC-ranker-small")
    assert code == 0
    original = (repo / "hub/ranker-small.md").read_text(encoding="utf-8")
    assert model_index(exported) == model_index(original)
    assert exported == (repo / "docs/model-cards/ranker-small.md").read_text(encoding="utf-8")


def test_export_writes_changed_and_new_results(repo: Path, run: Run) -> None:
    assert run("import", "hf", "hub", "--to", "docs/model-cards")[0] == 0
    card = repo / "docs/model-cards/ranker-small.md"
    text = card.read_text(encoding="utf-8")
    text = text.replace("- metric: f1\n  value: 0.88\n", "- metric: f1\n  value: 0.9\n  ci: [0.85, 0.95]\n")
    text = text.replace("\nresults:\n", "\nresults:\n- metric: recall\n  value: 0.7\n  dataset: DS-returns\n", 1)
    card.write_text(text, encoding="utf-8")
    code, _ = run("card", "export-hf", "MC-ranker-small", "--output", "export/README.md")
    assert code == 0
    mi = model_index((repo / "export/README.md").read_text(encoding="utf-8"))
    assert mi[0]["results"][0]["metrics"][1]["value"] == "0.9 ± 0.05"
    assert mi[0]["results"][0]["metrics"][1]["verifyToken"] == "abc123"  # the rest kept
    assert mi[0]["results"][0]["metrics"][0]["value"] == "0.91 ± 0.02"  # unchanged: as written
    assert len(mi) == len(model_index((repo / "hub/ranker-small.md").read_text(encoding="utf-8")))
    assert mi[0]["results"][-1] == {"task": {"type": "text-classification",
                                             "name": "Text Classification"},
                                    "dataset": {"type": "returns", "name": "returns"},
                                    "metrics": [{"type": "recall", "value": 0.7}]}  # fmt: skip


def test_dataset_map(repo: Path, run: Run) -> None:
    code, out = run("import", "hf", "hub/ranker-small.md", "--to", "docs/model-cards",
                    "--dataset-map", "shop-reviews=DS-reviews-2024")  # fmt: skip
    assert code == 0, out
    datasets = {r["dataset"] for r in front(repo / "docs/model-cards/ranker-small.md")["results"]}  # type: ignore[union-attr]
    assert datasets == {"DS-reviews-2024", "DS-returns"}
    assert not (repo / "docs/datasets/shop-reviews.md").exists()
    assert run("import", "hf", "hub", "--dataset-map", "nonsense")[0] == 2


def test_import_twice_and_check(repo: Path, run: Run) -> None:
    assert run("import", "hf", "hub", "--to", "docs/model-cards")[0] == 0
    before = {p: p.read_bytes() for p in sorted((repo / "docs").rglob("*.md"))}
    code, out = run("import", "hf", "hub", "--to", "docs/model-cards")
    assert code == 0 and "0 file(s) written" in out
    assert {p: p.read_bytes() for p in sorted((repo / "docs").rglob("*.md"))} == before
    code, out = run("check", "--format", "json")
    found = {(Path(d["path"]).name, d["code"]) for d in json.loads(out)["diagnostics"]}
    # the Trainer's headings count as the required sections: ranker-small has no BDY001
    assert not any(name == "ranker-small.md" for name, _ in found), found
    assert ("no-metadata.md", "BDY001") not in found


def test_in_place_crlf_card(repo: Path, run: Run) -> None:
    card = repo / "hub/ranker-small.md"
    card.write_bytes(card.read_bytes().replace(b"\n", b"\r\n"))
    original = card.read_bytes()
    assert run("import", "hf", str(card))[0] == 0
    after = card.read_bytes()
    assert b"\n" not in after.replace(b"\r\n", b"")
    assert after.endswith(original.split(b"---\r\n", 2)[2])  # the body untouched
    assert front(card)["status"] == "draft"


def test_status_finding_names_the_statuses(repo: Path, run: Run) -> None:
    folder = repo / "docs/model-cards"
    folder.mkdir(parents=True)
    (folder / "x.md").write_text("---\nlicense: mit\n---\n# X\n", encoding="utf-8")
    code, out = run("check", "--format", "json", "--select", "SCH001")
    messages = [d["message"] for d in json.loads(out)["diagnostics"]]
    assert code == 1 and any("draft, candidate, production, retired" in m for m in messages)


def test_auto_reads_cards_as_cards(repo: Path, run: Run) -> None:
    code, _ = run("import", "auto", "hub/ranker-small.md", "--to", "docs/model-cards")
    assert code == 0
    assert front(repo / "docs/model-cards/ranker-small.md")["status"] == "draft"
    shutil.copytree(FIXTURES / "madr3", repo / "mixed")
    shutil.copy(repo / "hub/ranker-small.md", repo / "mixed/ranker-small.md")
    before = {p.name: p.read_bytes() for p in (repo / "mixed").iterdir()}
    assert run("import", "auto", "mixed")[0] == 2  # cards and decisions: one format at a time
    assert {p.name: p.read_bytes() for p in (repo / "mixed").iterdir()} == before


def test_two_cards_for_one_file(repo: Path, run: Run) -> None:
    (repo / "hub/ranker-small").mkdir()
    shutil.copy(repo / "hub/no-metadata.md", repo / "hub/ranker-small/README.md")
    code, out = run("import", "hf", "hub", "--to", "docs/model-cards")
    assert code == 0
    # one card each: the second file's name is numbered after the first's
    assert front(repo / "docs/model-cards/ranker-small.md")["status"] == "draft"  # the README
    assert "model-index" in front(repo / "docs/model-cards/ranker-small-2.md")


def test_round_trip_with_a_dataset_map(repo: Path, run: Run) -> None:
    args = ("--to", "docs/model-cards", "--dataset-map", "shop-reviews=DS-reviews-2024")
    assert run("import", "hf", "hub/ranker-small.md", *args)[0] == 0
    code, exported = run("card", "export-hf", "MC-ranker-small")
    assert code == 0
    assert model_index(exported) == model_index((repo / "hub/ranker-small.md").read_text(encoding="utf-8"))


def test_dry_run_writes_nothing(repo: Path, run: Run) -> None:
    code, out = run("import", "hf", "hub", "--to", "docs/model-cards", "--dry-run")
    assert code == 0
    assert not (repo / "docs").exists()
    assert "+++ docs/model-cards/ranker-small.md" in out and "+++ docs/datasets/returns.md" in out
    assert "+status: draft" in out


def test_interval_cut_to_the_metric_range(repo: Path, run: Run) -> None:
    card = repo / "hub/ranker-small.md"
    card.write_text(card.read_text(encoding="utf-8").replace('"0.91 ± 0.02"', '"0.995 ± 0.01"'),
                    encoding="utf-8")  # fmt: skip
    code, out = run("import", "hf", str(card), "--to", "docs/model-cards")
    assert code == 0 and "interval cut to the range of accuracy" in out
    results = front(repo / "docs/model-cards/ranker-small.md")["results"]
    assert results[0]["ci"] == [0.985, 1]  # type: ignore[index]
    code, exported = run("card", "export-hf", "MC-ranker-small")
    assert model_index(exported) == model_index(card.read_text(encoding="utf-8"))


def test_readme_in_place_round_trip(repo: Path, run: Run) -> None:
    model = repo / "hub/ranker-small"
    model.mkdir()
    readme = model / "README.md"
    readme.write_bytes((repo / "hub/ranker-small.md").read_bytes())
    code, out = run("import", "hf", str(readme))
    assert code == 0 and "README.md is not read as a record" in out
    assert front(readme)["id"] == "MC-ranker-small"
    code, exported = run("card", "export-hf", str(readme))
    assert code == 0
    assert model_index(exported) == model_index((repo / "hub/ranker-small.md").read_text(encoding="utf-8"))


def test_existing_sheet_is_reused(repo: Path, run: Run) -> None:
    sheet = repo / "docs/datasets/reviews-2024.md"
    sheet.parent.mkdir(parents=True)
    sheet.write_text("---\nid: DS-reviews-2024\nstatus: ready\nhf_dataset: shop-reviews\n---\n# R\n",
                     encoding="utf-8")  # fmt: skip
    assert run("import", "hf", "hub/ranker-small.md", "--to", "docs/model-cards")[0] == 0
    results = front(repo / "docs/model-cards/ranker-small.md")["results"]
    assert {r["dataset"] for r in results} == {"DS-reviews-2024", "DS-returns"}  # type: ignore[union-attr]
    assert not (repo / "docs/datasets/shop-reviews.md").exists()


def test_value_outside_the_range_keeps_its_interval(repo: Path, run: Run) -> None:
    card = repo / "hub/ranker-small.md"
    card.write_text(card.read_text(encoding="utf-8").replace('"0.91 ± 0.02"', '"150 ± 10"'),
                    encoding="utf-8")  # fmt: skip
    assert run("import", "hf", str(card), "--to", "docs/model-cards")[0] == 0
    result = front(repo / "docs/model-cards/ranker-small.md")["results"][0]  # type: ignore[index]
    low, high = result["ci"]
    assert low <= result["value"] <= high  # never an interval that misses its own value


def test_cards_of_the_same_name_in_two_folders(repo: Path, run: Run) -> None:
    for org in ("org1", "org2"):
        (repo / "cards" / org / "bert").mkdir(parents=True)
        shutil.copy(repo / "hub/ranker-small.md", repo / "cards" / org / "bert" / "README.md")
    code, out = run("import", "hf", "cards", "--to", "docs/model-cards")
    assert code == 0, out
    assert sorted(p.name for p in (repo / "docs/model-cards").iterdir()) == ["org1-bert.md", "org2-bert.md"]
    code, out = run("import", "hf", "cards", "--to", "docs/model-cards")
    assert code == 0 and "0 file(s) written" in out
