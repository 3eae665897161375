"""Words the parser recognizes, in Armenian and English: months, numbers, labels, headings.

Everything here is a regular-expression fragment or a lookup table; the modules that match
with them compile them with re.IGNORECASE on text passed through `blocks.fold`.
"""

from __future__ import annotations

import re

AND = r"(?:և|եւ|and|&)"

HY_MONTHS = (
    "հունվար",
    "փետրվար",
    "մարտ",
    "ապրիլ",
    "մայիս",
    "հունիս",
    "հուլիս",
    "օգոստոս",
    "սեպտեմբեր",
    "հոկտեմբեր",
    "նոյեմբեր",
    "դեկտեմբեր",
)
EN_MONTHS = (
    ("january", "jan"),
    ("february", "feb"),
    ("march", "mar"),
    ("april", "apr"),
    ("may",),
    ("june", "jun"),
    ("july", "jul"),
    ("august", "aug"),
    ("september", "sept", "sep"),
    ("october", "oct"),
    ("november", "nov"),
    ("december", "dec"),
)

# Genitive (հուլիսի), nominative, and the case endings a date takes (-ին, -ից, -ը).
_HY_MONTH = "(?:" + "|".join(HY_MONTHS) + r")(?:ի|ին|ից|ը|ն)?"
_EN_MONTH = "(?:" + "|".join(name for names in EN_MONTHS for name in names) + r")\.?"
MONTH = rf"(?<!\w)(?:{_HY_MONTH}|{_EN_MONTH})(?!\w)"


def month_number(word: str) -> int | None:
    folded = word.lower().rstrip(".")
    for number, stem in enumerate(HY_MONTHS, start=1):
        if folded.startswith(stem):
            return number
    for number, names in enumerate(EN_MONTHS, start=1):
        if folded in names:
            return number
    return None


# "31-ը", "2-ին", "3-ից", "1st".
DAY_SUFFIX = r"(?:\s?-?\s?(?:ը|ին|ի|ից|ն|րդ)(?!\w)|st|nd|rd|th)"
# "2025", "2025թ.", "2025 թ.", "2025 թվականի", "2025 թթ."
YEAR_WORD = r"(?:\s?(?:թվական(?:ի|ին|ը)?|թթ?)\s?\.?)"
YEAR = rf"(?<!\d)(?:19|20)\d{{2}}(?!\d){YEAR_WORD}?"

_HY_UNITS = {
    "մեկ": 1,
    "երկու": 2,
    "երեք": 3,
    "չորս": 4,
    "հինգ": 5,
    "վեց": 6,
    "յոթ": 7,
    "ութ": 8,
    "ինը": 9,
}
_HY_TENS = {
    "տասն": 10,
    "քսան": 20,
    "երեսուն": 30,
    "քառասուն": 40,
    "հիսուն": 50,
    "վաթսուն": 60,
    "յոթանասուն": 70,
    "ութսուն": 80,
    "իննսուն": 90,
}
_EN_UNITS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_EN_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}


def _number_words() -> dict[str, int]:
    words: dict[str, int] = {"a": 1, "an": 1, "տասը": 10, "տաս": 10, "ինն": 9, "յոթը": 7}
    words |= _HY_UNITS | _EN_UNITS
    for tens_word, tens in _HY_TENS.items():
        if tens != 10:
            words[tens_word] = tens
        for unit_word, unit in _HY_UNITS.items():
            # Armenian writes compound numbers as one word: "տասնհինգ", "քսանմեկ".
            words[tens_word + unit_word] = tens + unit
    for tens_word, tens in _EN_TENS.items():
        words[tens_word] = tens
        for unit_word, unit in list(_EN_UNITS.items())[:9]:
            words[f"{tens_word}-{unit_word}"] = tens + unit
            words[f"{tens_word} {unit_word}"] = tens + unit
    return words


NUMBER_WORDS = _number_words()
NUMBER = (
    r"(?:\d{1,3}|"
    + "|".join(re.escape(word) for word in sorted(NUMBER_WORDS, key=len, reverse=True))
    + r")(?!\w)"
)


def number_value(word: str) -> int | None:
    word = " ".join(word.lower().split())
    return int(word) if word.isdigit() else NUMBER_WORDS.get(word)


# Labels of the follow-up fields of a Section 9 item, in any of the ways people type them.
FIELD_LABELS: dict[str, str] = {
    "method": (
        r"(?:իրականացման\s)?(?:եղանակ(?:ը|ներ(?:ը)?)?(?:\s?(?:,|/|" + AND + r")\s?"
        r"ձև(?:ը|եր(?:ը)?)?)?|ձև(?:ը)?)"
        r"|method(?:s)?(?:\s?(?:/|,|" + AND + r")\s?forms?)?(?:\s(?:of\s)?implementation)?"
        r"|forms?|means"
    ),
    "deadline": (
        r"(?:կատարման\s)?ժամկետ(?:ը|ներ(?:ը)?)?"
        r"|deadlines?|due(?:\sdate)?|time\s?-?frame|timeline|term"
    ),
    "owners": (
        r"պատասխանատու(?:ն|ներ(?:ը)?)?|կատարող(?:ը|ներ(?:ը)?)?"
        r"|responsible(?:\s(?:persons?|person\(s\)|officers?|officials?|part(?:y|ies)))?"
        r"|owners?|executors?|in\scharge|assignees?"
    ),
    "expected_result": (
        r"(?:ակնկալվող\s)?արդյունք(?:ը|ներ(?:ը)?)?"
        r"|expected\s(?:results?|outcomes?)|results?|outcomes?"
    ),
}
FIELD_LABEL = "|".join(f"(?P<{key}>{pattern})" for key, pattern in FIELD_LABELS.items())
# A label is followed by the Armenian comma "՝", a colon (ASCII or Armenian), or a spaced dash.
LABEL_SEPARATOR = r"\s?(?:[՝:։]|-(?=\s))\s?"

# List markers, each kind apart so that a sub-list of another kind stays inside its item.
BULLET_CHARS = "-•●▪◦·*‣⁃∙○■□➢►✓\uf0b7\uf0a7\uf076\uf0d8"
LIST_MARKERS: dict[str, str] = {
    "bullet": "[" + re.escape(BULLET_CHARS) + r"]\s",
    "number_paren": r"\(?\d{1,2}\)\s?",
    "number_dot": r"\d{1,2}\.(?!\d)\s",
    "letter": r"\(?[a-zա-ֆ]\)\s?",
}

# The wording of the ten section headings (used to confirm a numbered line is a heading and
# to separate the heading from a value typed on the same line). Never cross ':' '։' or '.'.
# A word before _ANY is matched possessively (`\w*+`): _ANY also matches word characters, and
# letting the two share them would try every split of the word.
_ANY = r"[^:։.]{0,200}"
SECTION_WORDING: dict[int, tuple[str, ...]] = {
    1: (
        rf"(?:անուն\w*\s?(?:,|{AND})?\s?)?ազգանուն\w*(?:\s?,?\s?(?:անուն|հայրանուն)\w*)?",
        r"անուն\w*",
        r"(?:full\s)?name(?:\s?(?:,|and|&)\s?surname)?|surname(?:\s?,\s?name)?",
    ),
    2: (
        r"(?:զբաղեցրած\s)?պաշտոն\w*",
        r"(?:position|post|job\stitle)(?:\sheld)?",
    ),
    3: (
        rf"(?:գործուղման\s)?վայր\w*(?:\s?(?:,|{AND})\s?(?:ժամկետ|ամսաթ)\w*)?",
        r"(?:գործուղման\s)?ժամկետ\w*",
        r"(?:place|destination|venue)(?:\s?(?:,|and|&)\s?(?:dates?|period|time))?"
        r"(?:\sof\s(?:the\s)?(?:business\s)?trip)?",
        r"dates?(?:\sof\s(?:the\s)?(?:business\s)?trip)?",
    ),
    4: (
        r"հրավիրող\s(?:կողմ|կազմակերպություն)\w*",
        r"inviting\s(?:party|side|organi[sz]ation|body)|host(?:ing)?\s(?:party|organi[sz]ation)",
    ),
    5: (
        r"(?:գործուղման\s)?նպատակ\w*",
        r"purpose(?:\sof\s(?:the\s)?(?:business\s)?trip)?|(?:aim|objective)s?",
    ),
    6: (
        r"քննարկ\w*\sթեմա\w*|թեմա\w*",
        r"(?:topics|issues|subjects)(?:\s(?:discussed|covered))?",
    ),
    7: (
        rf"հանդիպում\w*+{_ANY}հարց\w*",
        r"հանդիպում\w*(?:\s?,?\s?(?:ելույթ|քննարկում)\w*)?",
        rf"meetings{_ANY}(?:discussed|raised|addressed)",
        r"meetings(?:\s?(?:,|and)\s?speeches)?",
    ),
    8: (
        rf"(?:հանդիպման|ընդունված|որոշում){_ANY}(?:փաստաթղթ|պայմանավորվածություն)\w*",
        r"(?:ընդունված\s)?որոշում\w*",
        rf"decisions{_ANY}(?:signed|reached|concluded)",
        r"decisions(?:\smade|\staken)?|agreements(?:\sreached)?",
    ),
    9: (
        rf"առաջարկ\w*+{_ANY}(?:արդյունք|պատասխանատու|ժամկետ)\w*\)?",
        # The wording of the 2023 amendment (N 326-Ն).
        rf"առաջարկ\w*\s{AND}\sդրանց\s(?:\w+\s){{0,4}}եղանակ\w*",
        r"(?:recommendations?|proposals?)\s(?:and|&)\s(?:the\s)?(?:methods?|manner|ways?)\sof"
        r"\s(?:monitoring|checking|following\sup)(?:\s(?:their|the))?"
        r"(?:\s(?:implementation|execution|progress))*",
        r"առաջարկ\w*",
        rf"(?:recommendations?|proposals?){_ANY}(?:results?|outcomes?|responsible|deadlines?)\)?",
        r"recommendations?(?:\s(?:and|&)\sproposals?)?|proposals?",
    ),
    10: (
        rf"ստորագր\w*(?:\s?(?:,|{AND})\s?ամսաթ\w*)?|ամսաթ\w*(?:\s?(?:,|{AND})\s?ստորագր\w*)?",
        r"signature(?:\s?(?:,|and|&)\s?date)?|date(?:\s?(?:,|and|&)\s?signature)?",
    ),
}
