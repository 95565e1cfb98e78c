"""The dashboard's pages: Jinja2 templates with autoescape on, record bodies through
markdown-it-py with raw HTML disabled.

Why these two: Jinja2 escapes every value by default (a title holding `<script>` is text
unless a template says otherwise, and ours never does for record content), and it compiles
each template once, which matters for ten thousand pages. markdown-it-py is a CommonMark
parser in pure Python whose `html` option turns raw HTML into text, and whose link
validation and renderer rules we can narrow: links go only to http, https and mailto URLs or
to other records' pages, and images are never loaded (a picture from the web would be a
network request). Every page also carries a Content-Security-Policy that allows no script
and no request at all, so even a mistake here could not run code or call out.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from tracecard.dashboard import svg
from tracecard.dashboard.build import (
    SEVERITIES,
    CardView,
    FailureType,
    FeatureView,
    GateCell,
    Series,
    Site,
    page_name,
    severity_rank,
)
from tracecard.model.records import Kind, Record, id_list

if TYPE_CHECKING:  # pragma: no cover
    import jinja2
    from markdown_it import MarkdownIt

#: What marks a folder as a dashboard this command wrote (and may write over).
MARKER = ".tracecard-dashboard"
RECORDS = "records"
NAV = (
    ("index.html", "Overview", "index"),
    ("failures.html", "Failure types", "failures"),
    ("data.html", "Data readiness", "data"),
    ("decisions.html", "Decision log", "decisions"),
    ("records.html", "All records", "records"),
)
_HELP = {
    "pass": "PASS: meets the target, or the launch bar when there is no target",
    "below": "BELOW TARGET: meets the launch bar, misses the target",
    "fail": "FAIL: misses the launch bar",
    "missing": "MISSING: no result to judge (or a value that is not a number)",
}
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_SAFE_SCHEMES = frozenset({"http", "https", "mailto"})


# --- Markdown ----------------------------------------------------------------------------


def safe_link(url: str) -> bool:
    """Whether markdown-it may make a link of `url`: web and mail addresses, fragments and
    relative paths (rewritten later); never javascript:, data:, file: or any other scheme."""
    found = _SCHEME.match(url.strip())
    return found is None or found.group(1).lower() in _SAFE_SCHEMES


def markdown(paths: Mapping[str, str]) -> MarkdownIt:
    """A renderer for record bodies. `paths` maps a record's file to its ID, so that a link to
    `../decisions/0003-x.md` goes to that record's page."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    md.validateLink = safe_link  # type: ignore[method-assign]

    def link_open(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        href = _rewrite(str(token.attrGet("href") or ""), env["path"], paths)
        if href is None:
            token.attrs.pop("href", None)
            token.attrSet("class", "dead")
            token.attrSet("title", "a file outside the dashboard")
        else:
            token.attrSet("href", href)
            if _SCHEME.match(href):
                token.attrSet("rel", "noopener noreferrer")
        return str(self.renderToken(tokens, idx, options, env))

    def image(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        from html import escape

        alt = self.renderInlineAsText(tokens[idx].children or [], options, env)
        return f'<span class="muted">[image: {escape(alt or "no description")}]</span>'

    md.add_render_rule("link_open", link_open)
    md.add_render_rule("image", image)
    return md


def _rewrite(href: str, source: str, paths: Mapping[str, str]) -> str | None:
    """A body link's target on the site: kept for web and mail addresses and fragments, a
    record's page for a relative link to its file, None (no link) for anything else."""
    if href.startswith("#") or _SCHEME.match(href):
        return href if safe_link(href) else None
    target, _, fragment = href.partition("#")
    target = target.partition("?")[0]
    if not target:
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(source), unquote(target)))
    rid = paths.get(joined)
    if rid is None:
        return None
    return page_name(rid) + (f"#{fragment}" if fragment else "")


def render_body(md: MarkdownIt, text: str, path: str) -> str:
    """A record's body as HTML, its headings one level down: the page's own title is the h1."""
    env = {"path": path}
    tokens = md.parse(text, env)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
    return str(md.renderer.render(tokens, md.options, env))


def body_text(record: Record) -> str:
    return "\n".join(line.rstrip("\r\n") for line in record.parsed.body_lines)


# --- the template environment ------------------------------------------------------------


def environment() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("tracecard.dashboard", "templates"),
        autoescape=True,
        finalize=visible_controls,
        undefined=jinja2.ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


#: Characters that reorder the text around them (bidi embeddings, overrides, isolates) or are
#: invisible: a title must not turn `gnp.exe` into `exe.png` or spill into what follows it.
_CONTROLS = {c: f"[U+{c:04X}]" for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x061C)}


def visible_controls(value: object) -> object:
    """Every value a template writes, with those characters shown as `[U+202E]` (Jinja's
    finalize: record text, rendered bodies and the front matter alike)."""
    from markupsafe import Markup

    if isinstance(value, Markup):
        return Markup(str.translate(value, _CONTROLS))
    if isinstance(value, str):
        return value.translate(_CONTROLS)
    return value


def fields_html(value: object, ids: set[str]) -> str:
    """A record's front matter for people: mappings as definition lists, lists of mappings as
    tables, IDs as links to their pages (from a record page), everything else as escaped text.
    Plain Python rather than a recursive template macro: ten times faster on 10,000 pages."""
    from markupsafe import escape

    if isinstance(value, Mapping):
        items = "".join(f"<dt>{escape(str(k))}</dt><dd>{fields_html(v, ids)}</dd>"
                        for k, v in value.items())  # fmt: skip
        return f'<dl class="fields">{items}</dl>'
    if isinstance(value, str):
        if value in ids:
            return f'<a href="{escape(page_name(value))}">{escape(value)}</a>'
        return str(escape(value))
    if isinstance(value, list):
        if _table_like(value):
            cols = _columns(value)
            head = "".join(f"<th>{escape(c)}</th>" for c in cols)
            rows = "".join("<tr>" + "".join(f"<td>{fields_html(row.get(c, ''), ids)}</td>" for c in cols)
                           + "</tr>" for row in value)  # fmt: skip
            return f'<div class="wrap"><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>'
        return ", ".join(fields_html(v, ids) for v in value)
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(escape(str(value)))


#: The fields a record's page shows open, as tables, under a heading in plain words (the rest
#: of the front matter is behind "Every field").
OPEN_PARTS: dict[Kind, tuple[tuple[str, str], ...]] = {
    Kind.MODEL_REVIEW: (("participants", "Who took part"),
                        ("examples", "The wrong outputs looked at"),
                        ("actions", "What was decided")),
    Kind.REQUIREMENT: (("criteria", "The bars: launch minimum and target"),
                       ("constraints", "Limits in operation")),
    Kind.DATASET: (("labeling", "Labeling"), ("composition", "What it holds"),
                   ("edge_cases", "Edge cases")),
}  # fmt: skip


def _simple(value: object) -> bool:
    """A field shown among the key facts: a short value or a short list of them."""
    if isinstance(value, list):
        return all(not isinstance(v, (list, Mapping)) for v in value) and len(str(value)) < 200
    return not isinstance(value, Mapping) and len(str(value)) < 200


def _table_like(value: object) -> bool:
    return (isinstance(value, list) and bool(value)
            and all(isinstance(v, Mapping) for v in value))  # fmt: skip


def _columns(items: Sequence[Mapping[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        for key in item:
            seen.setdefault(str(key), None)
    return list(seen)


def status_class(status: object) -> str:
    return f"s-{status}" if status in ("production", "candidate", "draft", "retired") else "s-other"


def pct(share: float) -> str:
    return f"{share * 100:.0f}%"


class Pages:
    """Renders every page of a site into a folder."""

    def __init__(self, site: Site, name: str) -> None:
        from markupsafe import Markup

        self.site, self.markup = site, Markup
        self._envs: dict[str, jinja2.Environment] = {}
        graph = site.graph
        self.ids = set(graph.by_id)
        self.features = {id(f.record): f for f in site.features}
        self.md = markdown({r.path: r.id for r in graph.records if r.id is not None})
        self.css = Markup((Path(__file__).parent / "templates" / "style.css").read_text("utf-8"))
        self.common: dict[str, Any] = {
            "site_name": name, "nav": NAV, "css": self.css, "today": site.today.isoformat(),
            "severities": SEVERITIES, "status_class": status_class,
            "verdict_help": _HELP.get, "cell_of": _cell_of, "cell_for": _cell_for, "pct": pct, "num": svg.number,
            "anchor": _anchor, "lookup": graph.by_id.get, "history_note": site.history_note,
            "failure_chart": self._failure_chart, "trend_chart": self._trend_chart,
            "id_items": id_list, "cited_by": self._cited_by, "previous": previous,
            "headline": headline, "card_headline": card_headline, "worst_first": worst_first,
            "why_fails": why_fails,
            "min_share": graph.settings.min_product_defined_share,
        }  # fmt: skip

    # helpers the templates call

    def _href(self, base: str) -> Callable[[object], str | None]:
        ids = self.ids

        def href(rid: object) -> str | None:
            if isinstance(rid, str) and rid in ids:
                return f"{base}{page_name(rid)}"
            return None

        return href

    def _failure_chart(self, view: CardView) -> Any:
        bars = [(f.name, f.total, f.severity) for f in view.failures if f.total]
        return self.markup(svg.bar_chart(f"fail-{_anchor(view.id)}",
                                         f"Failure types found in reviews of {view.id}", bars))  # fmt: skip

    def _trend_chart(self, view: CardView, series: Series, n: int) -> Any:
        return self.markup(svg.line_chart(
            f"trend-{n}", f"{series.title}, {view.id}", [p.label for p in series.points],
            [p.value for p in series.points], series.launch, series.target,
            series.direction.value == "lower", series.launches, series.targets))  # fmt: skip

    def _cited_by(self, rid: str) -> list[str]:
        return sorted({src.id for src, _ in self.site.links_in.get(rid, ()) if src.id})

    # writing

    def write(self, dest: Path) -> int:
        """Every page into `dest` (which exists and is empty); the number of pages."""
        records = dest / RECORDS
        records.mkdir()
        count = 0
        top = self._top_pages()
        for name, (template, context) in top.items():
            self._page(dest / name, template, "", context)
            count += 1
        graph = self.site.graph
        chosen = [r for r in graph.records if r.id is not None and graph.by_id.get(r.id) is r]
        count += self._record_pages(records, chosen)
        (dest / MARKER).write_text("Written by tracecard dashboard; it may replace this folder.\n",
                                   encoding="utf-8")  # fmt: skip
        return count

    def _record_pages(self, folder: Path, chosen: list[Record]) -> int:
        for rec in chosen:
            self._page(folder / page_name(rec.id or ""), "record.html", "../", self._record(rec))
        return len(chosen)

    def _page(self, path: Path, template: str, base: str, context: dict[str, Any]) -> None:
        path.write_text(self._env(base).get_template(template).render(context), encoding="utf-8")

    def _env(self, base: str) -> jinja2.Environment:
        """The environment of the pages `base` away from the top (`""` or `"../"`): what the
        templates and their macros need is global there, so that the macros are compiled and
        run once rather than imported with each page's context."""
        env = self._envs.get(base)
        if env is None:
            env = self._envs[base] = environment()
            env.globals.update(self.common, base=base,
                               href=self._href(RECORDS + "/" if base == "" else ""))  # fmt: skip
        return env

    def _top_pages(self) -> dict[str, tuple[str, dict[str, Any]]]:
        site = self.site
        cards = list(site.cards.values())
        gated = [f for f in site.features if any(v.report.gated for v in f.cards)]
        rest = [f for f in site.features if f not in gated]
        counts = {
            "production": sum(1 for v in cards if v.record.status == "production"),
            "candidate": sum(1 for v in cards if v.record.status == "candidate"),
            "failing": sum(1 for v in cards if v.report.failed),
            "failure_types": len({f.name for v in cards for f in v.failures if f.total}),
            "reviews": sum(len(v.reviews) for v in cards),
        }
        by_kind = [(label, sorted((r for r in site.graph.of_kind(kind) if r.id),
                                  key=lambda r: r.id or "")) for kind, label in _KINDS]  # fmt: skip
        return {
            "index.html": ("index.html", {"current": "index", "features_shown": gated,
                                          "features_rest": rest, "counts": counts}),
            "failures.html": ("failures.html", {"current": "failures", "cards_with_failures":
                              [v for v in _by_status(cards) if v.failures]}),
            "data.html": ("data.html", {"current": "data", "datasets": site.datasets}),
            "decisions.html": ("decisions.html", {"current": "decisions",
                                                  "decisions": site.decisions}),
            "records.html": ("records.html", {"current": "records", "by_kind": by_kind}),
        }  # fmt: skip

    def _record(self, rec: Record) -> dict[str, Any]:
        site = self.site
        rid = rec.id or ""
        feature = self.features.get(id(rec))
        out = list(dict.fromkeys((link.field, link.target) for link in site.graph.links(rec)))
        shown = {k: v for k, v in rec.data.items() if k not in ("id", "title")}
        body = render_body(self.md, body_text(rec), rec.path)
        return {
            "current": "", "r": rec, "kind_label": rec.kind.label if rec.kind else "record",
            "card": site.cards.get(rid) if rec.kind is Kind.MODEL_CARD else None,
            "feature": feature, "links_out": out, "links_in": site.links_in.get(rid, []),
            "fields": self.markup(fields_html(shown, self.ids)),
            "facts": self.markup(fields_html({k: v for k, v in shown.items() if _simple(v)}, self.ids)),
            "parts": [(title, self.markup(fields_html(shown[k], self.ids)))
                      for k, title in (OPEN_PARTS.get(rec.kind, ()) if rec.kind else ())
                      if isinstance(shown.get(k), (list, Mapping)) and shown[k]],
            "body": self.markup(body),
        }  # fmt: skip


_KINDS = (
    (Kind.REQUIREMENT, "Requirements"), (Kind.MODEL_CARD, "Model cards"),
    (Kind.MODEL_REVIEW, "Model reviews"), (Kind.DATASET, "Datasets"),
    (Kind.DECISION, "Decisions"),
)  # fmt: skip


def _by_status(cards: Sequence[CardView]) -> list[CardView]:
    from tracecard.dashboard.build import STATUS_ORDER

    return sorted(cards, key=lambda v: (STATUS_ORDER.get(v.status, 9), v.id))


def _cell_of(view: CardView, feature: FeatureView, key: tuple[Any, ...]) -> GateCell | None:
    rid = feature.record.id
    return next((c for c in view.gate if c.requirement == rid and c.key == key), None)


def _cell_for(views: Sequence[CardView], feature: FeatureView, key: tuple[Any, ...]) -> GateCell | None:
    return next(_cells(views, feature, key), None)


def _cells(views: Sequence[CardView], feature: FeatureView, key: tuple[Any, ...]) -> Iterator[GateCell]:
    for view in views:
        cell = _cell_of(view, feature, key)
        if cell is not None:
            yield cell


def headline(feature: FeatureView) -> str:
    """One sentence a product manager reads first: what is in production, what is the
    candidate, and whether each passes the launch gate (as `card check` says)."""
    def said(v: CardView) -> str:
        version = v.record.data.get("version")
        name = (v.record.title or v.id) + (f" (version {version})" if version is not None else "")
        gate = "fails the launch gate" if v.fails else "passes the launch gate"
        return f"{name} {gate}"

    live = [said(v) for v in feature.cards if v.record.status == "production"]
    next_ = [said(v) for v in feature.cards if v.record.status == "candidate"]
    first = (f"In production: {'; '.join(live)}." if live else "No model in production yet.")
    second = (f" Candidate{'s' * (len(next_) > 1)}: {'; '.join(next_)}." if next_
              else " No candidate to replace it." if live else "")  # fmt: skip
    return first + second


def why_fails(view: CardView) -> str:
    """What makes a card fail the gate, in a few words: the codes of its errors with the rule
    names (`2 × GAT001 launch-value-missed, 3 × HIS004 result-regressed`), so that a FAIL with
    every row PASS still says why."""
    from collections import Counter

    from tracecard.rules.registry import RULES

    counts = Counter(f.code for f in view.report.findings if f.severity.value == "error")
    parts = [f"{n} × {code} {RULES[code].name if code in RULES else ''}".rstrip()
             for code, n in sorted(counts.items())]
    return "why: " + ", ".join(parts) if parts else ""


def worst_first(types: Iterable[FailureType]) -> list[FailureType]:
    """Failure types, the most severe first, then the most often found."""
    return sorted(types, key=lambda t: (severity_rank(t.severity), -t.total, t.name))


def card_headline(view: CardView) -> str:
    """`In production, version 3.2.0: passes the launch gate. Since 3.1.0: 8 results better,
    none worse.`"""
    version = view.record.data.get("version")
    gate = ("fails the launch gate" if view.fails and view.report.gated
            else "passes the launch gate" if view.report.gated
            else f"retired, no longer held to the launch gate (it would {'fail' if view.fails else 'pass'})"
            if view.status == "retired"
            else f"not held to the launch gate yet (it would {'fail' if view.fails else 'pass'})")  # fmt: skip
    text = f"{view.status.capitalize()}" + (f", version {version}" if version is not None else "")
    text += f": {gate}."
    better = worse = 0
    since = None
    for series in view.series:
        if len(series.points) < 2:
            continue
        before, now = series.points[-2], series.points[-1]
        since = before.label
        if before.value is None or now.value is None or before.value == now.value:
            continue
        if series.direction.better(now.value, before.value):
            better += 1
        else:
            worse += 1
    if since is not None:
        def n(k: int) -> str:
            return "none" if k == 0 else f"{k} result{'s' * (k != 1)}"

        text += f" Since {since}: {n(better)} better, {n(worse)} worse."
    return text


def previous(view: CardView, key: tuple[Any, ...]) -> str | None:
    """`was 0.927 in 3.1.0`: the result in the card's version before this one, if it had it."""
    constraint, metric, dataset, split, slc = key
    if constraint:
        return None
    for series in view.series:
        if series.key == (metric, dataset, split, slc) and len(series.points) > 1:
            before = series.points[-2]
            if before.value is not None:
                return f"was {before.text} in {before.label}"
    return None


def _anchor(rid: object) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", str(rid))


