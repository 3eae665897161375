from __future__ import annotations

from pathlib import Path

import pytest

from tracker.models import Role, User

SAMPLES = Path(__file__).resolve().parents[2] / "tracker" / "reports" / "samples"
# The keys of `tracker import --json`, as the design's contract lists them.
JSON_KEYS = frozenset(
    {
        "source",
        "language",
        "title",
        "author_name",
        "author_position",
        "destination",
        "trip_start",
        "trip_end",
        "inviting_party",
        "purpose",
        "signatory",
        "signed_on",
        "sections",
        "recommendations",
        "warnings",
    }
)
RECOMMENDATION_KEYS = frozenset(
    {"title", "text", "owners", "deadline", "deadline_text", "expected_result", "method"}
)


@pytest.fixture
def samples() -> Path:
    return SAMPLES


@pytest.fixture
def sample_people(make_department, make_user) -> dict[str, User]:
    """Users named like the responsible persons of the sample reports."""
    digital = make_department("Digital")
    cooperation = make_department("Cooperation")
    return {
        "staff": make_user(Role.STAFF, name="Նարինե Մկրտչյան"),
        "ani": make_user(Role.OFFICER, name="Անի Սարգսյան", department=digital),
        "karen": make_user(Role.MANAGER, name="Կարեն Բաղիշյան", department=digital),
        "lilit": make_user(Role.OFFICER, name="Լիլիթ Հովհաննիսյան", department=cooperation),
        "gohar": make_user(Role.OFFICER, name="Gohar Petrosyan", department=cooperation),
    }
