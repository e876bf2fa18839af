"""A bar chart drawn on the server as SVG: no JavaScript, no CDN, readable when printed."""

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import escape


def bar_chart(points: list[tuple[str, Decimal | int]], *, title: str, unit: str = "") -> str:
    """Vertical bars, one per (label, value); the largest value fills the height."""
    width, height, left, bottom, top = 640, 220, 8, 46, 18
    if not points:
        return ""
    top_value = max((float(v) for _label, v in points), default=0) or 1.0
    slot = (width - left * 2) / len(points)
    bar = max(2.0, slot * 0.7)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - left}" y2="{height - bottom}" '
        'stroke="#b7d4df"/>',
    ]
    label_every = max(1, len(points) // 12)
    for index, (label, value) in enumerate(points):
        h = (height - bottom - top) * float(value) / top_value
        x = left + index * slot + (slot - bar) / 2
        y = height - bottom - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" rx="2" '
            f'fill="#0e7c8a"><title>{escape(label)}: {escape(str(value))} {escape(unit)}</title>'
            "</rect>"
        )
        if index % label_every == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 14}" font-size="11" '
                f'text-anchor="middle" fill="#4d6473">{escape(label[:12])}</text>'
            )
    peak = number_format(max(v for _l, v in points), 0, use_l10n=True, force_grouping=True)
    parts.append(
        f'<text x="{left}" y="12" font-size="11" fill="#4d6473">'
        f"{escape(peak)} {escape(unit)}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)
