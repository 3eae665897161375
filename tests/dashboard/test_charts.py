from __future__ import annotations

import re

from tracker.dashboard.charts import BAR_WIDTH, LABEL_ROOM, bar_chart, fit_label, label_width


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


def test_a_long_armenian_name_is_cut_on_the_right_to_fit_its_column() -> None:
    name = "Միջազգային համագործակցության և եվրոպական ինտեգրման բաժին"
    svg = str(bar_chart([(name, 2)], title="t"))
    shown = re.search(r"<title>[^<]*</title>([^<]*)</text>", svg)
    assert shown and f"<title>{name}</title>" in svg
    text = shown.group(1)
    # The start of the name is kept, the end is cut and marked.
    assert text.endswith("…") and name.startswith(text[:-1].rstrip())
    assert text.startswith("Միջազգային համագ")
    assert label_width(text) <= LABEL_ROOM
    # Armenian letters are reckoned wider than Latin ones: fewer of them fit.
    latin = "International cooperation and European integration department"
    assert len(fit_label(name)) < len(fit_label(latin))


def test_a_short_name_is_drawn_whole() -> None:
    assert fit_label("Անի Սարգսյան") == "Անի Սարգսյան"
    svg = str(bar_chart([("Անի Սարգսյան", 1)], title="t"))
    assert "…" not in svg


def test_each_bar_links_to_the_list_behind_it() -> None:
    links = ["/dashboard?department=3&status=overdue#list", "/dashboard?department=5#list"]
    svg = str(bar_chart([("Digital", 2), ("Cooperation", 1)], title="t", links=links))
    anchors = re.findall(r'<a href="([^"]*)" class="bar">(.*?)</a>', svg)
    assert [href for href, _ in anchors] == [
        "/dashboard?department=3&amp;status=overdue#list",
        "/dashboard?department=5#list",
    ]
    # The whole bar is the link: its label, its rectangle and its value.
    assert all("<rect" in body and "</text>" in body for _, body in anchors)
    assert 'role="group"' in svg


def test_bars_without_links_are_not_links() -> None:
    svg = str(bar_chart([("Digital", 2)], title="t"))
    assert "<a " not in svg and 'role="img"' in svg
