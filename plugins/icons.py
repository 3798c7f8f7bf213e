"""Small SVG badges for the built-in source types (original artwork: a rounded tile with a glyph)."""

from __future__ import annotations


def badge(text: str, color: str) -> str:
    """A 32x32 SVG tile in ``color`` with up to three letters of ``text``."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" width="32" height="32">'
        f'<rect width="32" height="32" rx="7" fill="{color}"/>'
        '<text x="16" y="21" text-anchor="middle" font-family="Helvetica,Arial,sans-serif" '
        f'font-size="{13 if len(text) < 3 else 10}" font-weight="700" fill="#fff">{text}</text></svg>'
    )
