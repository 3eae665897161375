"""Post-correction of what Tesseract systematically misreads in Armenian print.

Seen with the `hye` model on 300 dpi scans of DejaVu and Noto type: the full stop "։" read as
the Latin colon, the "՝" accent as a backquote, the ligature "և" as "ն" (alone and inside
words: "մինչն", "ձնը", "Երնան"), as "ն.", as the capital "Ա" or the Latin "W"; the Roman "II"
of a quarter as "11", "Il" or "|"; "1)" as "1".

Only what is unambiguous is fixed: a rule needs Armenian letters around what it changes, or a
word of the report form itself, so Latin (English) text, numbers and dates are never touched.
Every rule maps a word to one word (no space is added or removed), so a corrected line has its
words where the OCR put them, each with Tesseract's confidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Armenian letters (U+0531-U+0587: capitals, small letters and the "և" ligature).
_HY = "\u0531-\u0556\u0561-\u0587"
_HY_SMALL = "\u0561-\u0587"

_BACKQUOTE = re.compile(rf"(?<=[{_HY}])[`'‘’]")
_COLON = re.compile(rf"(?<=[{_HY}]):(?=\s|$|[»)])")

# A lone "ն" is no Armenian word; nor are "ն." and a Latin "W" between two Armenian words:
# each is the conjunction "և". A capital "Ա" or "Ն" may be an initial that lost its dot, so
# only before a small letter.
_AND_LOOKALIKES = frozenset({"ն", "ն.", "W"})
_AND_CAPITAL_LOOKALIKES = frozenset({"Ա", "Ն"})

# Words of the form and of dates in which "և" is read as "ն": the misread stem and its fix.
# Stems, not whole words, so every case ending is covered ("ձևաչափը", "կարևորվել").
_AND_IN_WORDS = {
    "մինչն": "մինչև",
    "կարնոր": "կարևոր",
    "երնույթ": "երևույթ",
    "Երնան": "Երևան",
    "ձնաչափ": "ձևաչափ",
    "ձնանմուշ": "ձևանմուշ",
    "ձնակերպ": "ձևակերպ",
    "ձնավոր": "ձևավոր",
    "հետնյալ": "հետևյալ",
    "հետնանք": "հետևանք",
    "տնողություն": "տևողություն",
}
# "ձևը" and its cases; the stem "ձն" alone also starts words of snow ("ձնհալ"), so whole
# words only.
_FORM_WORD = re.compile(r"^ձն(ը|ի|ով|եր|երը|երի|երով)?$")
# "մինչև" is also written as a prefix: "մինչնև" never occurs, "մինչն" at a word's end does.
_STEMS = re.compile("^(" + "|".join(map(re.escape, _AND_IN_WORDS)) + ")")

# The Roman numbers of quarters and half-years, as misread, before the word they count.
_PERIOD_WORD = re.compile(r"^(?:եռամսյակ|կիսամյակ)")
# The strokes of "I" as Tesseract reads them: "1", "l", "|", "]", "[", "!"; one character each.
_STROKES = str.maketrans("1l|[]!", "IIIIII")
_ROMAN_AS_READ = re.compile(r"[IVX1l|\[\]!]{1,4}")

_QUOTES = "‘’'`\"“”„"

# A list number whose ")" was lost: "1 Մշակել" at the start of a line.
_LOST_PARENTHESIS = re.compile(r"^(\d{1,2})$")

# Section 9's heading says "եղանակը, ձևը, ժամկետները" and its label "Եղանակը, ձևը՝": the
# short word after "եղանակը" is "ձևը", whatever it was read as ("oun", "dip", "ձնր").
_BEFORE_FORM_WORD = frozenset({"եղանակը,", "եղանակը"})
_SHORT_WORD = re.compile(r"^(\w{1,4})([,՝`:։]?)$")

# The form's own words (headings and labels), against which a word read with one wrong
# letter is put right. Only words of 7 letters or more, and never a difference in the last two
# letters: there Armenian words differ by their case ending ("պաշտոնը", "պաշտոնի"), and a real
# word of the report one letter away from a long word of the form elsewhere is very unlikely.
# A word one letter away from two of them is left as read.
_FORM_WORDS_TEXT = """
    ՀԱՇՎԵՏՎՈՒԹՅՈՒՆ ԳՈՐԾՈՒՂՄԱՆ ԱՐԴՅՈՒՆՔՆԵՐԻ
    ազգանունը Զբաղեցրած պաշտոնը Գործուղման ժամկետները Հրավիրող նպատակը
    Քննարկված թեմաները Հանդիպումները ելույթները բարձրացված քննարկված
    Հանդիպման ընդունված որոշումները պայմանավորվածությունները ստորագրված փաստաթղթերը
    Առաջարկությունները առաջարկները եղանակը պատասխանատուները ակնկալվող արդյունքները
    Ստորագրությունը ամսաթիվը Ժամկետը Ժամկետ Պատասխանատու Պատասխանատուն Պատասխանատուներ
    Ակնկալվող արդյունք արդյունքը Եղանակը Առաջարկություն Առաջարկություններ
    թվականի եռամսյակ եռամսյակում կիսամյակ կիսամյակում
    հունվարի փետրվարի ապրիլի մայիսի հունիսի հուլիսի օգոստոսի սեպտեմբերի
    հոկտեմբերի նոյեմբերի դեկտեմբերի
"""
FORM_WORDS = frozenset(_FORM_WORDS_TEXT.split())
_FOLDED_FORM_WORDS = frozenset(word.casefold() for word in FORM_WORDS)
_FORM_WORDS_BY_LENGTH: dict[int, tuple[str, ...]] = {}
for _word in FORM_WORDS:
    if len(_word) >= 7:
        _FORM_WORDS_BY_LENGTH.setdefault(len(_word), ())
        _FORM_WORDS_BY_LENGTH[len(_word)] += (_word,)
_WORD_CORE = re.compile(rf"^([^{_HY}]*)([{_HY}]+)([^{_HY}]*)$")


def correct_line(line: str) -> str:
    """The line with Tesseract's systematic Armenian misreadings put right."""
    return " ".join(correct_words(line.split(" ")))


def correct_words(words: Iterable[str]) -> list[str]:
    """The words of one line, each corrected: as many words out as in."""
    words = list(words)
    fixed = correct_sequence([_correct_word(word) for word in words])
    if len(fixed) > 1 and _is_armenian_word(fixed[1]):
        fixed[0] = _LOST_PARENTHESIS.sub(r"\1)", fixed[0])
    for index in range(1, len(fixed)):
        after = fixed[index + 1] if index + 1 < len(fixed) else ""
        form_word = _misread_form_word(fixed[index - 1], fixed[index], after)
        if form_word is not None:
            fixed[index] = form_word
    return fixed


def _misread_form_word(before: str, word: str, after: str) -> str | None:
    """The word "ձևը" (with the punctuation read after it) when `word` is the short word after
    "եղանակը" that stands for it; None otherwise."""
    match = _SHORT_WORD.match(word)
    if match is None or match.group(1) == "ձևը" or before.casefold() not in _BEFORE_FORM_WORD:
        return None
    if after.startswith("ժամկետները") or match.group(2) in ("՝", "`", ":", "։"):
        return "ձևը" + match.group(2).replace("`", "՝")
    return None


def correct_sequence(words: list[str]) -> list[str]:
    """The fixes that look at the next word: the conjunction "և" where it was read as "ն",
    "ն.", "W" (or "Ա", "Ն" before a small letter) between two Armenian words, and a quarter's
    Roman number. For a page's words in reading order, as a line may end between the two."""
    fixed = list(words)
    for index, word in enumerate(words):
        before = fixed[index - 1] if index else ""
        after = words[index + 1] if index + 1 < len(words) else ""
        if _ends_armenian(before) and (
            (word in _AND_LOOKALIKES and _is_armenian_word(after))
            or (word in _AND_CAPITAL_LOOKALIKES and _starts_armenian_small(after))
        ):
            fixed[index] = "և"
        elif is_period_number(word, after):
            fixed[index] = word.strip(_QUOTES).translate(_STROKES)
    return fixed


def is_period_number(word: str, after: str) -> bool:
    """Whether `word` is the Roman number of a quarter or half-year (as read, perhaps with
    "1", "l" or "|" for "I") before the word it counts. Tesseract adds and drops the strokes
    of "III" in both directions ("11", "1Ա"), so the reading of such a number is never sure."""
    core = word.strip(_QUOTES)
    return bool(_PERIOD_WORD.match(after)) and bool(_ROMAN_AS_READ.fullmatch(core))


def _correct_word(word: str) -> str:
    if not word:
        return word
    word = _BACKQUOTE.sub("՝", word)
    word = _COLON.sub("։", word)
    match = _WORD_CORE.match(word)
    if match is None:
        return word
    lead, core, tail = match.groups()
    core = _STEMS.sub(lambda stem: _AND_IN_WORDS[stem.group(1)], core)
    if _FORM_WORD.match(core):
        core = "ձև" + core[2:]
    core = _nearest_form_word(core)
    return lead + core + tail


def _nearest_form_word(core: str) -> str:
    """The form's word that `core` is with one letter misread, or `core` itself."""
    if len(core) < 7 or core.casefold() in _FOLDED_FORM_WORDS:
        return core
    found = [
        word
        for word in _FORM_WORDS_BY_LENGTH.get(len(core), ())
        if word[-2:] == core[-2:] and sum(a != b for a, b in zip(word, core, strict=True)) == 1
    ]
    return found[0] if len(found) == 1 else core


def _ends_armenian(word: str) -> bool:
    word = word.rstrip(",)»")
    return bool(word) and bool(re.match(f"[{_HY}]", word[-1]))


def _starts_armenian_small(word: str) -> bool:
    return bool(word) and bool(re.match(f"[{_HY_SMALL}]", word[0]))


def _is_armenian_word(word: str) -> bool:
    return bool(word) and bool(re.match(f"[{_HY}]", word[0]))
