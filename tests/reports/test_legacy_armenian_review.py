"""A report typed in ArmSCII-8 (#15 point 3) uploads like its Unicode original, and the review
page says, in the user's language, that it was converted."""

from __future__ import annotations

import html as html_module
from pathlib import Path

from sqlalchemy import select

from tests.reports.test_report_pages import upload
from tracker.extensions import db
from tracker.models import Report
from tracker.reports.parsing.legacy_armenian import encode_armscii8

ARMENIAN_WARNING = "Տեքստը մուտքագրված էր հին հայկական տառատեսակով"
ENGLISH_WARNING = "The text was typed in an old Armenian font or encoding (ArmSCII-8)"


def test_an_armscii8_upload_is_converted_and_the_review_page_says_so(
    client, samples: Path, sample_people, tmp_path: Path
) -> None:
    legacy = tmp_path / "vilnius-armscii.txt"
    legacy.write_bytes(encode_armscii8((samples / "hy-vilnius-2025-02.txt").read_text("utf-8")))
    staff = sample_people["staff"]
    staff.language = "hy"
    db.session.commit()
    client.login(staff.email)
    response = upload(client, legacy)
    assert response.status_code == 302
    review_url = response.headers["Location"]
    page = html_module.unescape(client.get(review_url).get_data(as_text=True))
    assert ARMENIAN_WARNING in page and ENGLISH_WARNING not in page
    assert page.count('class="card review-row"') == 3
    assert "Անի Սարգսյան" in page and "2025թ. II եռամսյակ" in page

    report = db.session.scalars(select(Report)).one()
    assert "Մշակել մարզպետարանում" in (report.text or "")
    codes = [item.get("code") for item in report.warnings if isinstance(item, dict)]
    assert codes[0] == "legacy_armenian_converted"

    staff.language = "en"
    db.session.commit()
    page = html_module.unescape(client.get(review_url).get_data(as_text=True))
    assert ENGLISH_WARNING in page and ARMENIAN_WARNING not in page


def test_a_unicode_upload_has_no_such_warning(client, samples: Path, sample_people) -> None:
    client.login(sample_people["staff"].email)
    response = upload(client, samples / "hy-tbilisi-2024-07.txt")
    page = html_module.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert ARMENIAN_WARNING not in page and ENGLISH_WARNING not in page
