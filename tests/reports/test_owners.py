import pytest

from tracker.reports.owners import Person, latin_spelling, match_name, match_names, sort_key

PEOPLE = [
    Person(7, "Երվանդ Ոսկանյան"),
    Person(1, "Անի Սարգսյան"),
    Person(2, "Կարեն Բաղիշյան"),
    Person(3, "Լիլիթ Հովհաննիսյան"),
    Person(4, "Արմեն Հակոբյան"),
    Person(5, "Gohar Petrosyan"),
    Person(6, "Արսեն Հակոբյան"),
]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Անի Սարգսյան", 1),
        ("  անի   սարգսյան ", 1),
        ("Ա. Սարգսյան", 1),
        ("Ա.Սարգսյան", 1),
        ("Սարգսյան Անի", 1),
        ("Սարգսյան Ա.", 1),
        ("Անի Արմենի Սարգսյան", 1),
        ("Կ. Բաղիշյան (զարգացման ծրագրերի բաժնի պետ)", 2),
        ("Gohar Petrosyan", 5),
        ("G. Petrosyan", 5),
        ("PETROSYAN Gohar", 5),
        ("Լ․ Հովհաննիսյան", 3),
        ("Armen Hakobyan", 4),  # an English report naming an Armenian user
        ("Karen Baghishyan", 2),
        ("L. Hovhannisyan", 3),
        ("Ani Sargsyan", 1),
        ("Գոհար Պետրոսյան", 5),  # and the other way round
    ],
)
def test_names_that_match_one_user(written: str, expected: int) -> None:
    person = match_name(written, PEOPLE)
    assert person is not None and person.id == expected


@pytest.mark.parametrize(
    "written",
    [
        "Ա. Հակոբյան",  # Armen and Arsen both fit
        "Հակոբյան",  # a surname alone is a guess
        "Վ. Սարգսյան",  # wrong initial
        "Անի Պետրոսյան",
        "",
        "—",
        "Բաժնի պետ",
        "A. Hakobyan",  # Armen and Arsen again, in Latin letters
    ],
)
def test_names_that_match_nobody_for_certain(written: str) -> None:
    assert match_name(written, PEOPLE) is None


@pytest.mark.parametrize("written", ["Yervand Voskanyan", "Ervand Oskanyan", "Ե. Ոսկանյան"])
def test_initial_ye_and_vo_in_either_spelling(written: str) -> None:
    person = match_name(written, PEOPLE)
    assert person is not None and person.id == 7


def test_match_names_keeps_order_drops_repeats_and_lists_the_unmatched() -> None:
    matched, unmatched = match_names(
        ["Լ. Հովհաննիսյան", "Ani Unknown", "Անի Սարգսյան", "Ա. Սարգսյան"], PEOPLE
    )
    assert [person.id for person in matched] == [3, 1]
    assert unmatched == ["Ani Unknown"]


@pytest.mark.parametrize(
    ("text", "latin"),
    [
        ("Անի Սարգսյան", "ani sargsyan"),
        ("ԱՆԻ  ՍԱՐԳՍՅԱՆ", "ani sargsyan"),
        ("Երվանդ Ոսկանյան", "yervand voskanyan"),
        ("Zoë Ölmez", "zoe olmez"),
        ("Gohar Petrosyan", "gohar petrosyan"),
        ("Ա. Հովհաննիսյան", "a hovhannisyan"),
        ("", ""),
    ],
)
def test_latin_spelling(text: str, latin: str) -> None:
    assert latin_spelling(text) == latin


def test_armenian_and_latin_names_sort_together() -> None:
    names = ["Zara Adams", "Սարգիս Սարգսյան", "Ani Brown", "Անի Ադամյան", "Bob Lee", "Աննա"]
    assert sorted(names, key=sort_key) == [
        "Անի Ադամյան",  # ani adamyan
        "Ani Brown",
        "Աննա",  # anna
        "Bob Lee",
        "Սարգիս Սարգսյան",  # sargis
        "Zara Adams",
    ]


def test_the_same_spelling_in_both_scripts_sits_side_by_side_in_a_fixed_order() -> None:
    assert sort_key("Անի")[0] == sort_key("Ani")[0] == "ani"
    assert sorted(["Անի", "Ani", "Ana"], key=sort_key) == ["Ana", "Ani", "Անի"]
    assert sorted(["Ani", "Անի", "Ana"], key=sort_key) == ["Ana", "Ani", "Անի"]
    assert sort_key("zara") > sort_key("Սարգսյան")
