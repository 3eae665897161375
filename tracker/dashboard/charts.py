"""Bar charts drawn on the server as SVG: readable without JavaScript, nothing to download."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 210
BAR_WIDTH = 300
VALUE_WIDTH = 50
FONT_SIZE = 13
# The room a label has: it ends 8 units left of its bar and must not start before 0.
LABEL_ROOM = LABEL_WIDTH - 12
ELLIPSIS = "…"


# Scripts whose letters are wider than Latin ones: (first, last, capital, small) in ems.
_WIDE_SCRIPTS = (
    ("\u0530", "\u058f", 0.82, 0.74),  # Armenian
    ("\ufb13", "\ufb17", 0.82, 0.74),  # Armenian ligatures
    ("\u0400", "\u04ff", 0.7, 0.6),  # Cyrillic
)


def _em(character: str) -> float:
    """About how wide a character is, in ems, by script: Armenian letters are wider than
    Latin ones (measured in chromium with the stylesheet's fonts, rounded up)."""
    if character.isspace():
        return 0.32
    for first, last, capital, small in _WIDE_SCRIPTS:
        if first <= character <= last:
            return capital if character.isupper() else small
    return _latin_em(character)


def _latin_em(character: str) -> float:
    if character in "mwMW@%":
        return 1.0
    if character.isupper() or character.isdigit():
        return 0.72
    if character in "ilj.,:;'|!()[]{}-":
        return 0.32
    return 0.58


def label_width(text: str, font_size: float = FONT_SIZE) -> float:
    """An estimate of how wide the text is drawn, in SVG units."""
    return sum(_em(character) for character in text) * font_size


def fit_label(text: str, room: float = LABEL_ROOM, font_size: float = FONT_SIZE) -> str:
    """The text, or as much of its start as fits with "…" after it: cut on the right."""
    if label_width(text, font_size) <= room:
        return text
    room -= label_width(ELLIPSIS, font_size)
    shown = ""
    for character in text:
        if label_width(shown + character, font_size) > room:
            break
        shown += character
    return shown.rstrip() + ELLIPSIS


def bar_chart(
    rows: Sequence[tuple[str, int]],
    *,
    title: str,
    color: str = "#b42318",
    links: Sequence[str | None] | None = None,
) -> Markup:
    """Horizontal bars, one per (label, value), scaled to the largest value; with links, each
    bar (its label, bar and value) opens links[index]: the task list behind it."""
    height = max(len(rows), 1) * (BAR_HEIGHT + GAP)
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    largest = max((value for _, value in rows), default=0) or 1
    # Links inside an image would be hidden from screen readers: a chart of links is a group.
    role = "group" if links else "img"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="{role}" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, value) in enumerate(rows):
        y = index * (BAR_HEIGHT + GAP)
        length = round(BAR_WIDTH * value / largest)
        # What fits the label column, cut on the right; the full name stays in the tooltip.
        shown = fit_label(label)
        bar = (
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 16}" text-anchor="end" '
            f'font-size="{FONT_SIZE}"><title>{escape(label)}</title>{escape(shown)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR_HEIGHT}" '
            f'fill="{escape(color)}" rx="3"></rect>'
            f'<text x="{LABEL_WIDTH + length + 6}" y="{y + 16}" '
            f'font-size="{FONT_SIZE}">{value}</text>'
        )
        href = links[index] if links is not None and index < len(links) else None
        if href:
            parts.append(f'<a href="{escape(href)}" class="bar">{bar}</a>')
        else:
            parts.append(f'<g class="bar">{bar}</g>')
    parts.append("</svg>")
    return Markup("".join(parts))
