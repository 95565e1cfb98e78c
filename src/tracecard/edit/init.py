"""`tracecard init [DIR]`: configuration, the record folders and the templates.

Nothing that exists is overwritten: a repository that already has `tracecard.toml` or
`[tool.tracecard]` keeps its configuration (and its folders are the ones created), and a
template that is already in the templates folder is the team's own. Running it again changes
nothing and says so.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO

from tracecard.edit import transaction
from tracecard.edit.new import DEFAULT_TEMPLATE_DIR, TEMPLATE_FILES, shipped_template
from tracecard.errors import UsageError
from tracecard.load import config
from tracecard.model.records import Kind
from tracecard.report.text import say

#: Where decision records already are in repositories that adr-tools, MADR or log4brains set up.
_DECISION_FOLDERS = (
    "docs/decisions",
    "docs/adr",
    "doc/adr",
    "docs/architecture/decisions",
    "doc/architecture/decisions",
)

_README = {
    Kind.DECISION: (
        "Decision records",
        "One file per significant decision (architecture, thresholds, failure modes the team "
        "accepts), with its context and consequences.",
        'tracecard adr new "Use two-tower retrieval"',
        "adr",
    ),
    Kind.REQUIREMENT: (
        "Requirement translations",
        "One file per product requirement, translated into measurable criteria: metric, dataset, "
        "split, a launch minimum and a target.",
        'tracecard req new "Relevant home-page recommendations"',
        "req",
    ),
    Kind.MODEL_CARD: (
        "Model cards",
        "One file per model: what it is for, what it was evaluated on, its measured results and "
        "known failure modes.",
        'tracecard card new "Fraud detector"',
        "card",
    ),
    Kind.DATASET: (
        "Dataset sheets",
        "One file per training or evaluation dataset: labeling owner and due date, composition, "
        "edge cases, and whether real production inputs are included.",
        'tracecard dataset new "Fraud holdout"',
        "dataset",
    ),
    Kind.MODEL_REVIEW: (
        "Model reviews",
        "One file per review of a model's actual wrong outputs, held by product and ML people "
        "together: the examples looked at, the failure types found, and what was decided.",
        'tracecard model-review new "Fraud detector review, March" --card MC-fraud-detector',
        "model-review",
    ),
}


@dataclass
class Plan:
    """What `init` will create, worked out before anything is written."""

    files: dict[Path, bytes] = field(default_factory=dict)
    folders: list[Path] = field(default_factory=list)


def init(directory: str | None, out: IO[str]) -> int:
    root = Path(directory or ".")
    if not root.is_dir():
        raise UsageError(f"{root}: no such folder")
    root = root.resolve()
    with transaction.locked(root):  # planned under the lock: two inits make one set-up
        plan = _plan(root)
        if not plan.files and not plan.folders:
            say(f"tracecard is already set up in {root}: nothing changed", out)
            return 0
        for target in [*plan.folders, *plan.files]:
            transaction.inside(root, target)  # a linked folder must not carry writes outside
        for folder in plan.folders:
            folder.mkdir(parents=True, exist_ok=True)
        for path in plan.files:
            path.parent.mkdir(parents=True, exist_ok=True)
        transaction.apply(root, [transaction.Write(p, data, None)
                                 for p, data in plan.files.items()])  # fmt: skip
    for line in _report(root, plan):
        say(line, out)
    return 0


def _plan(root: Path) -> Plan:
    plan = Plan()
    settings = config.load(root)  # a broken configuration stops here, before any write
    if settings.config_file is None:
        folders = {**settings.folders, Kind.DECISION: _decision_folder(root)}
        settings = replace(settings, folders=folders, templates=DEFAULT_TEMPLATE_DIR)
        plan.files[root / "tracecard.toml"] = _config_text(settings).encode("utf-8")
    for kind, rel in settings.folders.items():
        folder = root / rel
        if not folder.exists():
            plan.folders.append(folder)
            plan.files[folder / "README.md"] = _readme(kind).encode("utf-8")
        elif not folder.is_dir():
            raise UsageError(f"{rel} is not a folder: move it, or set folders.{kind.value}")
    templates = root / (settings.templates or DEFAULT_TEMPLATE_DIR)
    for name in TEMPLATE_FILES.values():
        if not (templates / name).exists():
            plan.files[templates / name] = shipped_template(name)
    return plan


def _decision_folder(root: Path) -> str:
    """The folder adr-tools' `.adr-dir` names, or an existing decision folder, or the default."""
    marker = root / ".adr-dir"
    if marker.is_file():
        named = marker.read_text(encoding="utf-8", errors="replace").strip()
        if named and (root / named).is_dir():
            return Path(named).as_posix()
    found = next((f for f in _DECISION_FOLDERS if (root / f).is_dir()), None)
    return found or config.DEFAULT_FOLDERS[Kind.DECISION]


def _config_text(settings: config.Settings) -> str:
    text = shipped_template("tracecard.toml").decode("utf-8")
    values = {f"{kind.value}_folder": rel for kind, rel in settings.folders.items()}
    values["templates"] = settings.templates or DEFAULT_TEMPLATE_DIR
    # json.dumps gives a TOML basic string: the same quotes and backslash escapes.
    def value(m: re.Match[str]) -> str:
        return json.dumps(values[m.group(1)], ensure_ascii=False)

    return re.sub(r"\{\{(\w+)\}\}", value, text)


def _readme(kind: Kind) -> str:
    heading, what, example, group = _README[kind]
    return (
        f"# {heading}\n\n{what}\n\n"
        f"- Create one: `{example}` (add `--edit` to open it).\n"
        f"- List them: `tracecard {group} list`.\n"
        "- Check them: `tracecard check`.\n\n"
        "This README is not a record; tracecard skips it.\n"
    )


def _report(root: Path, plan: Plan) -> list[str]:
    """Configuration first, then the folders (with their READMEs), then the templates."""
    readmes = {folder / "README.md" for folder in plan.folders}
    files = [p for p in plan.files if p not in readmes]
    lines = [f"created {p.relative_to(root).as_posix()}" for p in files if p.suffix == ".toml"]
    lines += [f"created {p.relative_to(root).as_posix()}/ (with a README.md)" for p in plan.folders]
    lines += [f"created {p.relative_to(root).as_posix()}" for p in files if p.suffix != ".toml"]
    return lines
