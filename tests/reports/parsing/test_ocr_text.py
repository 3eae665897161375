"""Post-correction of Tesseract's systematic Armenian misreadings (no Tesseract needed)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.reports.parsing.ocr_text import (
    correct_line,
    correct_sequence,
    correct_words,
    is_period_number,
)


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        # The Armenian full stop read as a colon, after an Armenian letter.
        ("Որոշումներ չեն ընդունվել:", "Որոշումներ չեն ընդունվել։"),
        ("ներկայացուցիչների հետ: Ներկայացվեց", "ներկայացուցիչների հետ։ Ներկայացվեց"),
        ("«փորձի փոխանակում:»", "«փորձի փոխանակում։»"),
        # The accent "՝" read as a backquote or an apostrophe.
        ("Պատասխանատու` Անի Սարգսյան", "Պատասխանատու՝ Անի Սարգսյան"),
        ("Ժամկետը' մշտապես", "Ժամկետը՝ մշտապես"),
        # The conjunction "և".
        ("Գործուղման վայրը ն ժամկետները.", "Գործուղման վայրը և ժամկետները."),
        ("ամբողջական ն. կարիքների", "ամբողջական և կարիքների"),
        ("կառավարման W զարգացման", "կառավարման և զարգացման"),
        ("Բացահայտել Ա տարածել", "Բացահայտել և տարածել"),
        ("Վրաստանում, ն հատկապես", "Վրաստանում, և հատկապես"),
        ("Հայաստանում ն Վրաստանում", "Հայաստանում և Վրաստանում"),
        ("կազմակերպության (ՄՄԿ) ն Հայաստանի", "կազմակերպության (ՄՄԿ) և Հայաստանի"),
        # "և" inside the words of the form and of dates.
        ("Ժամկետը՝ մինչն 2025 թվականի մարտի 31-ը", "Ժամկետը՝ մինչև 2025 թվականի մարտի 31-ը"),
        ("Եղանակը, ձնը՝ աշխատանքային", "Եղանակը, ձևը՝ աշխատանքային"),
        ("ՀՀ, Երնան, 2025 թ.", "ՀՀ, Երևան, 2025 թ."),
        ("բյուջետային հայտերի ձնաչափը", "բյուջետային հայտերի ձևաչափը"),
        ("նոր ձնանմուշները", "նոր ձևանմուշները"),
        ("երնույթը կարնոր է", "երևույթը կարևոր է"),
        ("կարնորվել է", "կարևորվել է"),
        # Section 9's heading: the word between "եղանակը" and "ժամկետները" is "ձևը".
        (
            "առաջարկները` եղանակը, oun, ժամկետները,",
            "առաջարկները՝ եղանակը, ձևը, ժամկետները,",
        ),
        ("եղանակը, dip, ժամկետները", "եղանակը, ձևը, ժամկետները"),
        ("եղանակը, ձնր, ժամկետները", "եղանակը, ձևը, ժամկետները"),
        # … and the label of a recommendation's method says "Եղանակը, ձևը՝".
        ("Եղանակը, ձնր՝ աշխատանքային", "Եղանակը, ձևը՝ աշխատանքային"),
        ("Եղանակը, dun` աշխատանքային", "Եղանակը, ձևը՝ աշխատանքային"),
        # Roman numbers of quarters and half-years.
        ("Ժամկետը՝ 2025թ. 11 եռամսյակ", "Ժամկետը՝ 2025թ. II եռամսյակ"),
        ("2025թ. Il եռամսյակ", "2025թ. II եռամսյակ"),
        ("2025թ. | կիսամյակ", "2025թ. I կիսամյակ"),
        ("2026թ. 111 եռամսյակում", "2026թ. III եռամսյակում"),
        ("2026թ. 1V եռամսյակ", "2026թ. IV եռամսյակ"),
        ("2026թ. ‘III եռամսյակ", "2026թ. III եռամսյակ"),
        ("2025թ. I] եռամսյակ", "2025թ. II եռամսյակ"),
        # A list number that lost its parenthesis.
        ("1 Մշակել հայեցակարգ", "1) Մշակել հայեցակարգ"),
        ("10 Ստորագրությունը, ամսաթիվը.", "10) Ստորագրությունը, ամսաթիվը."),
        # A word of the form with one letter misread.
        ("10. Մտորագրությունը, ամսաթիվը.", "10. Ստորագրությունը, ամսաթիվը."),
        ("ակնկայվող արդյունքները", "ակնկալվող արդյունքները"),
        ("Պատսսխանատու՝ Անի Սարգսյան", "Պատասխանատու՝ Անի Սարգսյան"),
    ],
)
def test_a_systematic_misreading_is_put_right(read: str, meant: str) -> None:
    assert correct_line(read) == meant


@pytest.mark.parametrize(
    "line",
    [
        # Latin text and its colons, numbers and times stay as they are.
        "Deadline: by 30 September 2025",
        "Name, surname: Gohar Petrosyan",
        "09:00 - 18:00",
        "Ընդմիջում՝ 13:00 - 14:00",
        # Dates keep every digit.
        "10.02.2025թ.",
        "2025 թվականի փետրվարի 3-5-ը",
        "12-14 May 2025",
        # "ն" that is a letter, not the conjunction: inside a word, after a number, at the start.
        "Անի Սարգսյան",
        "ն կետ",
        "2025 ն",
        # A capital "Ա" that may be an initial (before a capital), and an initial with its dot.
        "հանձնարարել Ա Սարգսյանին",
        "Ա. Սարգսյան",
        # Words of snow, not of form.
        "ձնհալ ձնծաղիկ",
        # A number before a word that is not a period.
        "Մշակել 11 համայնք",
        "Q4 2025 and 11 quarters",
        # Right already.
        "Գործուղման վայրը և ժամկետները։",
        "մինչև 2025 թվականի մարտի 31-ը",
        "2025թ. II եռամսյակ",
        # A word one letter away from two words of the form is left alone.
        "թվականի",
        # "Եղանակը," before a word that is no label's.
        "Եղանակը, որը",
        # A case ending one letter away from a word of the form is the word's own.
        "զբաղեցրած պաշտոնի պահանջները",
        "գործուղման նպատակի մասին",
    ],
)
def test_what_is_not_a_misreading_is_left_alone(line: str) -> None:
    assert correct_line(line) == line


def test_every_word_stays_a_word() -> None:
    words = ["առաջարկները`", "եղանակը,", "oun,", "ժամկետները,", "Երնան", "ն", "11", "եռամսյակ"]
    assert len(correct_words(words)) == len(words)


def test_a_conjunction_at_the_end_of_a_line_is_fixed_with_the_next_line() -> None:
    first = correct_words(["վարչության", "ն"])
    assert first == ["վարչության", "ն"]
    assert correct_sequence([*first, "երիտասարդական"]) == ["վարչության", "և", "երիտասարդական"]


def test_a_quarter_number_is_recognized_whatever_it_was_read_as() -> None:
    assert is_period_number("11", "եռամսյակ")
    assert is_period_number("III", "եռամսյակ")
    assert is_period_number("‘III", "կիսամյակ")
    assert not is_period_number("11", "համայնք")
    assert not is_period_number("2025թ.", "եռամսյակ")


LATIN = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E) | st.sampled_from("\t«»—…"),
    max_size=200,
)


@given(LATIN)
def test_latin_text_is_never_changed(text: str) -> None:
    for line in text.split("\n"):
        assert correct_line(line) == line


@given(st.lists(st.from_regex(r"[0-9./\-]{1,12}", fullmatch=True), max_size=8))
def test_dates_and_numbers_are_never_changed(words: list[str]) -> None:
    assert correct_words(words) == words


ARMENIAN_WORD = st.text(
    alphabet=st.characters(min_codepoint=0x0561, max_codepoint=0x0586), min_size=1, max_size=12
)


@given(st.lists(ARMENIAN_WORD | st.from_regex(r"[0-9.:,]{1,6}", fullmatch=True), max_size=12))
def test_correction_is_idempotent_and_keeps_the_word_count(words: list[str]) -> None:
    once = correct_words(words)
    assert len(once) == len(words)
    assert correct_words(once) == once
