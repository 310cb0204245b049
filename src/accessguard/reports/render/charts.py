"""Inline SVG charts (no scripts, no network): donut, horizontal bars, columns."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

FONT = "font-family='inherit' font-size='12'"


def donut(segments: Sequence[tuple[str, int, str]], *, center: str, caption: str) -> str:
    """A donut of (label, value, colour) with a big number in the middle and a legend."""
    total = sum(v for _, v, _ in segments)
    size, radius, stroke = 180, 66, 26
    cx = cy = size / 2
    circumference = 2 * math.pi * radius
    parts = [
        f"<circle cx='{cx}' cy='{cy}' r='{radius}' fill='none' stroke='#eef1f5' "
        f"stroke-width='{stroke}'/>"
    ]
    offset = 0.0
    for label, value, colour in segments:
        if not value or not total:
            continue
        length = circumference * value / total
        parts.append(
            f"<circle cx='{cx}' cy='{cy}' r='{radius}' fill='none' stroke='{colour}' "
            f"stroke-width='{stroke}' stroke-dasharray='{length:.2f} {circumference - length:.2f}' "
            f"stroke-dashoffset='{-offset:.2f}' transform='rotate(-90 {cx} {cy})'>"
            f"<title>{escape(label)}: {value}</title></circle>"
        )
        offset += length
    parts.append(
        f"<text x='{cx}' y='{cy + 4}' text-anchor='middle' font-size='30' font-weight='700' "
        f"fill='#0f172a'>{escape(center)}</text>"
        f"<text x='{cx}' y='{cy + 24}' text-anchor='middle' font-size='11' fill='#64748b'>"
        f"{escape(caption)}</text>"
    )
    legend_rows = []
    for i, (label, value, colour) in enumerate(segments):
        y = 24 + i * 26
        legend_rows.append(
            f"<rect x='200' y='{y - 11}' width='12' height='12' rx='3' fill='{colour}'/>"
            f"<text x='220' y='{y}' {FONT} fill='#334155'>{escape(label)}</text>"
            f"<text x='330' y='{y}' {FONT} fill='#0f172a' font-weight='600' "
            f"text-anchor='end'>{value}</text>"
        )
    return (
        f"<svg viewBox='0 0 340 {size}' role='img' aria-label='{escape(caption)}'>"
        + "".join(parts)
        + "".join(legend_rows)
        + "</svg>"
    )


def hbars(
    rows: Sequence[tuple[str, int, str]], *, colour: str = "#4f46e5", label_width: int = 130
) -> str:
    """Horizontal bars of (label, value, annotation), longest first as given."""
    if not rows:
        return "<p class='empty'>nothing to chart</p>"
    top = max(v for _, v, _ in rows) or 1
    width, bar_h, gap = 340, 16, 10
    usable = width - label_width - 44
    height = len(rows) * (bar_h + gap) + 4
    parts = []
    for i, (label, value, note) in enumerate(rows):
        y = 4 + i * (bar_h + gap)
        length = max(2.0, usable * value / top)
        parts.append(
            f"<text x='{label_width - 8}' y='{y + 12}' text-anchor='end' {FONT} "
            f"fill='#334155'>{escape(label[:20])}</text>"
            f"<rect x='{label_width}' y='{y}' width='{usable}' height='{bar_h}' rx='4' "
            f"fill='#eef1f5'/>"
            f"<rect x='{label_width}' y='{y}' width='{length:.1f}' height='{bar_h}' rx='4' "
            f"fill='{colour}'><title>{escape(label)}: {escape(note)}</title></rect>"
            f"<text x='{label_width + length + 6:.1f}' y='{y + 12}' {FONT} fill='#0f172a' "
            f"font-weight='600'>{value}</text>"
        )
    return f"<svg viewBox='0 0 {width} {height}' role='img'>" + "".join(parts) + "</svg>"


def columns(rows: Sequence[tuple[str, int, str]]) -> str:
    """Vertical columns of (label, value, colour) with values on top."""
    if not any(v for _, v, _ in rows):
        return "<p class='empty'>no shared logins in Vault yet</p>"
    top = max(v for _, v, _ in rows) or 1
    width, height, base = 340, 180, 150
    slot = width / len(rows)
    col_w = slot * 0.62
    parts = [f"<line x1='0' y1='{base}' x2='{width}' y2='{base}' stroke='#cbd5e1'/>"]
    for i, (label, value, colour) in enumerate(rows):
        x = i * slot + (slot - col_w) / 2
        h = 0 if not value else max(3.0, (base - 24) * value / top)
        parts.append(
            f"<rect x='{x:.1f}' y='{base - h:.1f}' width='{col_w:.1f}' height='{h:.1f}' rx='4' "
            f"fill='{colour}'><title>{escape(label)}: {value}</title></rect>"
            f"<text x='{x + col_w / 2:.1f}' y='{base - h - 6:.1f}' text-anchor='middle' {FONT} "
            f"font-weight='600' fill='#0f172a'>{value}</text>"
            f"<text x='{x + col_w / 2:.1f}' y='{base + 18}' text-anchor='middle' "
            f"font-size='11' fill='#475569'>{escape(label)}</text>"
        )
    return f"<svg viewBox='0 0 {width} {height}' role='img'>" + "".join(parts) + "</svg>"
