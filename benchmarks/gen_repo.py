"""Generate a synthetic record repository of N records, for the `tracecard check` benchmark.

    python benchmarks/gen_repo.py 10000 benchmarks/out/repo-10000 [--seed 7] [--no-git]

The repository (a git repository with one commit, or a plain folder with --no-git) looks like
one a team keeps by hand: about 40% decision records, 20%
requirement translations, 20% model cards and 20% dataset sheets, in the default folders
(`docs/decisions`, `docs/requirements`, `docs/model-cards`, `docs/datasets`), with a
`tracecard.toml` at the root. Front matter follows product.md: IDs that match their file
names, lifecycle statuses, supersession written on both records, links that resolve (to
active records only), criteria with launch and target values, card results that meet the
criteria of the requirements they satisfy, dataset composition and labeling, the task and
both sides' sign-off on agreed requirements, mitigations for severe failure modes, and a held
model review of each production card (in `docs/model-reviews`, beyond the N records: about 6%
more files). Bodies are 1-4 KB of prose with the sections each kind needs and relative links
to other records. `today` is pinned in the configuration, after every generated date.

Everything comes from one seeded random generator: the same arguments give the same bytes.
The repository is meant to check clean; `bench_check.py` reports how many findings it has.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

FOLDERS = {
    "decision": "docs/decisions",
    "requirement": "docs/requirements",
    "card": "docs/model-cards",
    "dataset": "docs/datasets",
}
SHARES = {"decision": 0.4, "requirement": 0.2, "card": 0.2}  # datasets get the rest (~20%)

FEATURES = (
    "fraud", "checkout", "search", "recommendations", "churn", "spam", "ads", "pricing",
    "support", "moderation", "ocr", "speech", "delivery", "returns", "reviews", "catalog",
)  # fmt: skip
NOUNS = (
    "ranker", "classifier", "detector", "retriever", "scorer", "tagger", "reranker",
    "forecaster", "matcher", "filter",
)  # fmt: skip
TOPICS = (
    "two-tower retrieval", "gradient-boosted trees", "a calibrated threshold", "nightly retraining",
    "a holdout set drawn by week", "feature store backfills", "shadow deployment",
    "human review of blocked orders", "per-country thresholds", "a distilled student model",
    "online A/B testing", "label smoothing", "hard-negative mining", "a rules fallback",
    "quantised serving", "stratified sampling", "drift monitoring", "cost-sensitive training",
)  # fmt: skip
PEOPLE = (
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
    "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter",
)  # fmt: skip
TEAMS = ("ml-platform", "risk-analytics", "search-quality", "product-ops", "data-labeling", "qa")

#: Metric families: (metric, direction, launch range, target step).
CLASSIFICATION = (
    ("precision", "higher", (0.70, 0.90), 0.04),
    ("recall", "higher", (0.55, 0.85), 0.05),
    ("f1", "higher", (0.60, 0.85), 0.04),
    ("roc_auc", "higher", (0.80, 0.93), 0.03),
    ("pr_auc", "higher", (0.50, 0.80), 0.05),
    ("fpr", "lower", (0.02, 0.08), 0.01),
)
RANKING = (
    ("precision@10", "higher", (0.30, 0.60), 0.05),
    ("ndcg@10", "higher", (0.40, 0.70), 0.04),
    ("recall@50", "higher", (0.50, 0.80), 0.05),
    ("mrr", "higher", (0.30, 0.60), 0.05),
)
REGRESSION = (
    ("mae", "lower", (2.0, 6.0), 0.5),
    ("rmse", "lower", (3.0, 9.0), 0.7),
    ("mape", "lower", (0.08, 0.20), 0.02),
)
FAMILIES = (CLASSIFICATION, RANKING, REGRESSION)
PIPELINES = ("tabular-classification", "text-ranking", "tabular-regression")
LIBRARIES = ("xgboost", "lightgbm", "sklearn", "pytorch", "transformers")
SPLITS = ("holdout", "test", "validation")
SLICES = ("new_customers", "mobile", "high_value", "eu", "long_tail")


@dataclass
class Rec:
    kind: str
    index: int  # 0-based within its kind
    rid: str
    filename: str
    title: str
    status: str
    feature: str
    family: int = 0
    fields: dict[str, object] = field(default_factory=dict)

    @property
    def relpath(self) -> str:
        return f"{FOLDERS[self.kind]}/{self.filename}"


def counts(n: int) -> dict[str, int]:
    """How many records of each kind make up n (every kind at least one when n >= 4)."""
    out = {k: max(1, round(n * s)) for k, s in SHARES.items()}
    out["dataset"] = max(1, n - sum(out.values()))
    return out


def slugify(text: str) -> str:
    out = "".join(c if c.isalnum() else "-" for c in text.lower())
    return "-".join(p for p in out.split("-") if p)


def q(value: str) -> str:
    """A YAML scalar: plain when safe, else double-quoted (JSON strings are valid YAML)."""
    plain_ok = (
        value
        and value[0].isalpha()
        and not any(c in value for c in ":#{}[],&*!|>'\"%@`")
        and value.strip() == value
    )
    return value if plain_ok else json.dumps(value)


def flow(items: list[str]) -> str:
    return "[" + ", ".join(q(i) for i in items) + "]"


class Generator:
    def __init__(self, n: int, seed: int) -> None:
        self.n = n
        self.rng = random.Random(seed)
        self.recs: dict[str, list[Rec]] = {k: [] for k in FOLDERS}
        self.by_id: dict[str, Rec] = {}

    # -- helpers ------------------------------------------------------------------------
    def pick(self, seq):  # noqa: ANN001, ANN201 - a thin wrapper over random.choice
        return self.rng.choice(seq)

    def sample(self, seq, k: int):  # noqa: ANN001, ANN201
        return self.rng.sample(list(seq), min(k, len(seq)))

    def date(self, year_from: int = 2022) -> str:
        y = self.rng.randint(year_from, 2025)
        return f"{y}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"

    def people(self, k: int) -> list[str]:
        return self.sample(PEOPLE, k)

    # -- plan ---------------------------------------------------------------------------
    def plan(self) -> None:
        c = counts(self.n)
        for kind in ("dataset", "decision", "requirement", "card"):
            for i in range(c[kind]):
                self._new(kind, i)
        self._plan_datasets()
        self._plan_decisions()
        self._plan_requirements()
        self._plan_cards()

    def _new(self, kind: str, i: int) -> None:
        feature = FEATURES[i % len(FEATURES)]
        noun = self.pick(NOUNS)
        topic = self.pick(TOPICS)
        fields: dict[str, object] = {}
        if kind == "decision":
            title = f"Use {topic} for the {feature} {noun}"
            rid, fname = f"ADR-{i + 1:04d}", f"{i + 1:04d}-{slugify(title)}.md"
        elif kind == "requirement":
            title = f"{feature.capitalize()} {noun} quality for launch"
            rid, fname = f"REQ-{i + 1:04d}", f"{i + 1:04d}-{slugify(title)}.md"
        elif kind == "card":
            slug = f"{feature}-{noun}-{i + 1:04d}"
            title = f"{feature.capitalize()} {noun} #{i + 1}"
            rid, fname = f"MC-{slug}", f"{slug}.md"
        else:
            p = self.rng.random()
            purpose = "evaluation" if p < 0.55 else "training" if p < 0.85 else "both"
            fields["purpose"] = purpose
            what = self.pick(DATASET_WORDS[purpose])
            slug = f"{feature}-{what}-{i + 1:04d}"
            title = f"{feature.capitalize()} {what} set #{i + 1}"
            rid, fname = f"DS-{slug}", f"{slug}.md"
        rec = Rec(kind, i, rid, fname, title, "", feature, FEATURES.index(feature) % 3, fields)
        self.recs[kind].append(rec)
        self.by_id[rid] = rec

    def _plan_datasets(self) -> None:
        ds = self.recs["dataset"]
        for rec in ds:
            r = self.rng.random()
            rec.status = "ready" if r < 0.8 else "labeling" if r < 0.9 else "planned" if r < 0.95 else "retired"
        # Every family needs a ready evaluation set and a ready training set.
        for fam in range(3):
            members = [d for d in ds if d.family == fam] or ds
            for purposes in (("evaluation", "both"), ("training", "both")):
                hit = next((d for d in members if d.fields["purpose"] in purposes), members[0])
                hit.status = "ready"
                if hit.fields["purpose"] not in purposes:
                    hit.fields["purpose"] = "both"

    def eval_sets(self, rec: Rec) -> list[Rec]:
        """Ready evaluation sets, of the record's feature when there are some, else its family."""
        ds = [d for d in self.recs["dataset"] if d.status == "ready" and d.fields["purpose"] != "training"]
        return (
            [d for d in ds if d.feature == rec.feature]
            or [d for d in ds if d.family == rec.family]
            or ds
            or self.recs["dataset"][:1]
        )

    def train_sets(self, rec: Rec) -> list[Rec]:
        ds = [d for d in self.recs["dataset"] if d.status == "ready" and d.fields["purpose"] != "evaluation"]
        return (
            [d for d in ds if d.feature == rec.feature]
            or [d for d in ds if d.family == rec.family]
            or ds
            or self.recs["dataset"][:1]
        )

    def _plan_decisions(self) -> None:
        decs = self.recs["decision"]
        for rec in decs:
            r = self.rng.random()
            rec.status = "accepted" if r < 0.75 else "proposed" if r < 0.88 else "rejected" if r < 0.95 else "deprecated"
        # Supersession, mirrored on both records: ADR-(10k+4) is replaced by ADR-(10k+9).
        for old in decs:
            new_i = old.index + 5
            if old.index % 10 == 3 and new_i < len(decs):
                new = decs[new_i]
                old.status = "superseded"
                old.fields["superseded_by"] = new.rid
                new.status = "accepted"
                new.fields["supersedes"] = [old.rid]
        if not any(d.status == "accepted" for d in decs):
            decs[0].status = "accepted"

    def active_decisions(self, below: int | None = None) -> list[Rec]:
        decs = self.recs["decision"] if below is None else self.recs["decision"][:below]
        return [d for d in decs if d.status == "accepted"]

    def _plan_requirements(self) -> None:
        reqs = self.recs["requirement"]
        for rec in reqs:
            r = self.rng.random()
            rec.status = "agreed" if r < 0.8 else "draft" if r < 0.95 else "retired"
            criteria = []
            evals = self.eval_sets(rec)
            for metric, direction, (lo, hi), step in self.sample(FAMILIES[rec.family], self.rng.randint(1, 3)):
                launch = round(self.rng.uniform(lo, hi), 2)
                target = round(launch + step if direction == "higher" else launch - step, 3)
                crit = {"metric": metric, "dataset": self.pick(evals).rid, "split": self.pick(SPLITS)}
                if self.rng.random() < 0.2:
                    crit["slice"] = self.pick(SLICES)
                crit.update(launch=launch, target=target)
                criteria.append(crit)
            rec.fields["criteria"] = criteria
            rec.fields["error_costs"] = self._error_costs([c["metric"] for c in criteria])
            rec.fields["decisions"] = [d.rid for d in self.sample(self.active_decisions(), self.rng.randint(1, 2))]
        if not any(r.status == "agreed" for r in reqs):
            reqs[0].status = "agreed"

    def _error_costs(self, metrics: list[str]) -> tuple[int, int] | None:
        """Relative costs whose costlier error some criterion constrains (None for regression)."""
        fp = any(m.startswith("precision") or m in ("fpr", "specificity") for m in metrics)
        fn = any(m.startswith("recall") or m == "fnr" for m in metrics)
        if not (fp or fn or any(m in ("f1", "roc_auc", "pr_auc", "ndcg@10", "mrr") for m in metrics)):
            return None
        options = [(1, 1)] + [(c, 1) for c in (3, 5) if fp] + [(1, c) for c in (5, 10) if fn]
        return self.pick(options)

    def _plan_cards(self) -> None:
        reqs = self.recs["requirement"]
        for rec in self.recs["card"]:
            r = self.rng.random()
            rec.status = "production" if r < 0.35 else "candidate" if r < 0.6 else "draft" if r < 0.92 else "retired"
            gated = rec.status in ("candidate", "production")
            live = [q_ for q_ in reqs if (q_.status == "agreed" if gated else q_.status != "retired")]
            live = live or reqs
            pool = (
                [q_ for q_ in live if q_.feature == rec.feature]
                or [q_ for q_ in live if q_.family == rec.family]
                or live
            )
            sat = self.sample(pool, self.rng.randint(1, 2))
            rec.family = sat[0].family
            rec.fields["satisfies"] = [s.rid for s in sat]
            # One result per (metric, dataset, split, slice), meeting every criterion that asks for it.
            wanted: dict[tuple, list[dict]] = {}
            for req in sat:
                for crit in req.fields["criteria"]:  # type: ignore[union-attr]
                    key = (crit["metric"], crit["dataset"], crit["split"], crit.get("slice"))
                    wanted.setdefault(key, []).append(crit)
            rec.fields["results"] = [self._result(crits) for crits in wanted.values()]
            rec.fields["training_data"] = [d.rid for d in self.sample(self.train_sets(rec), self.rng.randint(1, 2))]
            rec.fields["decisions"] = [d.rid for d in self.sample(self.active_decisions(), self.rng.randint(1, 3))]

    def _result(self, crits: list[dict]) -> dict:
        """A result that meets the target of every criterion in `crits` (same metric and data)."""
        higher = crits[0]["target"] > crits[0]["launch"]
        pick = max if higher else min
        target = pick(c["target"] for c in crits)
        launch = pick(c["launch"] for c in crits)
        gap = abs(crits[0]["target"] - crits[0]["launch"])
        if higher:
            value = round(min(target + self.rng.uniform(0.05, 0.6) * gap, 0.999), 3)
        else:
            value = round(max(target - self.rng.uniform(0.05, 0.6) * gap, target / 2), 3)
        first = crits[0]
        res = {"metric": first["metric"], "value": value, "dataset": first["dataset"], "split": first["split"]}
        if "slice" in first:
            res["slice"] = first["slice"]
        # The interval stays on the metric's scale (0..1 for proportions, >= 0 for errors)
        # and its pessimistic end stays past the launch value.
        room = min(abs(value - launch) * 0.8, value, 1 - value if higher else value)
        if self.rng.random() < 0.4 and room >= 0.002:
            half = round(min(self.rng.uniform(0.002, 0.02), room), 3)
            res["ci"] = [round(value - half, 3), round(value + half, 3)]
        return res

    # -- writing ------------------------------------------------------------------------
    def write(self, out: Path) -> None:
        for kind, folder in FOLDERS.items():
            (out / folder).mkdir(parents=True, exist_ok=True)
            for rec in self.recs[kind]:
                text = "---\n" + getattr(self, f"_fm_{kind}")(rec) + "---\n" + self.body(rec)
                (out / rec.relpath).write_text(text, encoding="utf-8", newline="\n")
        (out / FOLDERS["decision"] / "README.md").write_text(
            "# Decisions\n\nOne file per decision, numbered. Not a record: tracecard skips README.md.\n",
            encoding="utf-8",
        )
        (out / "tracecard.toml").write_text(CONFIG, encoding="utf-8")
        self._write_reviews(out)

    def _write_reviews(self, out: Path) -> None:
        """One held model review of each production card, in the month before the pinned
        today, with product and ML people and a wrong output of a failure type the card lists
        (MRV001-007). Written after the cards, whose version and failure types it names."""
        folder = out / "docs/model-reviews"
        folder.mkdir(parents=True, exist_ok=True)
        n = 0
        for card in self.recs["card"]:
            if card.status != "production":
                continue
            n += 1
            kind = self.pick(card.fields["failure_types"])  # type: ignore[arg-type]
            product, ml = self.people(2)
            title = f"Review of {card.title}"
            front = "\n".join([
                f"id: MR-{n:04d}", f"title: {q(title)}", "status: held",
                f"date: 2025-12-{self.rng.randint(1, 28):02d}", f"card: {card.rid}",
                f"version: {card.fields['version']}",
                "participants:", f"  - {{name: {product}, role: product}}", f"  - {{name: {ml}, role: ml}}",
                "examples:",
                f"  - ref: {q(f'{card.feature} queue case {self.rng.randint(1000, 99999)}')}",
                "    expected: the event passed", "    actual: the event flagged",
                f"    failure_type: {kind}", "    severity: medium",
                "    impact: a customer waited for a manual review",
            ])  # fmt: skip
            body = (f"# {title}\n\n## Summary\n\n{self.para(card)}\n\n## Examples\n\n"
                    f"{self.para(card)}\n\n## Actions\n\nNone: the card lists the failure type.\n")
            path = folder / f"{n:04d}-{slugify(title)}.md"
            path.write_text("---\n" + front + "\n---\n" + body, encoding="utf-8", newline="\n")

    def _common(self, rec: Rec) -> list[str]:
        lines = [f"id: {rec.rid}", f"title: {q(rec.title)}", f"status: {rec.status}"]
        return lines

    def _links(self, rec: Rec) -> list[str]:
        if self.rng.random() < 0.5:
            return []
        pool = self.active_decisions(rec.index if rec.kind == "decision" else None)
        targets = [t for t in self.sample(pool, 2) if t.rid != rec.rid]
        if not targets:
            return []
        out = ["links:"]
        for t in targets:
            out.append(f"  - rel: {self.pick(('relates-to', 'depends-on', 'clarifies'))}")
            out.append(f"    id: {t.rid}")
        return out

    def _fm_decision(self, rec: Rec) -> str:
        lines = self._common(rec)
        lines.append(f"date: {self.date()}")
        if self.rng.random() < 0.5:
            lines.append(f"decision-makers: {flow(self.people(self.rng.randint(1, 3)))}")
        else:  # MADR files often write people as one comma-separated string
            lines.append(f"decision-makers: {q(', '.join('@' + p for p in self.people(2)))}")
        lines.append(f"consulted: {flow(self.people(self.rng.randint(1, 2)) + [self.pick(TEAMS)])}")
        if self.rng.random() < 0.6:
            lines.append(f"informed: {flow([self.pick(TEAMS)])}")
        if "supersedes" in rec.fields:
            lines.append(f"supersedes: {flow(rec.fields['supersedes'])}")  # type: ignore[arg-type]
        if "superseded_by" in rec.fields:
            lines.append(f"superseded_by: {rec.fields['superseded_by']}")
        lines.append(f"tags: {flow([rec.feature, self.pick(('architecture', 'threshold', 'data', 'serving'))])}")
        lines += self._links(rec) if rec.status not in ("superseded", "rejected", "deprecated") else []
        return "\n".join(lines) + "\n"

    def _fm_requirement(self, rec: Rec) -> str:
        lines = self._common(rec)
        lines.append(f"owners: {flow(self.people(2))}")
        lines.append(f"tags: {flow([rec.feature])}")
        lines.append("product_requirement: >-")
        lines.append(f"  Customers using {rec.feature} should {self.pick(PRODUCT_ASKS)}, and")
        lines.append(f"  {self.pick(PRODUCT_LIMITS)}.")
        lines.append("criteria:")
        for crit in rec.fields["criteria"]:  # type: ignore[union-attr]
            lines.append(f"  - metric: {q(crit['metric'])}")
            for key in ("dataset", "split", "slice"):
                if key in crit:
                    lines.append(f"    {key}: {crit[key]}")
            lines.append(f"    launch: {crit['launch']}")
            lines.append(f"    target: {crit['target']}")
        lines.append("constraints:")
        lines.append(f"  latency_p95_ms: {self.rng.choice((50, 80, 120, 200, 300))}")
        lines.append(f"  cost_per_1k_usd: {self.rng.choice((0.05, 0.1, 0.25, 0.5))}")
        lines.append(f"  explainability: {self.pick(('required', 'preferred', 'not_required'))}")
        costs = rec.fields["error_costs"]
        if costs is not None:
            lines.append("error_costs:")
            lines.append(f"  false_positive: {costs[0]}")  # type: ignore[index]
            lines.append(f"  false_negative: {costs[1]}")  # type: ignore[index]
        lines.append(f"decisions: {flow(rec.fields['decisions'])}")  # type: ignore[arg-type]
        lines.append("task:")  # what the model receives and gives back (REQ009)
        lines.append(f"  input: one {rec.feature} event as the serving system sees it")
        lines.append(f"  output: a score for the {rec.feature} team")
        lines.append("  range: [0, 1]")
        lines.append(f"  unit: one {rec.feature} event")
        if rec.status == "agreed":  # signed off by both sides (REQ012)
            product, ml = self.people(2)
            day = self.date(2024)
            lines.append("agreed_by:")
            lines.append(f"  - {{name: {product}, role: product, date: {day}}}")
            lines.append(f"  - {{name: {ml}, role: ml, date: {day}}}")
        lines += self._links(rec) if rec.status != "retired" else []
        return "\n".join(lines) + "\n"

    def _fm_card(self, rec: Rec) -> str:
        lines = self._common(rec)
        lines.append(f"model: {rec.filename[:-3]}")
        version = f"{self.rng.randint(1, 4)}.{self.rng.randint(0, 12)}.{self.rng.randint(0, 9)}"
        rec.fields["version"] = version
        lines.append(f"version: {version}")
        lines.append(f"owners: {flow(self.people(2))}")
        lines.append(f"license: {self.pick(('other', 'apache-2.0', 'mit'))}")
        lines.append(f"library_name: {self.pick(LIBRARIES)}")
        lines.append(f"pipeline_tag: {PIPELINES[rec.family]}")
        lines.append(f"tags: {flow([rec.feature, 'tracecard'])}")
        lines.append(f"satisfies: {flow(rec.fields['satisfies'])}")  # type: ignore[arg-type]
        lines.append(f"decisions: {flow(rec.fields['decisions'])}")  # type: ignore[arg-type]
        lines.append(f"training_data: {flow(rec.fields['training_data'])}")  # type: ignore[arg-type]
        lines.append("results:")
        for res in rec.fields["results"]:  # type: ignore[union-attr]
            lines.append(f"  - metric: {q(res['metric'])}")
            lines.append(f"    value: {res['value']}")
            for key in ("dataset", "split", "slice"):
                if key in res:
                    lines.append(f"    {key}: {res[key]}")
            if "ci" in res:
                lines.append(f"    ci: [{res['ci'][0]}, {res['ci'][1]}]")
        lines.append("operational:")
        lines.append(f"  latency_p95_ms: {self.rng.randint(8, 45)}")
        lines.append(f"  cost_per_1k_usd: {round(self.rng.uniform(0.005, 0.04), 3)}")
        lines.append(f"  model_size_mb: {self.rng.randint(20, 900)}")
        lines.append("  explainability: full")
        lines.append("failure_modes:")
        types: list[str] = []
        for n in range(self.rng.randint(1, 3)):
            types.append(f"{rec.feature}_failure_{n + 1}")
            lines.append(f"  - type: {types[-1]}")
            lines.append(f"    description: {q(self.pick(FAILURES).format(f=rec.feature))}")
            severity = self.pick(('low', 'medium', 'high', 'critical'))
            lines.append(f"    severity: {severity}")
            rec.fields.setdefault("severities", []).append(severity)  # type: ignore[union-attr]
            if severity in ("high", "critical") or self.rng.random() < 0.7:  # GAT015
                lines.append(f"    mitigation: {q(self.pick(MITIGATIONS))}")
        rec.fields["failure_types"] = types
        lines.append("intended_use: >-")
        lines.append(f"  Scores {rec.feature} traffic in real time for the {rec.feature} team;")
        lines.append("  decisions near the threshold go to human review.")
        lines.append(f"out_of_scope: {flow(['credit decisions', 'markets outside the EU'])}")
        return "\n".join(lines) + "\n"

    def _fm_dataset(self, rec: Rec) -> str:
        lines = self._common(rec)
        lines.append(f"purpose: {rec.fields['purpose']}")
        lines.append(f"owners: {flow(self.people(1) + [self.pick(TEAMS)])}")
        lines.append(f"tags: {flow([rec.feature])}")
        lines.append(f"source: {q(f'{rec.feature} events, sampled by week over twelve months')}")
        lines.append(f"location: s3://ml-data/{rec.feature}/{rec.filename[:-3]}/")
        lines.append(f"version: {self.rng.randint(1, 5)}.{self.rng.randint(0, 10)}")
        lines.append("labeling:")
        lines.append(f"  owner: {self.pick(TEAMS)}")
        lines.append(f"  due: {self.date(2023)}")
        lines.append(f"  tool: {self.pick(('Label Studio', 'internal review queue', 'vendor'))}")
        size = self.rng.randint(2_000, 400_000)
        lines.append("composition:")
        lines.append(f"  size: {size}")
        lines.append(f"  product_defined_share: {round(self.rng.uniform(0.5, 0.8), 2)}")
        lines.append("  includes_production_sample: true")
        # drawn in the months before the pinned today (GAT017 counts its age)
        lines.append(f"  production_sample_date: 2025-{self.rng.randint(9, 12):02d}-{self.rng.randint(1, 28):02d}")
        lines.append("splits:")
        for split in ("train", "validation", "holdout"):
            lines.append(f"  {split}:")
            lines.append(f"    size: {size // 3}")
        lines.append("edge_cases:")
        for case in self.sample(EDGE_CASES, self.rng.randint(1, 4)):
            lines.append(f"  - name: {case}")
            lines.append(f"    count: {self.rng.randint(20, 900)}")
        return "\n".join(lines) + "\n"

    # -- bodies -------------------------------------------------------------------------
    def sentence(self, rec: Rec) -> str:
        return self.pick(SENTENCES).format(f=rec.feature, t=self.pick(TOPICS), p=self.pick(PEOPLE).capitalize(),
                                           n=self.rng.randint(2, 40), m=self.pick(("precision", "recall", "latency", "cost")))

    def para(self, rec: Rec, k: int | None = None) -> str:
        return " ".join(self.sentence(rec) for _ in range(k or self.rng.randint(2, 5)))

    def ref(self, rec: Rec) -> str:
        """A relative Markdown link from `rec` to another record that exists."""
        other = self.by_id[self.pick(list(self._neighbours(rec)))]
        there = other.filename
        if other.kind != rec.kind:
            there = f"../{FOLDERS[other.kind].rsplit('/', 1)[1]}/{other.filename}"
        return f"[{other.rid}]({there})"

    def _neighbours(self, rec: Rec) -> list[str]:
        ids = []
        for key in ("satisfies", "decisions", "training_data", "supersedes"):
            ids += list(rec.fields.get(key, []))  # type: ignore[arg-type]
        if "superseded_by" in rec.fields:
            ids.append(rec.fields["superseded_by"])  # type: ignore[arg-type]
        return ids or [d.rid for d in self.recs["dataset"][:1]]

    def body(self, rec: Rec) -> str:
        sections = getattr(self, f"_sections_{rec.kind}")(rec)
        target = self.rng.randint(900, 3500)
        parts = [f"\n# {rec.title}\n"]
        size = 0
        for head, text in sections:
            parts.append(f"\n## {head}\n\n{text}\n")
            size += len(text)
        # Grow the prose sections until the body reaches its size (1-4 KB in all).
        grow = [i for i, (h, _) in enumerate(sections) if h in GROWABLE]
        while size < target and grow:
            i = self.pick(grow)
            extra = self.para(rec)
            parts[i + 1] = parts[i + 1].rstrip("\n") + f"\n\n{extra}\n"
            size += len(extra) + 2
        return "".join(parts)

    def _sections_decision(self, rec: Rec) -> list[tuple[str, str]]:
        options = "\n".join(f"* {o}" for o in self.sample(TOPICS, 3))
        return [
            ("Context and Problem Statement", self.para(rec) + f" See {self.ref(rec)}."),
            ("Decision Drivers", "\n".join(f"* {self.sentence(rec)}" for _ in range(3))),
            ("Considered Options", options),
            ("Decision Outcome", f'Chosen option: "{self.pick(TOPICS)}", because ' + _lower_first(self.para(rec, 2))
             + "\n\n### Consequences\n\n" + "\n".join(f"* Good, because {_lower_first(self.sentence(rec))}" for _ in range(2))),
            ("More Information", self.para(rec, 2) + " [Background](https://example.com/ml/" + rec.feature + ")."),
        ]

    def _sections_requirement(self, rec: Rec) -> list[tuple[str, str]]:
        table = ["| metric | dataset | launch | target |", "|---|---|---|---|"]
        for c in rec.fields["criteria"]:  # type: ignore[union-attr]
            table.append(f"| {c['metric']} | {c['dataset']} | {c['launch']} | {c['target']} |")
        return [
            ("Product requirement", self.para(rec)),
            ("Translation", self.para(rec, 2) + "\n\n" + "\n".join(table) + f"\n\nThe thresholds follow {self.ref(rec)}."),
            ("Error costs", self.para(rec, 2)),
            ("Open questions", self.para(rec, 2)),
        ]

    def _sections_card(self, rec: Rec) -> list[tuple[str, str]]:
        code = "```python\nscore = model.predict_proba(features)[:, 1]\nblock = score >= threshold\n```"
        return [
            ("Model Details", self.para(rec) + f" Related records: {self.ref(rec)}."),
            ("Intended Use", self.para(rec, 2)),
            ("Factors", self.para(rec, 2)),
            ("Metrics", self.para(rec, 2) + "\n\n" + code),
            ("Evaluation Data", self.para(rec, 2)),
            ("Training Data", self.para(rec, 2)),
            ("Quantitative Analyses", self.para(rec)),
            ("Ethical Considerations", self.para(rec, 2)),
            ("Caveats and Recommendations", self.para(rec, 2)),
        ]

    def _sections_dataset(self, rec: Rec) -> list[tuple[str, str]]:
        return [
            ("Motivation", self.para(rec)),
            ("Composition", self.para(rec)),
            ("Collection", self.para(rec, 2)),
            ("Labeling", self.para(rec, 2) + "\n\n<!-- reviewers: keep the labeling guide link current -->"),
            ("Known gaps", self.para(rec, 2)),
        ]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


GROWABLE = frozenset(
    {"Context and Problem Statement", "More Information", "Product requirement", "Error costs",
     "Model Details", "Quantitative Analyses", "Factors", "Motivation", "Composition", "Known gaps"}
)  # fmt: skip

SENTENCES = (
    "The {f} team measured {m} on the weekly holdout and saw it move by {n} points after the last retrain.",
    "We considered {t} because it keeps serving costs predictable at peak traffic.",
    "{p} pointed out that the evaluation set under-represents returning customers in the {f} flow.",
    "Product and ML agreed that a missed case costs more than a false alarm for {f}.",
    "Labels for {n} percent of the examples were written by the product side from support tickets.",
    "The current approach relies on {t}, which we revisit when the traffic mix changes.",
    "A shadow run of {n} days showed no regression on {m} for the high-value segment.",
    "Latency budgets come from the checkout page, where every extra {n} ms costs conversions.",
    "{p} owns the follow-up and reports in the weekly {f} review.",
    "Edge cases from the last incident review are now part of the golden set.",
    "The threshold is set on the holdout split and frozen before the A/B test starts.",
    "Drift on the top {n} features is monitored daily and alerts the on-call engineer.",
)
PRODUCT_ASKS = (
    "see results they actually want on the first screen",
    "rarely be blocked when they are legitimate",
    "get an answer within a second",
    "trust that flagged items really are problems",
)
PRODUCT_LIMITS = (
    "support should not see more tickets than today",
    "the feature must not slow down the page",
    "every blocked order must be explainable to the customer",
    "the cost per prediction must stay within the current budget",
)
FAILURES = (
    "Under-scores first-time {f} users with no history",
    "Over-flags bulk orders from business accounts in {f}",
    "Degrades on traffic from new markets not seen in training",
    "Confuses seasonal spikes with anomalies",
)
MITIGATIONS = (
    "Scores near the threshold go to manual review.",
    "A rules-based fallback handles cold-start users.",
    "Monitored weekly; accepted in the decision record.",
)
DATASET_WORDS = {
    "evaluation": ("holdout", "eval", "golden"),
    "training": ("train", "logs"),
    "both": ("shadow", "sample"),
}
EDGE_CASES = (
    "first_order_high_value", "shared_device", "gift_cards", "cross_border", "bulk_buyer",
    "returning_after_a_year", "new_market", "holiday_peak",
)  # fmt: skip

CONFIG = """\
# tracecard configuration of a synthetic benchmark repository (benchmarks/gen_repo.py).
[tracecard]
min_product_defined_share = 0.5
max_file_size = 1000000
# a snapshot: today is pinned after the generated dates (production samples, reviews)
today = 2026-01-15
"""


#: Pinned identity and dates: the same arguments give the same commit.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "gen_repo", "GIT_AUTHOR_EMAIL": "gen_repo@example.com",
    "GIT_COMMITTER_NAME": "gen_repo", "GIT_COMMITTER_EMAIL": "gen_repo@example.com",
    "GIT_AUTHOR_DATE": "2026-01-05T12:00:00+00:00", "GIT_COMMITTER_DATE": "2026-01-05T12:00:00+00:00",
}  # fmt: skip


def generate(n: int, out: Path, seed: int = 7, git: bool = True) -> None:
    """Write the repository of `n` records to `out` (replacing what was there).

    With `git`, `out` is a git repository of its own with everything in one commit, as a team's
    repository would be (and so that a repository around `out` is never the one read).
    """
    if n < 4:
        raise ValueError("N must be at least 4 (one record of each kind)")
    if out.exists():
        shutil.rmtree(out)
    gen = Generator(n, seed)
    gen.plan()
    gen.write(out)
    if git:
        env = {**os.environ, **GIT_ENV}
        for args in (("init", "--quiet", "-b", "main", "."), ("add", "-A"),
                     ("commit", "--quiet", "--no-verify", "-m", f"{n} synthetic records (seed {seed})")):
            subprocess.run(["git", *args], cwd=out, env=env, check=True, capture_output=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, help="number of records (at least 4)")
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-git", action="store_true", help="a plain folder, not a git repository")
    args = ap.parse_args(argv)
    try:
        generate(args.n, args.outdir, args.seed, git=not args.no_git)
    except ValueError as exc:
        print(f"gen_repo: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
