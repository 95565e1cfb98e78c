"""Configuration: `[tool.tracecard]` in pyproject.toml, or tracecard.toml; the command line wins.

Read once into a frozen `Settings`; nothing deeper reads configuration files.
"""

from __future__ import annotations

import datetime
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tracecard.errors import UsageError
from tracecard.model import clock
from tracecard.model.metrics import Vocabulary
from tracecard.model.records import NOT_RECORDS, Kind  # noqa: F401 (NOT_RECORDS re-exported)

DEFAULT_FOLDERS: dict[Kind, str] = {
    Kind.DECISION: "docs/decisions",
    Kind.REQUIREMENT: "docs/requirements",
    Kind.MODEL_CARD: "docs/model-cards",
    Kind.DATASET: "docs/datasets",
    Kind.MODEL_REVIEW: "docs/model-reviews",
}

#: Required body sections per kind; each entry lists the accepted spellings of one section.
DEFAULT_SECTIONS: dict[Kind, tuple[tuple[str, ...], ...]] = {
    Kind.DECISION: (
        ("Context", "Context and Problem Statement", "Problem Statement", "Background"),
        ("Decision", "Decision Outcome"),
    ),
    Kind.REQUIREMENT: (),
    Kind.MODEL_CARD: (  # the Hugging Face Trainer's headings count too
        ("Intended Use", "Intended Uses", "Uses", "Intended Use and Limitations",
         "Intended uses & limitations", "Intended uses and limitations"),
        ("Evaluation Data", "Evaluation Dataset", "Evaluation Datasets", "Testing Data",
         "Training and evaluation data", "Evaluation"),
    ),
    Kind.DATASET: (),
    Kind.MODEL_REVIEW: (("Summary",), ("Actions", "Actions Taken")),
}

CONFIG_KEYS = frozenset(
    {
        "select", "ignore", "extend-select", "strict", "folders", "schemas", "sections",
        "metrics", "min_product_defined_share", "max_file_size", "exclude", "templates",
        "regression_tolerance", "statuses", "today", "max_production_sample_age_days",
        "review_period_days",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Settings:
    root: Path
    config_file: Path | None = None
    folders: dict[Kind, str] = field(default_factory=lambda: dict(DEFAULT_FOLDERS))
    schemas: dict[Kind, str] = field(default_factory=dict)  # extension schema per kind
    sections: dict[Kind, tuple[tuple[str, ...], ...]] = field(
        default_factory=lambda: dict(DEFAULT_SECTIONS)
    )
    metrics: dict[str, Any] = field(default_factory=dict)
    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    strict: bool = False
    min_product_defined_share: float = 0.5
    regression_tolerance: float = 0.0
    #: A production card's production sample older than this many days is stale (GAT017).
    max_production_sample_age_days: int = 180
    #: The day the repository is checked as of, when neither --today nor TRACECARD_TODAY says.
    today: datetime.date | None = None
    max_file_size: int = 1_000_000
    exclude: tuple[str, ...] = ()
    templates: str | None = None
    #: A team's own status words, per kind, read as a state of the kind's lifecycle
    #: (`[statuses.decision] "on hold" = "proposed"`).
    statuses: dict[Kind, dict[str, str]] = field(default_factory=dict)
    #: A production model card should have a held model review at most this many days old.
    review_period_days: int = 90

    def with_cli(
        self, select: tuple[str, ...] = (), ignore: tuple[str, ...] = (), strict: bool | None = None
    ) -> Settings:
        """The command line wins over the file: --select replaces, --ignore adds."""
        kept = self.ignore
        if select:  # a file's ignore does not override a code the command line asks for
            kept = tuple(i for i in self.ignore if not any(s.startswith(i) for s in select))
        return replace(
            self,
            select=tuple(select) or self.select,
            ignore=kept + tuple(ignore),
            strict=self.strict if strict is None else strict,
        )


def find_root(start: Path) -> Path:
    """The nearest folder upward with tracecard configuration, else with .git, else `start`."""
    start = start.resolve()
    if start.is_file():
        start = start.parent
    git_root = None
    for folder in (start, *start.parents):
        if has_configuration(folder):
            return folder
        if git_root is None and (folder / ".git").exists():
            git_root = folder
    return git_root or start


def has_configuration(folder: Path) -> bool:
    """The folder holds tracecard configuration (tracecard.toml, or a [tool.tracecard] table)."""
    return (folder / "tracecard.toml").is_file() or _pyproject_has_section(folder / "pyproject.toml")


def _pyproject_has_section(path: Path) -> bool:
    if not path.is_file():
        return False
    try:
        return "[tool.tracecard" in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def load(root: Path) -> Settings:
    """Settings for the repository at `root`; a bad file is a UsageError (exit 2)."""
    for name in ("tracecard.toml", "pyproject.toml"):
        path = root / name
        if not path.is_file():
            continue
        try:
            if not path.is_file():
                raise OSError("not a regular file")
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as exc:
            raise UsageError(f"{path}: cannot read configuration: {exc}") from exc
        table = doc.get("tracecard", doc) if name == "tracecard.toml" else None
        if name == "pyproject.toml":
            table = doc.get("tool", {}).get("tracecard")
            if table is None:
                continue
        if not isinstance(table, dict):
            table = {}
        settings = _settings(root, path, table)
        clock.set_configured(settings.today)
        return settings
    clock.set_configured(None)
    return Settings(root=root)


def _settings(root: Path, path: Path, table: dict[str, Any]) -> Settings:
    unknown = sorted(set(table) - CONFIG_KEYS - {"tracecard"})
    if unknown:
        raise UsageError(f"{path}: unknown configuration key(s): {', '.join(unknown)}")
    s = Settings(root=root, config_file=path)
    kw: dict[str, Any] = {}
    if "select" in table:
        kw["select"] = _codes(path, "select", table["select"])
    if "extend-select" in table:
        kw["select"] = kw.get("select", s.select) + _codes(path, "extend-select", table["extend-select"])
    if "ignore" in table:
        kw["ignore"] = _codes(path, "ignore", table["ignore"])
    if "strict" in table:
        kw["strict"] = _typed(path, "strict", table["strict"], bool)
    if "folders" in table:
        folders = _by_kind(path, "folders", table["folders"], str)
        for kind, folder in folders.items():
            _inside(root, path, f"folders.{kind.value}", folder)
        kw["folders"] = {**s.folders, **folders}
        seen: dict[str, Kind] = {}
        for kind, folder in kw["folders"].items():
            norm = Path(folder).as_posix().strip("/")
            if norm in ("", "."):
                raise UsageError(f"{path}: 'folders.{kind.value}' = {folder!r} is the whole "
                                 "repository: give the kind a folder of its own")  # fmt: skip
            for other, other_kind in seen.items():
                if norm.startswith(other + "/") or other.startswith(norm + "/"):
                    raise UsageError(f"{path}: the {other_kind.label} folder {other!r} and the "
                                     f"{kind.label} folder {norm!r} are inside one another: "
                                     "give each kind a folder of its own")  # fmt: skip
            if norm in seen:
                raise UsageError(f"{path}: the {seen[norm].label} and {kind.label} records share "
                                 f"the folder {folder!r}: give each kind its own folder (a "
                                 "record of another kind can sit anywhere with a `kind:` key)")
            seen[norm] = kind
    if "schemas" in table:
        kw["schemas"] = _by_kind(path, "schemas", table["schemas"], str)
        for kind, rel in kw["schemas"].items():
            _inside(root, path, f"schemas.{kind.value}", rel)
    if "sections" in table:
        raw = _by_kind(path, "sections", table["sections"], list)
        kw["sections"] = {**s.sections, **{k: _sections(path, v) for k, v in raw.items()}}
    if "metrics" in table:
        kw["metrics"] = _typed(path, "metrics", table["metrics"], dict)
    for key in ("min_product_defined_share", "regression_tolerance"):
        if key in table:
            kw[key] = float(_typed(path, key, table[key], (int, float)))
            if not 0 <= kw[key] <= 1:
                raise UsageError(f"{path}: '{key}' must be between 0 and 1 (a fraction: 0.5 is half)")
    if "max_file_size" in table:
        kw["max_file_size"] = _typed(path, "max_file_size", table["max_file_size"], int)
        if not 0 < kw["max_file_size"] <= MAX_FILE_SIZE_CAP:
            raise UsageError(f"{path}: 'max_file_size' must be a number of bytes from 1 to "
                             f"{MAX_FILE_SIZE_CAP} (a record is text; a data set belongs "
                             "elsewhere)")  # fmt: skip
    if "exclude" in table:
        raw_exclude = _typed(path, "exclude", table["exclude"], list)
        if not all(isinstance(p, str) for p in raw_exclude):
            raise UsageError(f"{path}: 'exclude' must be a list of path patterns (strings), "
                             'e.g. exclude = ["docs/decisions/_archive/*"]')  # fmt: skip
        kw["exclude"] = tuple(raw_exclude)
    if "review_period_days" in table:
        kw["review_period_days"] = _typed(path, "review_period_days", table["review_period_days"], int)
        if not 0 < kw["review_period_days"] <= 36_600:
            raise UsageError(f"{path}: 'review_period_days' must be a number of days from 1 to "
                             "36600 (a production model card is reviewed at least this often)")
    if "templates" in table:
        kw["templates"] = _typed(path, "templates", table["templates"], str)
        _inside(root, path, "templates", kw["templates"])
    if "max_production_sample_age_days" in table:
        key = "max_production_sample_age_days"
        kw[key] = _typed(path, key, table[key], int)
        if kw[key] < 1:
            raise UsageError(f"{path}: '{key}' must be a whole number of days, at least 1")
    if "today" in table:
        kw["today"] = _day(path, table["today"])
    if "statuses" in table:
        kw["statuses"] = _statuses(path, _by_kind(path, "statuses", table["statuses"], dict))
    return replace(s, **kw)


def _day(path: Path, value: object) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        return clock.parse_day(value, f"{path}: 'today'")
    raise UsageError(f"{path}: 'today' must be a date, e.g. today = 2026-06-15")


#: The largest `max_file_size` accepted: 64 MiB.
MAX_FILE_SIZE_CAP = 64 * 1024 * 1024


def _inside(root: Path, path: Path, key: str, folder: str) -> None:
    """Record folders and schema files live inside the repository, never above or beside it."""
    target = (root / folder).resolve()
    if Path(folder).is_absolute() or not target.is_relative_to(root.resolve()):
        raise UsageError(f"{path}: '{key}' = {folder!r} is outside the repository: use a path relative to {root}")


def _typed(path: Path, key: str, value: Any, types: Any) -> Any:
    if isinstance(value, bool) and types in (int, (int, float)):
        raise UsageError(f"{path}: '{key}' must be a number")
    if not isinstance(value, types):
        raise UsageError(f"{path}: '{key}' has the wrong type ({type(value).__name__})")
    return value


def _codes(path: Path, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{path}: '{key}' must be a list of rule codes or prefixes")
    return tuple(v.strip().upper() for v in value)


def _statuses(path: Path, raw: dict[Kind, Any]) -> dict[Kind, dict[str, str]]:
    from tracecard.model.lifecycles import TRANSITIONS

    out: dict[Kind, dict[str, str]] = {}
    for kind, table in raw.items():
        states = TRANSITIONS[kind]
        for word, state in table.items():
            where = f"{path}: 'statuses.{kind.value}.{word}'"
            if not isinstance(state, str) or state not in states:
                raise UsageError(f"{where} must name a status of the {kind.label} lifecycle "
                                 f"({', '.join(states)})")
            if word.strip().lower() in states:
                raise UsageError(f"{where}: {word!r} is a status of its own already")
            out.setdefault(kind, {})[word.strip().lower()] = state
    return out


def _by_kind(path: Path, key: str, value: Any, item_type: type) -> dict[Kind, Any]:
    from tracecard.model.records import KIND_NAMES

    if not isinstance(value, dict):
        raise UsageError(f"{path}: '{key}' must be a table keyed by kind")
    out: dict[Kind, Any] = {}
    for name, item in value.items():
        kind = KIND_NAMES.get(name.replace("-", "_")) or KIND_NAMES.get(name)
        if kind is None:
            raise UsageError(f"{path}: '{key}.{name}': unknown kind (decision, requirement, model_card, dataset, model_review)")
        if not isinstance(item, item_type):
            raise UsageError(f"{path}: '{key}.{name}' has the wrong type ({type(item).__name__})")
        out[kind] = item
    return out


def _sections(path: Path, value: list[Any]) -> tuple[tuple[str, ...], ...]:
    out = []
    for entry in value:
        if isinstance(entry, str):
            out.append((entry,))
        elif isinstance(entry, list) and entry and all(isinstance(e, str) for e in entry):
            out.append(tuple(entry))
        else:
            raise UsageError(f"{path}: 'sections' entries are names or lists of accepted names")
    return tuple(out)


_VOCAB_CACHE: list[tuple[object, Vocabulary]] = []


def vocabulary(settings: Settings) -> Vocabulary:
    """The run's metric vocabulary; a bad `[metrics]` entry is a configuration error (exit 2).

    Cached on the identity of the settings' metrics table, so every rule of one run (and the
    `card check` command) shares one vocabulary.
    """
    table = settings.metrics
    if _VOCAB_CACHE and _VOCAB_CACHE[0][0] is table:
        return _VOCAB_CACHE[0][1]
    try:
        vocab = Vocabulary.from_config(table or None)
    except ValueError as exc:
        where = settings.config_file or "configuration"
        raise UsageError(f"{where}: {exc}") from exc
    _VOCAB_CACHE[:] = [(table, vocab)]
    return vocab
