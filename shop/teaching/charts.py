"""A bar chart drawn on the server as SVG: no JavaScript, no CDN, readable when printed.

The caller gives every point of the axis (every day, week or month of the range, zero where
nothing happened), so a gap in the data is a gap in the bars, not a missing day. A bar is
never wider than a thumb's width and the chart never taller than its frame, however few the
points: one day is one slim bar, not a block filling the page.
"""

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import escape

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 14, 40
MAX_BAR = 36  # viewBox units: a single bar stays a bar
MAX_LABELS = 12


def _number(value) -> str:
    return number_format(value, 0, use_l10n=True, force_grouping=True)


def bar_chart(points: list[tuple[str, Decimal | int]], *, title: str, unit: str = "") -> str:
    """Vertical bars, one per (label, value), with a value axis from zero to the peak."""
    if not points:
        return ""
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    peak = max(float(value) for _label, value in points)
    top_value = peak or 1.0
    slot = plot_width / len(points)
    bar = min(MAX_BAR, slot * 0.7)
    base = TOP + plot_height
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    # The value axis: zero, half and the peak, each with a faint line across.
    for share in (0, 0.5, 1):
        y = base - plot_height * share
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
            f'stroke="{"#b7d4df" if share == 0 else "#e3eef2"}"/>'
        )
        parts.append(
            f'<text x="{LEFT - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end" '
            f'fill="#4d6473">{escape(_number(Decimal(str(peak * share))))}</text>'
        )
    label_every = -(-len(points) // MAX_LABELS)  # ceiling division
    for index, (label, value) in enumerate(points):
        h = plot_height * float(value) / top_value
        x = LEFT + index * slot + (slot - bar) / 2
        parts.append(
            f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bar:.1f}" height="{h:.1f}" rx="2" '
            f'fill="#0e7c8a"><title>{escape(label)}: {escape(_number(value))} {escape(unit)}'
            "</title></rect>"
        )
        # Every day has its tick; the labels are spaced so that they never overlap.
        parts.append(
            f'<line x1="{x + bar / 2:.1f}" y1="{base}" x2="{x + bar / 2:.1f}" y2="{base + 3}" '
            'stroke="#b7d4df"/>'
        )
        if index % label_every == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{base + 16}" font-size="11" '
                f'text-anchor="middle" fill="#4d6473">{escape(label[:12])}</text>'
            )
    if unit:
        parts.append(
            f'<text x="{LEFT - 4}" y="7" font-size="10" text-anchor="end" fill="#4d6473">'
            f"{escape(unit)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
