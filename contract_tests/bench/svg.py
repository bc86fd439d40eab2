"""The throughput–response-time curve as a standalone SVG, written by hand.

x is throughput (requests per second), y is response time (milliseconds); one point per
concurrency level, labelled `c=N`, joined in the order the levels ran. Two series: the mean
response time (solid) and the 99th percentile (dashed). The file needs no script, font or
stylesheet from elsewhere, so any browser or image viewer shows it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from xml.sax.saxutils import escape

from specfirst.contract_tests.bench.stats import LevelResult

__all__ = ["nice_ticks", "render_curve"]

WIDTH, HEIGHT = 720, 440
LEFT, RIGHT, TOP, BOTTOM = 72, 24, 48, 64
_SERIES = (("mean", "#1f77b4", ""), ("p99", "#d62728", "6 4"))


def nice_ticks(high: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least `high`."""
    if high <= 0 or not math.isfinite(high):
        return [0.0, 1.0]
    raw = high / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    ticks = [0.0]
    while ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 or value == int(value) else f"{value:.2g}"


def render_curve(results: Sequence[LevelResult], title: str = "Throughput–response time") -> str:
    """The SVG document for these levels."""
    xs = nice_ticks(max((r.throughput_rps for r in results), default=0.0))
    ys = nice_ticks(max((r.p99_ms for r in results), default=0.0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(x: float) -> float:
        return LEFT + plot_w * x / xs[-1]

    def py(y: float) -> float:
        return TOP + plot_h * (1 - y / ys[-1])

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{WIDTH / 2}" y="24" text-anchor="middle" font-size="15">{escape(title)}</text>',
    ]
    for tick in xs:
        x = px(tick)
        out.append(f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + plot_h}" '
                   'stroke="#eee"/>')
        out.append(f'<text x="{x:.1f}" y="{TOP + plot_h + 18}" text-anchor="middle">'
                   f"{_fmt(tick)}</text>")
    for tick in ys:
        y = py(tick)
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" '
                   'stroke="#eee"/>')
        out.append(f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">{_fmt(tick)}</text>')
    out.append(f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" '
               f'y2="{TOP + plot_h}" stroke="black"/>')
    out.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="black"/>')
    out.append(f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 18}" text-anchor="middle">'
               "throughput (requests/s)</text>")
    out.append(f'<text x="18" y="{TOP + plot_h / 2}" text-anchor="middle" '
               f'transform="rotate(-90 18 {TOP + plot_h / 2})">response time (ms)</text>')
    for name, colour, dash in _SERIES:
        points = [(px(r.throughput_rps), py(r.mean_ms if name == "mean" else r.p99_ms), r)
                  for r in results]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
            dashing = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                       f'stroke-width="2"{dashing}/>')
        for x, y, result in points:
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}">'
                       f"<title>c={result.concurrency}: {result.throughput_rps:.0f} req/s, "
                       f"{name} {result.mean_ms if name == 'mean' else result.p99_ms:.2f} ms"
                       "</title></circle>")
            if name == "mean":
                out.append(f'<text x="{x + 6:.1f}" y="{y - 6:.1f}" fill="{colour}">'
                           f"c={result.concurrency}</text>")
    for index, (name, colour, dash) in enumerate(_SERIES):
        y = TOP + 12 + 18 * index
        dashing = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<line x1="{LEFT + 12}" y1="{y}" x2="{LEFT + 40}" y2="{y}" '
                   f'stroke="{colour}" stroke-width="2"{dashing}/>')
        out.append(f'<text x="{LEFT + 46}" y="{y + 4}">{name} response time</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
