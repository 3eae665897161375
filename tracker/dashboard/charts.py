"""Bar charts drawn on the server as SVG: readable without JavaScript, nothing to download."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 210
BAR_WIDTH = 300
VALUE_WIDTH = 50
MAX_LABEL = 26


def bar_chart(rows: Sequence[tuple[str, int]], *, title: str, color: str = "#b42318") -> Markup:
    """Horizontal bars, one per (label, value), scaled to the largest value."""
    height = max(len(rows), 1) * (BAR_HEIGHT + GAP)
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    largest = max((value for _, value in rows), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, value) in enumerate(rows):
        y = index * (BAR_HEIGHT + GAP)
        length = round(BAR_WIDTH * value / largest)
        # About 26 characters fit the label column; the full name stays in the tooltip.
        shown = label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 16}" text-anchor="end" font-size="13">'
            f"<title>{escape(label)}</title>{escape(shown)}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR_HEIGHT}" '
            f'fill="{escape(color)}" rx="3"></rect>'
            f'<text x="{LABEL_WIDTH + length + 6}" y="{y + 16}" font-size="13">{value}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
