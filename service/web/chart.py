"""The 公示 trend chart as server-rendered SVG: the bureau's satisfaction score and good rate over
the published periods.

Server-rendered rather than a chart library in the browser: it is there without JavaScript, costs a
few kilobytes instead of a megabyte on a phone, needs no inline style or script (the pages' CSP
forbids both) and prints. Both series share one 0–100 axis (the good rate in per cent); they differ
by colour, line style and marker shape, so colour is never the only signal, and each point has a
tooltip (`<title>`) with its exact figure. The numbers are also in the table beside it.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from service.domain.disclosure import TrendPoint
from service.web.format import QUARTERS, period_label

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 32, 20, 60
TICKS = (0, 20, 40, 60, 80, 100)


def _x(index: int, count: int) -> float:
    inner = WIDTH - LEFT - RIGHT
    return LEFT + (inner / 2 if count == 1 else inner * index / (count - 1))


def _y(value: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / 100)


def _grid() -> list[str]:
    parts = []
    for tick in TICKS:
        y = _y(tick)
        parts.append(f'<line class="grid" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}"/>')
        parts.append(f'<text class="tick" x="{LEFT - 8}" y="{y + 6:.1f}" text-anchor="end">{tick}</text>')
    return parts


def _series(values: list[float | None], points: list[TrendPoint], css: str, marker: str, unit: str,
            name: str) -> list[str]:
    count = len(points)
    coords = [(_x(i, count), _y(v), v, p) for i, (v, p) in enumerate(zip(values, points, strict=True))
              if v is not None]
    parts = []
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in coords)
        parts.append(f'<polyline class="line {css}" points="{path}"/>')
    for x, y, v, p in coords:
        label = escape(f"{period_label(p.period)} {name}：{v:.1f}{unit}")
        shape = (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7"/>' if marker == "circle"
                 else f'<rect x="{x - 6.5:.1f}" y="{y - 6.5:.1f}" width="13" height="13"/>')
        parts.append(f'<g class="point {css}"><title>{label}</title>{shape}</g>')
    return parts


def short_label(label: str) -> str:
    """An axis label: 10月, 四季度, 2026年, 11/5 (the full periods are in the caption and tooltips)."""
    parts = label.split("-")
    if len(parts) == 1:
        return f"{parts[0]}年"
    if parts[1].startswith("Q"):
        return f"{QUARTERS.get(parts[1][1:], parts[1][1:])}季度"
    if len(parts) == 2:
        return f"{int(parts[1])}月"
    return f"{int(parts[1])}/{int(parts[2])}"


def trend_svg(points: list[TrendPoint]) -> Markup:
    """The chart, or an empty string when there is nothing to draw."""
    if not points:
        return Markup("")
    scores = [p.satisfaction_score for p in points]
    rates = [None if p.good_rate is None else p.good_rate * 100 for p in points]
    # On a phone every other label is hidden when there are many (site.css), so they never overlap.
    last = len(points) - 1
    labels = [
        f'<text class="tick x{" minor" if len(points) > 6 and (last - i) % 2 else ""}" '
        f'x="{_x(i, len(points)):.1f}" y="{HEIGHT - BOTTOM + 40}" text-anchor="middle">'
        f"{escape(short_label(p.period))}</text>"
        for i, p in enumerate(points)
    ]
    desc = "；".join(
        f"{period_label(p.period)}：满意度得分 {'无数据' if s is None else f'{s:.1f}'}，"
        f"好评率 {'无数据' if r is None else f'{r:.1f}%'}"
        for p, s, r in zip(points, scores, rates, strict=True)
    )
    body = [
        f'<svg class="trend" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="trend-title trend-desc"'
        ' xmlns="http://www.w3.org/2000/svg">',
        '<title id="trend-title">全局满意度得分与好评率趋势</title>',
        f'<desc id="trend-desc">{escape(desc)}</desc>',
        *_grid(),
        *labels,
        *_series(scores, points, "score", "circle", "", "满意度得分"),
        *_series(rates, points, "rate", "square", "%", "好评率"),
        "</svg>",
    ]
    return Markup("".join(body))
