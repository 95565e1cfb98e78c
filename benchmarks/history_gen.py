"""Build a synthetic record repository with `git fast-import`, for the history benchmark.

The repository holds N records (decisions, requirements, model cards, dataset sheets, with
front matter as product.md describes) changed over M commits: creations, status changes,
threshold and result edits, renames (numbered kinds only: the number, hence the ID, stays),
a few deletions, commits that touch only code, and short topic branches merged with a merge
commit. Everything is drawn from one seeded random generator, so a repository is the same
for the same arguments.

    python benchmarks/history_gen.py /tmp/hist --records 2000 --commits 20000

`extend(repo, n)` adds n more record-editing commits on top of the branch (the benchmark uses
it to time a warm read after new commits).
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

KINDS = ("decision", "requirement", "card", "dataset")
FOLDERS = {
    "decision": "docs/decisions",
    "requirement": "docs/requirements",
    "card": "docs/model-cards",
    "dataset": "docs/datasets",
}
SHARE = (0.4, 0.3, 0.15, 0.15)  # of the records, per kind
WORDS = (
    "fraud ranking churn search ads feed spam vision speech retrieval cold-start tabular "
    "pricing intent toxicity ocr latency drift holdout embeddings reranker batch stream"
).split()
PEOPLE = ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi")
METRICS = ("precision", "recall", "f1", "roc_auc", "pr_auc", "precision@10", "ndcg@10")
START = 1_609_459_200  # 2021-01-01T00:00:00Z
BRANCH = "refs/heads/main"


@dataclass
class Record:
    kind: str
    number: int
    slug: str
    fields: dict[str, object] = field(default_factory=dict)
    deleted: bool = False

    @property
    def ident(self) -> str:
        prefix = {"decision": "ADR-", "requirement": "REQ-", "card": "MC-", "dataset": "DS-"}
        if self.kind in ("decision", "requirement"):
            return f"{prefix[self.kind]}{self.number:04d}"
        return f"{prefix[self.kind]}{self.slug}"

    @property
    def path(self) -> str:
        folder = FOLDERS[self.kind]
        if self.kind in ("decision", "requirement"):
            return f"{folder}/{self.number:04d}-{self.slug}.md"
        return f"{folder}/{self.slug}.md"


# --- record content -----------------------------------------------------------------------


def _yaml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:.1f}"
    if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        return "[" + ", ".join(_yaml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_yaml_value(v)}" for k, v in value.items()) + "}"
    text = str(value)
    if any(ch in text for ch in ":#[]{},") or text in ("yes", "no", "true", "false"):
        return '"' + text.replace('"', "'") + '"'
    return text


def render(rec: Record) -> bytes:
    lines = ["---", f"id: {rec.ident}"]
    for key, value in rec.fields.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f"{key}:")
            lines.extend(f"  - {_yaml_value(item)}" for item in value)
        else:
            lines.append(f"{key}: {_yaml_value(value)}")
    lines.append("---")
    lines.extend(_body(rec))
    return ("\n".join(lines) + "\n").encode()


def _body(rec: Record) -> list[str]:
    title = str(rec.fields.get("title", rec.ident))
    sections = {
        "decision": ("Context and Problem Statement", "Decision Outcome", "Consequences"),
        "requirement": ("Product requirement", "Measurable criteria", "Rationale"),
        "card": (
            "Model Details",
            "Intended Use",
            "Metrics",
            "Evaluation Data",
            "Caveats and Recommendations",
        ),
        "dataset": ("Motivation", "Composition", "Labeling"),
    }[rec.kind]
    out = ["", f"# {title}", ""]
    for name in sections:
        out += [f"## {name}", "", f"{name} of {title.lower()}: " + " ".join(WORDS[:12]) + ".", ""]
    return out


def _slug(rng: random.Random, n: int) -> str:
    return "-".join(rng.sample(WORDS, 3)) + f"-{n}"


def new_record(
    rng: random.Random, kind: str, number: int, day: str, ids: dict[str, list[str]]
) -> Record:
    rec = Record(kind, number, _slug(rng, number))
    title = rec.slug.replace("-", " ").capitalize()
    owners = rng.sample(PEOPLE, 2)
    f: dict[str, object] = {"title": title}
    if kind == "decision":
        f.update(
            status="proposed",
            date=day,
            **{"decision-makers": owners, "consulted": [rng.choice(PEOPLE)]},
        )
        f["tags"] = [rng.choice(WORDS)]
    elif kind == "requirement":
        ds = rng.choice(ids["dataset"]) if ids["dataset"] else "DS-holdout"
        launch = round(rng.uniform(0.5, 0.8), 2)
        f.update(
            status="draft",
            owners=owners,
            product_requirement=f"Users should get good {rng.choice(WORDS)} results",
        )
        f["criteria"] = [
            {
                "metric": rng.choice(METRICS),
                "dataset": ds,
                "split": "test",
                "launch": launch,
                "target": round(launch + 0.1, 2),
            }
        ]
        f["constraints"] = {"latency_p95_ms": rng.choice((50, 100, 200))}
        f["error_costs"] = {"false_positive": 1, "false_negative": rng.choice((2, 5, 10))}
        f["decisions"] = rng.sample(ids["decision"], min(1, len(ids["decision"])))
    elif kind == "card":
        req = rng.sample(ids["requirement"], min(1, len(ids["requirement"])))
        f.update(model=rec.slug, version="0.1.0", status="draft", satisfies=req, owners=owners)
        f["training_data"] = rng.sample(ids["dataset"], min(1, len(ids["dataset"])))
        f["results"] = [_result(rng)]
        f["operational"] = {
            "latency_p95_ms": rng.randint(20, 150),
            "model_size_mb": rng.randint(10, 900),
        }
        f["failure_modes"] = [
            {"description": f"misses {rng.choice(WORDS)} cases", "severity": "medium"}
        ]
        f["intended_use"] = f"Scoring {rng.choice(WORDS)} traffic"
    else:
        f.update(
            status="planned", purpose=rng.choice(("training", "evaluation", "both")), owners=owners
        )
        f["labeling"] = {"owner": rng.choice(PEOPLE), "due": day}
        f["composition"] = {
            "size": rng.randint(1000, 90000),
            "product_defined_share": round(rng.uniform(0.3, 0.7), 2),
            "includes_production_sample": rng.random() < 0.5,
        }
        f["edge_cases"] = [f"{rng.choice(WORDS)} edge case", f"{rng.choice(WORDS)} edge case"]
    rec.fields = f
    return rec


def _result(rng: random.Random) -> dict[str, object]:
    value = round(rng.uniform(0.55, 0.95), 3)
    return {
        "metric": rng.choice(METRICS),
        "value": value,
        "dataset": "DS-holdout",
        "split": "test",
        "ci": [round(value - 0.02, 3), round(value + 0.02, 3)],
    }


NEXT_STATUS = {
    "decision": {"proposed": ["accepted", "rejected"], "accepted": ["deprecated", "accepted"]},
    "requirement": {"draft": ["agreed"], "agreed": ["agreed", "retired"]},
    "card": {
        "draft": ["candidate"],
        "candidate": ["production", "candidate"],
        "production": ["production", "retired"],
    },
    "dataset": {"planned": ["labeling"], "labeling": ["ready"], "ready": ["ready", "retired"]},
}


def edit(rng: random.Random, rec: Record) -> str:
    """Change one thing in a record, the way people do; return what changed."""
    f = rec.fields
    roll = rng.random()
    if roll < 0.35:
        options = NEXT_STATUS[rec.kind].get(str(f["status"]), [str(f["status"])])
        f["status"] = rng.choice(options)
        return f"status to {f['status']}"
    if rec.kind == "requirement":
        crit = dict(f["criteria"][0])  # type: ignore[index]
        step = rng.choice((-0.02, 0.01, 0.02))
        crit["launch"] = round(float(crit["launch"]) + step, 2)  # type: ignore[arg-type]
        f["criteria"] = [crit]
        return "launch threshold"
    if rec.kind == "card":
        results = list(f["results"])  # type: ignore[call-overload]
        if len(results) < 4 and rng.random() < 0.3:
            results.append(_result(rng))
        else:
            res = dict(results[-1])
            moved = float(res["value"]) + rng.uniform(-0.02, 0.03)  # type: ignore[arg-type]
            value = round(min(0.99, moved), 3)
            res.update(value=value, ci=[round(value - 0.02, 3), round(value + 0.02, 3)])
            results[-1] = res
        f["results"] = results
        f["version"] = _bump(str(f["version"]))
        return "results"
    if rec.kind == "dataset":
        comp = dict(f["composition"])  # type: ignore[call-overload]
        comp["size"] = int(comp["size"]) + rng.randint(100, 2000)
        f["composition"] = comp
        return "composition"
    f["consulted"] = rng.sample(PEOPLE, rng.randint(1, 3))
    return "consulted"


def _bump(version: str) -> str:
    major, minor, patch = (int(x) for x in version.split("."))
    return f"{major}.{minor}.{patch + 1}"


# --- the fast-import stream ----------------------------------------------------------------


class Stream:
    """Writes fast-import commands; keeps the clock, marks and the records."""

    def __init__(self, rng: random.Random, records: int) -> None:
        self.rng = rng
        self.clock = START
        self.mark = 0
        self.records: list[Record] = []
        self.ids: dict[str, list[str]] = {k: [] for k in KINDS}
        self.counters = {k: 0 for k in KINDS}
        self.quota = {k: max(1, round(records * s)) for k, s in zip(KINDS, SHARE, strict=True)}
        self.quota["decision"] += records - sum(self.quota.values())

    def commit(
        self, ref: str, message: str, ops: list[bytes], parents: tuple[int, ...] = ()
    ) -> bytes:
        self.mark += 1
        self.clock += self.rng.randint(600, 7200)
        who = self.rng.choice(PEOPLE)
        stamp = f"{who} <{who}@example.com> {self.clock} +0000"
        msg = message.encode()
        head = [
            f"commit {ref}",
            f"mark :{self.mark}",
            f"author {stamp}",
            f"committer {stamp}",
            f"data {len(msg)}",
        ]
        out = ("\n".join(head) + "\n").encode() + msg + b"\n"
        if parents:
            out += f"from :{parents[0]}\n".encode()
            out += b"".join(f"merge :{p}\n".encode() for p in parents[1:])
        return out + b"".join(ops) + b"\n"

    @staticmethod
    def put(path: str, content: bytes) -> bytes:
        return f"M 100644 inline {path}\ndata {len(content)}\n".encode() + content + b"\n"

    def day(self) -> str:
        return time.strftime("%Y-%m-%d", time.gmtime(self.clock))

    def create(self) -> tuple[str, list[bytes], Record] | None:
        open_kinds = [k for k in KINDS if self.counters[k] < self.quota[k]]
        if not open_kinds:
            return None
        kind = self.rng.choice(open_kinds)
        self.counters[kind] += 1
        rec = new_record(self.rng, kind, self.counters[kind], self.day(), self.ids)
        self.records.append(rec)
        self.ids[kind].append(rec.ident)
        return f"Add {rec.ident}", [self.put(rec.path, render(rec))], rec

    def change(self, rec: Record) -> tuple[str, list[bytes]]:
        roll = self.rng.random()
        if roll < 0.04 and rec.kind in ("decision", "requirement"):
            old = rec.path
            rec.slug = _slug(self.rng, rec.number)
            what = edit(self.rng, rec) if self.rng.random() < 0.5 else "no edit"
            return f"Rename {rec.ident} ({what})", [
                f"D {old}\n".encode(),
                self.put(rec.path, render(rec)),
            ]
        if 0.04 <= roll < 0.045:
            rec.deleted = True
            return f"Remove {rec.ident}", [f"D {rec.path}\n".encode()]
        what = edit(self.rng, rec)
        return f"{rec.ident}: {what}", [self.put(rec.path, render(rec))]

    def live(self, exclude: set[int] = frozenset()) -> Record | None:  # type: ignore[assignment]
        for _ in range(20):
            if not self.records:
                return None
            rec = self.rng.choice(self.records)
            if not rec.deleted and id(rec) not in exclude:
                return rec
        return None


def generate(records: int, commits: int, seed: int = 7) -> Iterator[bytes]:
    """The fast-import stream of a repository with `records` records over `commits` commits."""
    st = Stream(random.Random(seed), records)
    creations = set(st.rng.sample(range(commits), min(records, commits)))
    made = 0
    tip = 0
    while made < commits:
        n = made
        if (
            n % 40 == 20
            and commits - made > 6
            and st.records
            and not creations & set(range(n, n + 4))
        ):
            chunk, tip, used = _topic(st, tip)
            made += used
            yield chunk
            continue
        if n in creations:
            created = st.create()
            message, ops = (created[0], created[1]) if created else _code_change(st)
        elif st.rng.random() < 0.15 or not st.records:
            message, ops = _code_change(st)
        else:
            rec = st.live()
            message, ops = st.change(rec) if rec else _code_change(st)
        yield st.commit(BRANCH, message, ops, (tip,) if tip else ())
        tip = st.mark
        made += 1
    yield f"reset {BRANCH}\nfrom :{tip}\n\n".encode()


def _code_change(st: Stream) -> tuple[str, list[bytes]]:
    n = st.rng.randint(1, 40)
    return f"Tune module {n}", [
        st.put(f"src/module_{n}.py", f"VALUE = {st.rng.random()}\n".encode())
    ]


def _topic(st: Stream, tip: int) -> tuple[bytes, int, int]:
    """A short topic branch (two record edits), one commit on main, and a merge: four commits."""
    topic = "refs/heads/topic"
    fork = tip
    out = f"reset {topic}\nfrom :{fork}\n\n".encode() if fork else b""
    touched: list[Record] = []
    parent = fork
    for _ in range(2):
        rec = st.live({id(r) for r in touched})
        if rec is None:
            break
        what = edit(st.rng, rec)
        touched.append(rec)
        out += st.commit(
            topic,
            f"{rec.ident}: {what} (topic)",
            [st.put(rec.path, render(rec))],
            (parent,) if parent else (),
        )
        parent = st.mark
    branch_tip = parent
    message, ops = _code_change(st)
    out += st.commit(BRANCH, message, ops, (fork,) if fork else ())
    main_tip = st.mark
    merge_ops = [st.put(r.path, render(r)) for r in touched]
    parents = (main_tip, branch_tip) if branch_tip != fork else (main_tip,)
    out += st.commit(BRANCH, "Merge topic", merge_ops, parents)
    return out, st.mark, len(touched) + 2


def extend_stream(repo: Path, n: int, seed: int = 11) -> bytes:
    """n commits that each change the status line of one record at the branch tip."""
    repo = _own(repo)
    rng = random.Random(seed)
    listing = _git(repo, "ls-tree", "-r", "--name-only", "HEAD", "--", "docs").decode().split("\n")
    paths = sorted(p for p in listing if p.endswith(".md"))
    when = int(_git(repo, "log", "-1", "--format=%ct", "HEAD").decode().strip())
    out = b""
    for i, path in enumerate(rng.sample(paths, min(n, len(paths)))):
        text = _git(repo, "show", f"HEAD:{path}").decode()
        text = (
            text.replace("status: ", "status: x", 1)
            if i % 2
            else text.replace("\n---\n", "\nnote: edited\n---\n", 1)
        )
        stamp = f"bench <bench@example.com> {when + 3600 * (i + 1)} +0000"
        msg = f"Edit {path}".encode()
        body = text.encode()
        out += (
            (f"commit {BRANCH}\nauthor {stamp}\ncommitter {stamp}\ndata {len(msg)}\n").encode()
            + msg
            + b"\n"
        )
        if i == 0:
            out += f"from {BRANCH}^0\n".encode()
        out += f"M 100644 inline {path}\ndata {len(body)}\n".encode() + body + b"\n\n"
    return out


def _git(repo: Path, *args: str) -> bytes:
    if not repo.is_absolute():  # `git -C ""` would run in the current folder
        raise ValueError(f"not an absolute path: {repo!r}")
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True).stdout


def fast_import(repo: Path, chunks: Iterator[bytes] | list[bytes]) -> None:
    repo = _own(repo)
    proc = subprocess.Popen(
        ["git", "-C", str(repo), "fast-import", "--quiet"], stdin=subprocess.PIPE
    )
    assert proc.stdin is not None
    for chunk in chunks:
        proc.stdin.write(chunk)
    proc.stdin.close()
    if proc.wait() != 0:
        raise RuntimeError("git fast-import failed")


MARKER = "tracecard-bench"  # a file in the git dir of every repository built here


def build(repo: Path, records: int, commits: int, seed: int = 7, checkout: bool = True) -> Path:
    """Create `repo` (a new or empty folder) holding the synthetic history."""
    repo = repo.resolve()
    if repo.exists() and any(repo.iterdir()):
        raise ValueError(f"{repo} exists and is not empty")
    repo.mkdir(parents=True, exist_ok=True)
    _git(repo, "init", "-q", "-b", "main")
    (repo / ".git" / MARKER).write_text("built by benchmarks/history_gen.py\n")
    fast_import(repo, generate(records, commits, seed))
    if checkout:
        _git(repo, "checkout", "-q", "-f", "main")
    return repo


def extend(repo: Path, n: int, seed: int = 11) -> None:
    """Add n record-editing commits to a repository that `build` made (and to its work tree)."""
    repo = _own(repo)
    fast_import(repo, [extend_stream(repo, n, seed)])
    _git(repo, "reset", "-q", "--hard", "HEAD")


def _own(repo: Path) -> Path:
    """Refuse any repository this module did not build: extend rewrites the work tree."""
    repo = repo.resolve()
    if not (repo / ".git" / MARKER).is_file():
        raise ValueError(f"{repo} was not built by history_gen: refusing to change it")
    return repo


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("repo", type=Path)
    ap.add_argument("--records", type=int, default=300)
    ap.add_argument("--commits", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    started = time.perf_counter()
    try:
        build(args.repo, args.records, args.commits, args.seed)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(
        f"built {args.repo}: {args.records} records, {args.commits} commits "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
