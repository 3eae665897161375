from __future__ import annotations

import re

from tracker.dashboard.charts import BAR_WIDTH, bar_chart


def test_bars_scale_to_the_largest_value_and_labels_are_escaped() -> None:
    svg = str(bar_chart([("<Digital & co>", 4), ("Cooperation", 2)], title="Overdue"))
    widths = [int(width) for width in re.findall(r'<rect [^>]*width="(\d+)"', svg)]
    assert widths == [BAR_WIDTH, BAR_WIDTH // 2]
    assert "&lt;Digital &amp; co&gt;" in svg and "<Digital" not in svg
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in svg and 'aria-label="Overdue"' in svg


def test_a_long_label_is_cut_but_kept_whole_in_its_tooltip() -> None:
    name = "Միջազգային համագործակցության բաժին"
    svg = str(bar_chart([(name, 1)], title="t"))
    assert f"<title>{name}</title>" in svg
    assert "…" in svg


def test_no_rows_draw_an_empty_chart() -> None:
    svg = str(bar_chart([], title="Nothing"))
    assert "<rect" not in svg and "</svg>" in svg
