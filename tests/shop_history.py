"""examples/shop with a history: a git repository in a temporary folder whose commits bring
the shop's two models to where the example stands, version by version, so that a dashboard
built from it has trends to draw.

    root = make_shop_history(tmp_path / "shop")

The commits (pinned authors and dates, the same on every run):
    2025-09-02  fraud detector 3.0.0 as a candidate, recommendation ranker 1.2.0 as a draft,
                the recommendation holdout still being labeled (due 2025-12-15)
    2025-11-20  fraud detector 3.1.0, promoted to production
    2026-01-15  ranker 1.3.0, a candidate; the holdout's labeling due date slips to 2026-02-20
    2026-02-23  fraud detector 3.2.0 (the example's figures)
    2026-04-20  ranker 1.4.0 (the example's figures); the session transformer experiment
    2026-05-13  the fraud detector's model review MR-0001
    2026-06-03  the ranker's pre-launch review MR-0002: the tree is examples/shop exactly

`VALUES` holds every version's figures, for tests that read them back from the charts.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

SHOP = Path(__file__).resolve().parent.parent / "examples" / "shop"
FRAUD = "docs/model-cards/fraud-detector.md"
RANKER = "docs/model-cards/recs-ranker.md"
SESSION = "docs/model-cards/recs-session-transformer.md"
RECS_HOLDOUT = "docs/datasets/recs-holdout.md"
REVIEWS = ("docs/model-reviews/0001-fraud-detector-review-may-2026.md",
           "docs/model-reviews/0002-recommendation-ranker-pre-launch-review.md")  # fmt: skip

Key = tuple[str, str | None]  # (metric, slice)

#: (version, status, {(metric, slice): value}) of each card before the example's own.
VALUES: dict[str, list[tuple[str, str, dict[Key, float]]]] = {
    FRAUD: [
        ("3.0.0", "candidate", {
            ("precision", None): 0.912, ("precision", "first_order"): 0.871,
            ("precision", "gift_cards"): 0.925, ("precision", "high_value_electronics"): 0.93,
            ("fpr", "high_value_electronics"): 0.00041, ("recall", "high_value_electronics"): 0.66,
            ("fpr", None): 0.00052, ("recall", None): 0.63}),
        ("3.1.0", "production", {
            ("precision", None): 0.927, ("precision", "first_order"): 0.894,
            ("precision", "gift_cards"): 0.941, ("precision", "high_value_electronics"): 0.944,
            ("fpr", "high_value_electronics"): 0.00033, ("recall", "high_value_electronics"): 0.69,
            ("fpr", None): 0.00044, ("recall", None): 0.65}),
    ],
    RANKER: [
        ("1.2.0", "draft", {("precision@10", None): 0.281, ("ndcg@10", None): 0.401,
                            ("hit_rate@10", "new_visitors"): 0.33}),
        ("1.3.0", "candidate", {("precision@10", None): 0.302, ("ndcg@10", None): 0.428,
                                ("hit_rate@10", "new_visitors"): 0.37}),
    ],
}  # fmt: skip


def with_results(text: str, values: dict[Key, float], version: str, status: str) -> str:
    """A card's text with other result values (confidence intervals dropped), version and
    status; everything else as it was."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("results:")) + 1
    end = next(i for i in range(start, len(lines)) if not lines[i].startswith(" "))
    items: list[list[str]] = []
    for line in lines[start:end]:
        if line.startswith("  - "):
            items.append([])
        items[-1].append(line)
    out: list[str] = []
    for item in items:
        metric = re.search(r"metric: (\S+)", item[0])
        slc = next((re.search(r"slice: (\S+)", li) for li in item if "slice:" in li), None)
        key = (metric.group(1) if metric else "", slc.group(1) if slc else None)
        for line in item:
            if line.startswith("    ci:"):
                continue
            if line.startswith("    value:") and key in values:
                line = f"    value: {values[key]}\n"
            out.append(line)
    text = "".join(lines[:start] + out + lines[end:])
    text = re.sub(r"(?m)^version: .*$", f"version: {version}", text, count=1)
    return re.sub(r"(?m)^status: .*$", f"status: {status}", text, count=1)


class _Git:
    def __init__(self, root: Path) -> None:
        self.root = root

    def run(self, *args: str, date: str = "2025-09-02", author: str = "Priya Nair") -> None:
        stamp = f"{date}T10:00:00+00:00"
        env = {**os.environ, "GIT_AUTHOR_NAME": author, "GIT_COMMITTER_NAME": author,
               "GIT_AUTHOR_EMAIL": "team@shop.invalid", "GIT_COMMITTER_EMAIL": "team@shop.invalid",
               "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp,
               "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}  # fmt: skip
        subprocess.run(["git", *args], cwd=self.root, env=env, check=True, capture_output=True)

    def commit(self, message: str, date: str, author: str) -> None:
        self.run("add", "-A", date=date, author=author)
        self.run("commit", "-q", "-m", message, date=date, author=author)


#: Markup a record might hold, on purpose or not: in a title, a body, a link and a field.
PWNED_TITLE = "<script>window.PWNED=1</script> Recommendations customers want"
PWNED_BODY = (
    "\n\n## Injected\n\n<img src=x onerror=\"window.PWNED=2\">\n\n"
    "[click me](javascript:window.PWNED=3) and [data](data:text/html,<script>window.PWNED=6</script>)\n\n"
    "<script>window.PWNED=4</script>\n\n![a chart from the web](https://example.com/chart.png)\n\n"
    "See [the fraud requirement](../requirements/0002-fraud-precision.md#criteria).\n"
)
PWNED_OWNER = '<iframe src="https://example.com/"></iframe>Lena'


def make_injected_shop(root: Path) -> Path:
    """A copy of examples/shop (no git) whose records hold markup that must stay text."""
    shutil.copytree(SHOP, root)
    req = root / "docs/requirements/0001-recommendation-relevance.md"
    text = req.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title: "))
    req.write_text(text.replace(title, f"title: {PWNED_TITLE!r}".replace("'", '"'), 1), encoding="utf-8")
    card = root / RANKER
    card.write_text(card.read_text(encoding="utf-8") + PWNED_BODY, encoding="utf-8")
    ds = root / RECS_HOLDOUT
    text = ds.read_text(encoding="utf-8")
    owner = next(line for line in text.splitlines() if line.strip().startswith("owner: "))
    ds.write_text(text.replace(owner, f"  owner: '{PWNED_OWNER}'", 1), encoding="utf-8")
    return root


def make_shop_history(root: Path, source: Path = SHOP) -> Path:
    """A copy of `source` (examples/shop, or a variant of it with the same files) committed
    as the history above; returns `root`."""
    shutil.copytree(source, root)
    final = {rel: (root / rel).read_text(encoding="utf-8") for rel in (FRAUD, RANKER, RECS_HOLDOUT)}
    for rel in (SESSION, *REVIEWS):
        (root / rel).unlink()
    git = _Git(root)
    git.run("init", "-q", "-b", "main")

    def card(rel: str, n: int) -> None:
        version, status, values = VALUES[rel][n]
        (root / rel).write_text(with_results(final[rel], values, version, status), encoding="utf-8")

    card(FRAUD, 0)
    card(RANKER, 0)
    holdout = final[RECS_HOLDOUT]
    (root / RECS_HOLDOUT).write_text(
        holdout.replace("status: ready", "status: labeling", 1).replace("due: 2026-02-20", "due: 2025-12-15", 1),
        encoding="utf-8")  # fmt: skip
    git.commit("Shop records: fraud detector 3.0.0, ranker 1.2.0", "2025-09-02", "Priya Nair")
    card(FRAUD, 1)
    git.commit("Fraud detector 3.1.0 goes to production", "2025-11-20", "Priya Nair")
    card(RANKER, 1)
    (root / RECS_HOLDOUT).write_text(holdout.replace("status: ready", "status: labeling", 1),
                                     encoding="utf-8")  # fmt: skip
    git.commit("Ranker 1.3.0 candidate; holdout labeling moved to February", "2026-01-15", "Tomás Ortega")
    (root / FRAUD).write_text(final[FRAUD], encoding="utf-8")
    git.commit("Fraud detector 3.2.0", "2026-02-23", "Priya Nair")
    (root / RANKER).write_text(final[RANKER], encoding="utf-8")
    (root / RECS_HOLDOUT).write_text(holdout, encoding="utf-8")
    shutil.copy2(source / SESSION, root / SESSION)
    git.commit("Ranker 1.4.0; session transformer experiment", "2026-04-20", "Tomás Ortega")
    shutil.copy2(source / REVIEWS[0], root / REVIEWS[0])
    git.commit("Fraud detector review, May 2026", "2026-05-13", "Daniel Okafor")
    shutil.copy2(source / REVIEWS[1], root / REVIEWS[1])
    git.commit("Ranker pre-launch review", "2026-06-03", "Helen Park")
    return root
