"""Charts drawn at build time as inline SVG: readable without JavaScript, with a text
alternative (`<title>` and `<desc>`, named by `aria-labelledby`) on every chart.

Our own small writer rather than a plotting library: a dashboard of a large repository has
thousands of charts, and two shapes (a line across versions with two bars, horizontal bars)
are a few dozen lines of text each; matplotlib would take tens of milliseconds per chart
and pull a heavy dependency into the install. Every piece of text is escaped here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

WIDTH, HEIGHT = 560, 230
LEFT, RIGHT, TOP, BOTTOM = 60, 110, 18, 46
LAUNCH_COLOUR, TARGET_COLOUR, LINE_COLOUR = "#b42318", "#067647", "#1d4ed8"
SEVERITY_COLOURS = {"critical": "#7a0916", "high": "#c4320a", "medium": "#b54708",
                    "low": "#667085"}  # fmt: skip


def number(value: float) -> str:
    """A value for a label: up to four significant figures, no exponent for usual metrics."""
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    digits = max(0, 3 - int(math.floor(math.log10(abs(value)))))
    text = f"{value:.{min(digits, 8)}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _ticks(low: float, high: float, count: int = 4) -> list[float]:
    step = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(step))
    nice = min((m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= step),
               default=10 * magnitude)  # fmt: skip
    first = math.ceil(low / nice) * nice
    out = []
    value = first
    while value <= high + nice * 1e-9:
        out.append(round(value, 12))
        value += nice
    return out


def _bounds(values: Sequence[float]) -> tuple[float, float]:
    low, high = min(values), max(values)
    if high == low:
        pad = abs(high) * 0.1 or 0.1
    else:
        pad = (high - low) * 0.15
    low, high = low - pad, high + pad
    if min(values) >= 0 > low:
        low = 0.0
    return low, high


def line_chart(
    ident: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    launch: float | None,
    target: float | None,
    lower_is_better: bool,
    launches: Sequence[float | None] = (),
    targets: Sequence[float | None] = (),
) -> str:
    """One result across versions: a point per version (none where the version had no such
    result), the launch bar in red and the target bar in green, each labelled. With
    `launches`/`targets` (the bar each version was held to), a bar that moved is drawn as
    steps, each version at the bar of its day, and the description says when it moved."""
    launches = list(launches) if len(launches) == len(values) else [launch] * len(values)
    targets = list(targets) if len(targets) == len(values) else [target] * len(values)
    known = [v for v in values if v is not None]
    bars = [b for b in (launch, target, *launches, *targets) if b is not None]
    low, high = _bounds(known + bars or [0.0, 1.0])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(v: float) -> float:
        return TOP + plot_h * (1 - (v - low) / (high - low))

    n = len(labels)

    inset = 24  # the first and last points clear the axis labels and the bar labels

    def x(i: int) -> float:
        if n == 1:
            return LEFT + plot_w / 2
        return LEFT + inset + (plot_w - 2 * inset) * i / (n - 1)

    # as many version labels as fit under the axis without touching (about 6.5 px a letter)
    widest = max((len(_short(label)) for label in labels), default=1) * 6.5 + 8
    every = max(1, math.ceil(n / max(1, int((plot_w - 2 * inset) / widest) + 1)))

    desc = _describe(title, labels, values, launch, target, lower_is_better)
    for name, seq in (("launch", launches), ("target", targets)):
        moves = [f"{number(a) if a is not None else 'none'} to {number(b) if b is not None else 'none'} "
                 f"at {labels[i + 1]}" for i, (a, b) in enumerate(zip(seq, seq[1:])) if a != b]  # fmt: skip
        if moves:
            desc += f" The {name} bar moved: {'; '.join(moves)}."
    parts = [_open(ident, title, desc)]
    for tick in _ticks(low, high):
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" '
                     f'y2="{y(tick):.1f}"/><text class="tick" x="{LEFT - 6}" y="{y(tick) + 4:.1f}" '
                     f'text-anchor="end">{number(tick)}</text>')  # fmt: skip
    for name, bar, seq, colour in (("launch", launch, launches, LAUNCH_COLOUR),
                                   ("target", target, targets, TARGET_COLOUR)):  # fmt: skip
        held = [b for b in seq if b is not None]
        if len(set(seq)) > 1:  # the bar moved: steps, each version at the bar of its day
            parts.append(_steps(name, seq, colour, x, y, n))
        elif held:
            parts.append(f'<line class="bar-{name}" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
                         f'y1="{y(held[0]):.1f}" y2="{y(held[0]):.1f}" stroke="{colour}" '
                         f'stroke-dasharray="6 4" stroke-width="2"/>')  # fmt: skip
        last_bar = seq[-1] if seq else bar
        if last_bar is not None:
            now = f" (now {number(bar)})" if bar is not None and bar != last_bar else ""
            parts.append(f'<text x="{WIDTH - RIGHT + 6}" y="{y(last_bar) + 4:.1f}" fill="{colour}" '
                         f'class="bar-label">{name} {number(last_bar)}{now}</text>')  # fmt: skip
    path = [(x(i), y(v)) for i, v in enumerate(values) if v is not None]
    if len(path) > 1:
        pts = " ".join(f"{px:.1f},{py:.1f}" for px, py in path)
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{LINE_COLOUR}" stroke-width="2.5"/>')
    last = n - 1
    shown = [i for i, v in enumerate(values) if v is not None]
    ends = {shown[0], shown[-1]} if shown else set()
    for i, (label, v) in enumerate(zip(labels, values)):
        if (i % every == 0 and last - i >= every) or i == last:
            parts.append(f'<text class="xlabel" x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 18}" '
                         f'text-anchor="middle">{escape(_short(label))}</text>')  # fmt: skip
        if v is not None:
            parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="{4.5 if n <= 20 else 3}" '
                         f'fill="{LINE_COLOUR}"><title>{escape(label)}: {number(v)}</title></circle>')  # fmt: skip
            if n <= 10 or i in ends:
                parts.append(f'<text class="value" x="{x(i):.1f}" y="{y(v) - 9:.1f}" '
                             f'text-anchor="middle">{number(v)}</text>')  # fmt: skip
    parts.append(f'<text class="axis" x="{LEFT}" y="{HEIGHT - 8}">card version → '
                 f'({"lower" if lower_is_better else "higher"} is better)</text>')  # fmt: skip
    parts.append("</svg>")
    return "".join(parts)


def _steps(name: str, seq: Sequence[float | None], colour: str,
           x: Callable[[int], float], y: Callable[[float], float], n: int) -> str:
    """A bar that moved, as steps: each version's stretch (halfway to its neighbours) at the
    bar of its day; a gap where no bar was in force."""
    runs: list[list[tuple[float, float]]] = []
    prev: float | None = None
    for i, bar in enumerate(seq):
        if bar is None:
            prev = None
            continue
        left = LEFT if i == 0 else (x(i - 1) + x(i)) / 2
        right = WIDTH - RIGHT if i == n - 1 else (x(i) + x(i + 1)) / 2
        if prev is None:
            runs.append([])
        runs[-1] += [(left, y(bar)), (right, y(bar))]
        prev = bar
    return "".join(
        f'<polyline class="bar-{name} moved" points="{" ".join(f"{px:.1f},{py:.1f}" for px, py in run)}" '
        f'fill="none" stroke="{colour}" stroke-dasharray="6 4" stroke-width="2"/>'
        for run in runs
    )


def _describe(title: str, labels: Sequence[str], values: Sequence[float | None],
              launch: float | None, target: float | None, lower: bool) -> str:  # fmt: skip
    seen = [f"{label}: {number(v) if v is not None else 'no result'}"
            for label, v in zip(labels, values)]  # fmt: skip
    bars = [f"{name} {number(v)}" for name, v in (("launch", launch), ("target", target))
            if v is not None]  # fmt: skip
    text = f"{title} across {len(labels)} version{'s' * (len(labels) != 1)}: {'; '.join(seen)}."
    if bars:
        text += f" Bars: {', '.join(bars)}."
    return text + f" {'Lower' if lower else 'Higher'} is better."


def _short(label: str, limit: int = 14) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _open(ident: str, title: str, desc: str, width: int = WIDTH, height: int = HEIGHT) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" aria-labelledby="{ident}-t {ident}-d">'
            f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>')  # fmt: skip


def bar_chart(ident: str, title: str, bars: Sequence[tuple[str, int, str | None]]) -> str:
    """Horizontal bars: (name, count, severity) each, coloured by severity, count at the end."""
    row, label_w, width = 26, 190, WIDTH
    height = TOP + row * len(bars) + 8
    most = max((count for _, count, _ in bars), default=1) or 1
    desc = "; ".join(f"{name}: {count} (severity {sev or 'not given'})" for name, count, sev in bars)
    parts = [_open(ident, title, desc + ".", width, height)]
    span = width - label_w - 60
    for i, (name, count, sev) in enumerate(bars):
        top = TOP + i * row
        w = max(2.0, span * count / most) if count else 0.0
        colour = SEVERITY_COLOURS.get(sev or "", "#98a2b3")
        parts.append(f'<text class="blabel" x="{label_w - 8}" y="{top + 15}" text-anchor="end">'
                     f'{escape(_short(name, 26))}</text>'
                     f'<rect x="{label_w}" y="{top + 3}" width="{w:.1f}" height="{row - 8}" '
                     f'fill="{colour}" rx="3"/><text class="value" x="{label_w + w + 6:.1f}" '
                     f'y="{top + 15}">{count}</text>')  # fmt: skip
    parts.append("</svg>")
    return "".join(parts)
