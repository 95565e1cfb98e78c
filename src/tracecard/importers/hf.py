"""Hugging Face model cards: `tracecard import hf` and `tracecard card export-hf`.

Import adds what tracecard needs and keeps every Hugging Face key as written: an `id` when the
file name does not give one, `status: draft` when there is none, and `results` read from
`model-index` (one result per metric: the metric's type in tracecard's vocabulary, the dataset
as a DS- sheet, the split, the value, and `ci` from a value written `0.91 ± 0.02`). Export puts
`results` back into `model-index`: every metric whose result is unchanged keeps the value as it
was written, so import then export gives back the original `model-index`.
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

import yaml

from tracecard.edit.new import slugify
from tracecard.errors import UsageError
from tracecard.importers.core import (
    Front,
    Note,
    Planned,
    Source,
    collect,
    dump,
    expand,
    finish,
    folder_hint,
    front_of,
    read,
    render_or_note,
    repository,
)
from tracecard.load.config import Settings, vocabulary
from tracecard.load.parse import plain
from tracecard.model.lifecycles import INITIAL, TRANSITIONS
from tracecard.model.metrics import Vocabulary
from tracecard.model.records import ID_SCHEMES, Kind

_CARD = ID_SCHEMES[Kind.MODEL_CARD]
#: Keys only a Hugging Face dataset card has.
_DATASET_CARD_KEYS = frozenset({"task_categories", "size_categories", "annotations_creators",
                                "source_datasets", "dataset_info", "language_creators",
                                "multilinguality", "configs"})  # fmt: skip
_PLUS_MINUS = re.compile(r"\s*(?P<v>[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|[-+]?\.\d+)\s*"
                         r"(?P<pct>%?)\s*(?:(?:±|\+/-|\+-)\s*(?P<h>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+)\s*%?)?\s*\Z")  # fmt: skip


@dataclass(frozen=True)
class Mapped:
    """One metric of a `model-index`, as a tracecard result, and where it came from."""

    where: tuple[int, int, int]  # entry, result, metric
    result: dict[str, Any]


def parse_value(raw: object) -> tuple[Decimal, Decimal | None, bool] | None:
    """A metric value: a number, or text such as `0.91 ± 0.02`, `286.26 +/- 16.68`, `93.5%`:
    (value, half-width or None, written as a percentage)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        if isinstance(raw, float) and not math.isfinite(raw):
            return None
        try:
            return Decimal(repr(float(raw))) if isinstance(raw, float) else Decimal(raw), None, False
        except InvalidOperation:
            return None
    if not isinstance(raw, str) or len(raw) > 100:
        return None  # a number with its interval is short; long text is never one
    m = _PLUS_MINUS.match(" ".join(raw.split()))
    if not m:
        return None
    half = Decimal(m.group("h")) if m.group("h") else None
    return Decimal(m.group("v")), half, bool(m.group("pct"))


def _num(d: Decimal) -> float | int:
    f = float(d)
    return int(f) if d == d.to_integral_value() and "." not in str(d) and "E" not in str(d).upper() else f


def map_model_index(mi: object, vocab: Vocabulary, datasets: dict[str, str],
                    path: Path, notes: list[Note]) -> list[Mapped]:  # fmt: skip
    """The results a `model-index` holds; what cannot be mapped is reported and left in it."""
    out: list[Mapped] = []
    if mi is None:
        return out
    if not isinstance(mi, list):
        notes.append(Note(path, 0, "model-index is not a list: kept as written, no results read"))
        return out
    for e, entry in enumerate(mi):
        results = entry.get("results") if isinstance(entry, dict) else None
        if not isinstance(results, list):
            notes.append(Note(path, 0, f"model-index[{e}] has no results list: kept as written"))
            continue
        for r, res in enumerate(results):
            for m, got in _mapped_metrics(res, vocab, datasets, path, notes, f"model-index[{e}].results[{r}]"):
                out.append(Mapped((e, r, m), got))
    return out


def _mapped_metrics(res: object, vocab: Vocabulary, datasets: dict[str, str], path: Path,
                    notes: list[Note], where: str) -> Iterator[tuple[int, dict[str, Any]]]:  # fmt: skip
    ds = res.get("dataset") if isinstance(res, dict) else None
    metrics = res.get("metrics") if isinstance(res, dict) else None
    hf_name = _dataset_name(ds)
    if hf_name is None or not isinstance(metrics, list):
        notes.append(Note(path, 0, f"{where}: no dataset type or no metrics list: kept in "
                                   "model-index, no result read"))  # fmt: skip
        return
    assert isinstance(ds, dict)
    for m, metric in enumerate(metrics):
        mtype = metric.get("type") if isinstance(metric, dict) else None
        parsed = parse_value(metric.get("value")) if isinstance(metric, dict) else None
        if not isinstance(mtype, str) or not mtype.strip() or parsed is None:
            value = metric.get("value") if isinstance(metric, dict) else None
            notes.append(Note(path, 0, f"{where}.metrics[{m}]: type {mtype!r}, value {value!r}: "
                                       "no metric type or no number; kept in model-index, no "
                                       "result read"))  # fmt: skip
            continue
        known = vocab.lookup(mtype)
        name = known.name if known is not None else mtype.strip()
        value, half, pct = parsed
        if known is not None and known.high == 1 and (pct or 1 < value <= 100):
            value, half = value / 100, (half / 100 if half is not None else None)
            notes.append(Note(path, 0, f"{where}.metrics[{m}]: {name} {metric.get('value')!r} "
                                       "read as a percentage: result value on the 0..1 scale"))  # fmt: skip
        # at export, a dataset named by --dataset-map at import is not known: None
        result: dict[str, Any] = {"metric": name, "value": _num(value), "dataset": datasets.get(hf_name)}
        if isinstance(ds.get("split"), str) and ds["split"].strip():
            result["split"] = ds["split"]
        if half is not None:
            low, high = value - half, value + half
            lo_bound = Decimal(repr(known.low)) if known is not None and known.low is not None else None
            hi_bound = Decimal(repr(known.high)) if known is not None and known.high is not None else None
            in_range = (lo_bound is None or value >= lo_bound) and (hi_bound is None or value <= hi_bound)
            # a value outside the metric's range keeps its interval as written (check reports
            # the value): cut, the interval would no longer hold its own value
            if in_range and ((lo_bound is not None and low < lo_bound) or (hi_bound is not None and high > hi_bound)):
                low = max(low, lo_bound) if lo_bound is not None else low
                high = min(high, hi_bound) if hi_bound is not None else high
                notes.append(Note(path, 0, f"{where}.metrics[{m}]: {metric.get('value')!r}: the "
                                           f"interval cut to the range of {name}"))  # fmt: skip
            result["ci"] = [_num(low), _num(high)]
        yield m, result


def _dataset_name(ds: object) -> str | None:
    if not isinstance(ds, dict):
        return None
    for key in ("type", "name"):
        v = ds.get(key)
        if isinstance(v, str) and v.strip():
            return v.strip()
    return None


def _dataset_names(mi: object) -> list[str]:
    names: list[str] = []
    for entry in mi if isinstance(mi, list) else []:
        results = entry.get("results") if isinstance(entry, dict) else None
        for res in results if isinstance(results, list) else []:
            name = _dataset_name(res.get("dataset") if isinstance(res, dict) else None)
            if name and name not in names:
                names.append(name)
    return names


# -- import ----------------------------------------------------------------------------------


def parse_map(pairs: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        name, eq, rid = pair.partition("=")
        if not eq or not name.strip() or not _CARD_DS.match(rid.strip()):
            raise UsageError(f"--dataset-map {pair!r}: write HFNAME=DS-ID (imdb=DS-imdb-reviews)")
        out[name.strip()] = rid.strip()
    return out


_CARD_DS = ID_SCHEMES[Kind.DATASET].pattern


def import_cards(paths: Sequence[str], to: str | None, dry_run: bool, dataset_map: Sequence[str],
                 out: IO[str]) -> int:  # fmt: skip
    given = parse_map(dataset_map)
    settings, to_dir = repository(paths, to)
    vocab = vocabulary(settings)
    notes: list[Note] = []
    rendered: list[tuple[Source, bytes]] = []
    datasets: dict[str, str] = {**_known_sheets(settings), **given}
    new_sheets: dict[str, str] = {}
    dests: list[Path] = []
    files = expand(paths, keep_readme=True)
    slugs = _slugs(files)
    for path in files:
        slug = slugs[path]
        dest = to_dir / f"{slug}.md" if to_dir is not None else path
        src = read(path, dest, notes)
        if src is None:
            continue
        front = front_of(src, notes)
        if front is None:
            if dest != path:
                rendered.append((src, src.raw))
            continue
        data = front.doc.data if front.doc is not None else {}
        if _DATASET_CARD_KEYS & set(data) and "model-index" not in data:
            notes.append(Note(path, 0, "a Hugging Face dataset card, not a model card: not imported"))
            continue
        for name in _dataset_names(data.get("model-index")):
            if name not in datasets:
                datasets[name] = f"DS-{slugify(name) or 'dataset'}"
                new_sheets[datasets[name]] = name
        _fill_card(src, front, slug, vocab, datasets, notes)
        data_out = render_or_note(Planned(src, Kind.MODEL_CARD, None, front), notes)
        if data_out is not None:
            dests.append(dest)
            rendered.append((src, data_out))
    rendered += _sheets(settings, new_sheets, notes)
    folder_hint(settings, Kind.MODEL_CARD, dests, notes)
    return finish(settings.root, collect(rendered, notes), notes, dry_run, out)


def _slugs(files: list[Path]) -> dict[Path, str]:
    """The name each card gets (`org/bert/README.md`: `bert`). Names two files would share
    take the folders above too, below the folder they have in common (`org1-bert`,
    `org2-bert`); a name still shared is numbered after its first file (`bert`, `bert-2`):
    one file, one card, the same name on every import."""
    common = Path(os.path.commonpath([f.resolve().parent for f in files])) if files else Path()

    def base(path: Path, depth: int) -> str:
        rel = path.resolve().relative_to(common)
        parts = list(rel.parent.parts) if path.stem.lower() == "readme" else [*rel.parent.parts, path.stem]
        if not parts:  # a README.md in the common folder itself
            parts = [common.name]
        return slugify("-".join(parts[-depth:])) or "model"

    out = {f: base(f, 1) for f in files}
    for depth in (2, 3, 4):
        counts = Counter(out.values())
        out = {f: base(f, depth) if counts[s] > 1 else s for f, s in out.items()}
    seen = Counter[str]()
    for f in files:
        seen[out[f]] += 1
        if seen[out[f]] > 1:
            out[f] = f"{out[f]}-{seen[out[f]]}"
    return out


def _known_sheets(settings: Settings) -> dict[str, str]:
    """Hugging Face name -> DS- ID of the sheets already in the datasets folder that say which
    Hugging Face dataset they stand for (`hf_dataset`), so that a second import reuses them."""
    from tracecard.load.parse import decode, parse_text

    out: dict[str, str] = {}
    folder = settings.root / settings.folders[Kind.DATASET]
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        try:
            text, _ = decode(path.read_bytes())
        except OSError:
            continue
        data = parse_text(text).data if text is not None else None
        name = (data or {}).get("hf_dataset")
        if isinstance(name, str) and name.strip():
            rid = (data or {}).get("id")
            out.setdefault(name.strip(), rid.strip() if isinstance(rid, str) and rid.strip()
                           else f"DS-{path.stem}")  # fmt: skip
    return out


def _fill_card(src: Source, front: Front, slug: str, vocab: Vocabulary, datasets: dict[str, str],
               notes: list[Note]) -> None:  # fmt: skip
    implied = _CARD.from_filename(src.dest.stem)
    wanted = f"{_CARD.prefix}-{slug}"
    rid = front.get("id")
    if front.has("id") and not (isinstance(rid, str) and rid.strip()):
        notes.append(Note(src.path, src.parsed.pos(("id",))[0], f"id {rid!r} is no card ID: left "
                                                                "as it is"))  # fmt: skip
    elif not front.has("id") and implied != wanted:
        front.set("id", wanted)
        if src.dest.name.lower() == "readme.md":
            notes.append(Note(src.path, 0, "README.md is not read as a record: import with "
                                           "--to FOLDER to write it as a card file"))  # fmt: skip
        elif not _CARD.pattern.match(implied or ""):
            notes.append(Note(src.path, 0, f"the file name gives no valid card ID: id {wanted}; "
                                           f"rename it {slug}.md (or import with --to)"))  # fmt: skip
    status = front.get("status")
    if status is None:
        front.set("status", INITIAL[Kind.MODEL_CARD])
    elif not (isinstance(status, str) and status.strip().lower() in TRANSITIONS[Kind.MODEL_CARD]):
        notes.append(Note(src.path, src.parsed.pos(("status",))[0],
                          f"status {status!r} is no model card status: left as it is"))  # fmt: skip
    if front.has("results"):
        return
    mapped = map_model_index(front.get("model-index"), vocab, datasets, src.path, notes)
    if mapped:
        front.new["results"] = [m.result for m in mapped]


def _sheets(settings: Settings, sheets: dict[str, str], notes: list[Note]) -> list[tuple[Source, bytes]]:
    """A dataset sheet for each Hugging Face dataset without one (and without a mapping)."""
    from tracecard.load.parse import parse_text

    out: list[tuple[Source, bytes]] = []
    folder = settings.root / settings.folders[Kind.DATASET]
    for rid, hf_name in sorted(sheets.items()):
        path = folder / f"{rid[3:]}.md"
        if path.exists():
            continue  # the sheet is there: the results name it
        front = {"id": rid, "title": hf_name, "status": INITIAL[Kind.DATASET], "hf_dataset": hf_name}
        text = (f"---\n{dump(front, chr(10))}---\n# {hf_name}\n\nThe Hugging Face dataset "
                f"`{hf_name}`, as the model cards' `model-index` names it. Written by "
                "`tracecard import hf`: say what it holds, how it was labelled and its splits.\n")  # fmt: skip
        out.append((Source(path, path, b"", text, parse_text(text), None), text.encode()))
        notes.append(Note(path, 0, f"dataset sheet {rid} for the Hugging Face dataset {hf_name!r}"))
    return out


# -- export ----------------------------------------------------------------------------------


def export_model_index(data: dict[str, Any], vocab: Vocabulary, datasets: dict[str, str]) -> object:
    """The `model-index` of a card from its `results`: the kept one with every changed value
    written anew, and the results it does not hold appended."""
    kept = data.get("model-index")
    results = [r for r in data.get("results") or [] if isinstance(r, dict)]
    mi = plain(kept) if isinstance(kept, list) else []
    mapped = map_model_index(kept, vocab, datasets, Path(), [])
    used: set[int] = set()
    for m in mapped:
        i = next((i for i, r in enumerate(results) if i not in used and _same_place(r, m.result)), None)
        if i is None:
            continue
        used.add(i)
        if _same_value(results[i], m.result):
            continue
        e, r, k = m.where
        mi[e]["results"][r]["metrics"][k]["value"] = _value_out(results[i])
    extra = [r for i, r in enumerate(results) if i not in used]
    if extra:
        _append_results(mi, data, extra, {v: k for k, v in datasets.items()})
    return mi if mi or kept is not None else None


def _append_results(mi: list[Any], data: dict[str, Any], extra: list[dict[str, Any]],
                    back: dict[str, str]) -> None:  # fmt: skip
    """Results `model-index` does not hold yet, under the model's own entry (the one named as
    the card's `model`, else the first; a new entry named after the model when there is none):
    a metric joins the result block of its dataset and split, or a new block of the model's
    task."""
    model = data.get("model")
    entries = [e for e in mi if isinstance(e, dict) and isinstance(e.get("results"), list)]
    entry = next((e for e in entries if model and e.get("name") == model), entries[0] if entries else None)
    if entry is None:
        rid = data.get("id")
        name = model or (rid.removeprefix("MC-") if isinstance(rid, str) and rid.strip() else None)
        entry = {"name": str(name or "model"), "results": []}
        mi.append(entry)
    blocks = [b for b in entry["results"] if isinstance(b, dict)]
    task = next((b["task"] for b in blocks if isinstance(b.get("task"), dict)), None)
    for r in extra:
        ds_name = back.get(str(r.get("dataset")), str(r.get("dataset")))
        metric = {"type": str(r.get("metric")), "value": _value_out(r)}
        block = next((b for b in blocks if isinstance(b.get("dataset"), dict)
                      and _dataset_name(b["dataset"]) == ds_name
                      and b["dataset"].get("split") == r.get("split")
                      and isinstance(b.get("metrics"), list)), None)  # fmt: skip
        if block is not None:
            block["metrics"].append(metric)
            continue
        block = {"task": dict(task) if task else {"type": str(data.get("pipeline_tag") or "other")},
                 "dataset": {"type": ds_name, "name": ds_name,
                             **({"split": r["split"]} if "split" in r else {})},
                 "metrics": [metric]}  # fmt: skip
        entry["results"].append(block)
        blocks.append(block)


def _same_place(a: dict[str, Any], b: dict[str, Any]) -> bool:
    keys = ("metric", "split") if b.get("dataset") is None else ("metric", "dataset", "split")
    return all(a.get(k) == b.get(k) for k in keys)


def _same_value(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a.get("value") == b.get("value") and a.get("ci") == b.get("ci")


def _value_out(r: dict[str, Any]) -> object:
    value, ci = r.get("value"), r.get("ci")
    if isinstance(ci, list) and len(ci) == 2 and all(isinstance(c, int | float) for c in ci):
        half = (Decimal(repr(ci[1])) - Decimal(repr(ci[0]))) / 2
        return f"{value} ± {_num(half)}"
    return value


def card_datasets(graph_records: Sequence[Any]) -> dict[str, str]:
    """Hugging Face dataset name -> DS- ID, from the sheets `import hf` wrote (`hf_dataset`)."""
    out: dict[str, str] = {}
    for rec in graph_records:
        name = rec.data.get("hf_dataset")
        if rec.kind is Kind.DATASET and rec.id and isinstance(name, str):
            out[name] = rec.id
    return out


def replace_model_index(text: str, data: dict[str, Any], new: object) -> str:
    """The card's text with its `model-index` replaced by `new` (unchanged text when equal)."""
    from tracecard.load.parse import parse_text

    if data.get("model-index") == new:
        return text
    parsed = parse_text(text)
    pieces = text.split("\n")
    nl = "\r\n" if pieces and pieces[0].endswith("\r") else "\n"
    block = dump({"model-index": new}, nl)
    fm = "\n".join(pieces[1: parsed.fm_end - 1]) + "\n"
    node = yaml.compose(fm.replace("\r", ""), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    span = None
    if isinstance(node, yaml.MappingNode):
        for i, (k, _v) in enumerate(node.value):
            if isinstance(k, yaml.ScalarNode) and k.value == "model-index":
                nxt = node.value[i + 1][0].start_mark.line if i + 1 < len(node.value) else parsed.fm_end - 2
                span = (k.start_mark.line + 1, nxt + 1)  # 0-based lines of the whole text
    if span is None:  # no model-index yet: before the closing fence
        span = (parsed.fm_end - 1, parsed.fm_end - 1)
    head, tail = pieces[: span[0]], pieces[span[1]:]
    out = "\n".join(head) + ("\n" if head else "") + block + "\n".join(tail)
    check = parse_text(out).data
    if check is None or plain(check) != plain({**data, "model-index": new}):
        raise UsageError("the card's front matter is written in a way tracecard cannot rewrite "
                         "safely (line breaks, anchors): model-index not written")  # fmt: skip
    return out


def export_card(ident: str, output: str | None, out: IO[str]) -> int:
    """`tracecard card export-hf ID`: the card with `model-index` written from `results`, on
    stdout or into `--output FILE` (through the transaction, like every write)."""
    from tracecard.edit import transaction
    from tracecard.edit.lifecycle import Workspace
    from tracecard.load.parse import decode, parse_text

    ws = Workspace.open()
    given = Path(ident)
    if ident.endswith(".md") and given.is_file() and given.name.lower() == "readme.md":
        path, name = given, ident  # a card left in place as a README.md: not a record file
    else:
        rec = ws.find(Kind.MODEL_CARD, ident)
        path, name = ws.path_of(rec), rec.path
    raw = path.read_bytes()
    text, _ = decode(raw)
    parsed = parse_text(text) if text is not None else None
    if text is None or parsed is None or parsed.data is None:
        raise UsageError(f"{name}: no front matter tracecard can read; nothing exported")
    vocab = vocabulary(ws.settings)
    new = export_model_index(parsed.data, vocab, card_datasets(ws.graph.records))
    result = replace_model_index(text, parsed.data, new)
    data = (b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b"") + result.encode("utf-8")
    if output is None:
        out.write(result)
        return 0
    target = Path(output)
    before = target.read_bytes() if target.is_file() else None
    if before != data:
        if not target.parent.is_dir():
            transaction.inside(ws.settings.root, target.parent)
            target.parent.mkdir(parents=True, exist_ok=True)
        transaction.apply(ws.settings.root, [transaction.Write(target, data, before)])
    from tracecard.report.text import say

    say(f"{name}: model-index written to {output}", out)
    return 0
