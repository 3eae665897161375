"""The dashboard's filters fold on a phone (#10): the summary says how many are set, and the
fold opens by itself when a filter is set or a field is wrong (the browser test checks what a
phone and a desktop show)."""

from __future__ import annotations

import re

import pytest

from tracker.extensions import db


def fold(html: str) -> tuple[bool, str]:
    """Whether the filters' fold is open, and its summary."""
    found = re.search(
        r'<details class="card filters-fold" id="filters"( open)?>\s*<summary>([^<]*)', html
    )
    assert found is not None
    return found.group(1) is not None, found.group(2)


@pytest.mark.parametrize(
    ("query", "opened", "summary"),
    [
        ("", False, "Filters"),
        ("?status=overdue", False, "Filters"),  # a chart's bar: the default status
        ("?department=&owner=&deadline_from=", False, "Filters"),  # the form sent empty
        ("?status=all", True, "Filters (1)"),
        ("?owner={officer}&deadline_from=2026-01-01&deadline_to=2026-06-30", True, "Filters (3)"),
        # A reversed period: two dates typed, and the error beside the field.
        ("?deadline_from=2026-07-01&deadline_to=2026-06-01", True, "Filters (2)"),
    ],
)
def test_the_fold_says_how_many_filters_are_set(
    client, org, query: str, opened: bool, summary: str
) -> None:
    client.login(org.staff.email)
    html = client.get("/dashboard" + query.format(officer=org.officer.id)).get_data(as_text=True)
    assert fold(html) == (opened, summary)


def test_an_unreadable_date_opens_the_fold(client, org) -> None:
    client.login(org.staff.email)
    html = client.get("/dashboard?deadline_to=2026-02-30").get_data(as_text=True)
    assert fold(html) == (True, "Filters (1)")
    assert 'data-error="deadline_to"' in html


def test_the_fold_is_armenian(client, org) -> None:
    org.staff.language = "hy"
    db.session.commit()
    client.login(org.staff.email)
    assert fold(client.get("/dashboard").get_data(as_text=True)) == (False, "Զտիչներ")
    html = client.get("/dashboard?status=all").get_data(as_text=True)
    assert fold(html) == (True, "Զտիչներ (1)")
