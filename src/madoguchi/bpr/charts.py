"""Charts of the effect dashboard as inline SVG, rendered on the server.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and described by its ``<desc>``;
the page shows the same figures in a table beside it. Colours come from the design tokens
(CSS classes ``chart-s1`` … in ``bpr/dashboard.css``); every series is named in a text legend
and every bar has a text label or a ``<title>``, so nothing is told by colour alone. Counts of
1–4 are drawn as zero and labelled 「5未満」. No script is needed to see or read a chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from .figures import SUPPRESSED, is_small

Number = int | Decimal | float | None


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[Number]
    counts: bool = True  # values are counts of people's cases: 1–4 are suppressed


def _plotted(value: Number, counts: bool) -> float:
    if value is None or (counts and isinstance(value, int) and is_small(value)):
        return 0.0
    return float(value)


def _label(value: Number, counts: bool, unit: str) -> str:
    if value is None:
        return "—"
    if counts and isinstance(value, int) and is_small(value):
        return SUPPRESSED
    if isinstance(value, int):
        return f"{value:,}{unit}"
    return f"{Decimal(str(value)).normalize():,f}{unit}"


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = float(10 ** (len(str(int(value))) - 1))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if value <= step * magnitude:
            return step * magnitude
    return 10.0 * magnitude


def _frame(chart_id: str, title: str, desc: str, width: int, height: int,
           body: list[str]) -> SafeString:
    head = format_html(
        '<svg class="chart" id="{}" role="img" aria-labelledby="{}-title {}-desc" '
        'viewBox="0 0 {} {}" width="100%" preserveAspectRatio="xMinYMin meet" '
        'xmlns="http://www.w3.org/2000/svg"><title id="{}-title">{}</title>'
        '<desc id="{}-desc">{}</desc>',
        chart_id, chart_id, chart_id, width, height, chart_id, title, chart_id, desc)
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 - every part escaped


def _legend(series: Sequence[Series], x: int, y: int) -> list[str]:
    parts: list[str] = []
    for index, item in enumerate(series):
        parts.append(format_html(
            '<rect class="chart-s{}" x="{}" y="{}" width="12" height="12"/>'
            '<text class="chart-text" x="{}" y="{}">{}</text>',
            index + 1, x, y + index * 18, x + 18, y + index * 18 + 11, item.label))
    return parts


def column_chart(chart_id: str, title: str, desc: str, categories: Sequence[str],
                 series: Sequence[Series], *, stacked: bool = False, unit: str = "") -> SafeString:
    """Vertical columns, one group (or stack) per category (a month), a legend on top."""
    legend_height = 18 * len(series) + 8
    plot_top, plot_height, left = legend_height + 18, 200, 64
    slot = max(24, 36 if stacked else 14 * len(series) + 10)
    width = left + slot * max(len(categories), 1) + 10
    height = plot_top + plot_height + 64
    if stacked:
        peaks = [sum(_plotted(s.values[i], s.counts) for s in series)
                 for i in range(len(categories))]
    else:
        peaks = [_plotted(v, s.counts) for s in series for v in s.values]
    top = _nice_max(max(peaks, default=0.0))
    body = _legend(series, left, 4)
    base = plot_top + plot_height
    for tick in (0.0, top / 2, top):
        y = base - tick / top * plot_height
        body.append(format_html(
            '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
            '<text class="chart-text chart-axis" x="{}" y="{}" text-anchor="end">{}</text>',
            left, width - 6, f"{y:.1f}", f"{y:.1f}", left - 4, f"{y + 4:.1f}",
            _label(Decimal(str(tick)).normalize() if tick % 1 else int(tick), False, "")))
    for i, category in enumerate(categories):
        x0 = left + i * slot + 4
        offset = 0.0
        for index, item in enumerate(series):
            value = item.values[i]
            h = _plotted(value, item.counts) / top * plot_height
            if stacked:
                x, w, y = x0, slot - 8, base - offset - h
                offset += h
            else:
                x, w, y = x0 + index * 14, 12, base - h
            body.append(format_html(
                '<rect class="chart-s{}" x="{}" y="{}" width="{}" height="{}">'
                '<title>{} {}: {}</title></rect>',
                index + 1, f"{x:.1f}", f"{y:.1f}", w, f"{h:.1f}", category, item.label,
                _label(value, item.counts, unit)))
        body.append(format_html(
            '<text class="chart-text chart-axis" x="{}" y="{}" text-anchor="end" '
            'transform="rotate(-45 {} {})">{}</text>',
            f"{x0 + slot / 2:.1f}", base + 14, f"{x0 + slot / 2:.1f}", base + 14, category))
    return _frame(chart_id, title, desc, width, height, body)


def bar_chart(chart_id: str, title: str, desc: str, categories: Sequence[str],
              series: Sequence[Series], *, unit: str = "") -> SafeString:
    """Horizontal bars, one group per category (a procedure), each bar labelled with its value."""
    legend_height = 18 * len(series) + 8
    label_width, plot_width, value_width = 190, 300, 70
    group = 16 * len(series) + 10
    width = label_width + plot_width + value_width
    height = legend_height + group * max(len(categories), 1) + 8
    peaks = [abs(_plotted(v, s.counts)) for s in series for v in s.values]
    top = _nice_max(max(peaks, default=0.0))
    body = _legend(series, label_width, 4)
    for i, category in enumerate(categories):
        y0 = legend_height + i * group
        short = category if len(category) <= 14 else category[:13] + "…"
        body.append(format_html(
            '<text class="chart-text" x="{}" y="{}" text-anchor="end">{}</text>',
            label_width - 6, y0 + group / 2 + 2, short))
        for index, item in enumerate(series):
            value = item.values[i]
            w = abs(_plotted(value, item.counts)) / top * plot_width
            y = y0 + index * 16 + 4
            body.append(format_html(
                '<rect class="chart-s{}" x="{}" y="{}" width="{}" height="13">'
                '<title>{} {}: {}</title></rect>'
                '<text class="chart-text" x="{}" y="{}">{}</text>',
                index + 1, label_width, y, f"{w:.1f}", category, item.label,
                _label(value, item.counts, unit), f"{label_width + w + 4:.1f}", y + 11,
                _label(value, item.counts, unit)))
    return _frame(chart_id, title, desc, width, height, body)
