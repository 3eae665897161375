"""Section 9: recommendations and how to follow them up, in whatever shape they were typed.

Shapes: a list (`-`, `•`, `1)`, `1.`, `a)`) with labelled field lines or fields in brackets;
a Word table with recognizable column headers in any order; plain paragraphs; or a statement
that there are no recommendations.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from .blocks import Block, Line, Table, fold, lines_of, trim_value
from .deadline_phrases import parse_deadline
from .errors import ParseWarning
from .layout import FieldLabel, ListMarker, field_label, list_marker
from .model import ParsedRecommendation
from .vocabulary import AND, FIELD_LABEL, LABEL_SEPARATOR

_FLAGS = re.IGNORECASE
TITLE_MAX_CHARS = 160
INLINE_LABEL_SCAN_CHARS = 10_000
# More names than any real recommendation lists; a hostile list stops here.
MAX_OWNERS = 50

_NO_RECOMMENDATIONS = re.compile(
    r"^(?:առաջարկ(?:ություն)?ներ\s(?:չկան|չեն\s(?:ներկայացվել|արվել)|առկա\sչեն)|չկան|չկա|չի\sնախատեսվում"
    r"|no\s(?:recommendations?|proposals?)(?:\s(?:were\s)?(?:made|given))?|none|n/?a|not\sapplicable"
    r"|-+)[\s.:։;!]*$",
    _FLAGS,
)
# A label inside the item's own text: at its start, or after a bracket or punctuation.
_INLINE_LABEL = re.compile(
    rf"(?P<before>^|[(\[;,.։:]\s?|\s-\s)(?:{FIELD_LABEL}){LABEL_SEPARATOR}",
    _FLAGS,
)
_COLUMN_ROLES = (
    ("number", r"^(?:n|№|#|no\.?|հ/հ|հհ|n/n|\d{1,2})$"),
    ("expected_result", r"(?<!\w)(?:ակնկալ|արդյունք|expected|results?|outcomes?)"),
    ("owners", r"(?<!\w)(?:պատասխանատու|կատարող|responsib|owners?|executors?|in\scharge)"),
    ("deadline", r"(?<!\w)(?:ժամկետ|deadlines?|due|term|timeline|time\s?-?frame)"),
    ("method", r"(?<!\w)(?:եղանակ|ձև|method|forms?(?!\w)|means)"),
    (
        "recommendation",
        r"(?<!\w)(?:առաջարկ|միջոցառ|recommend|proposal|actions?|measures?|tasks?|activit)",
    ),
)
_COLUMN_PATTERNS = tuple((role, re.compile(pattern, _FLAGS)) for role, pattern in _COLUMN_ROLES)
_OWNER_SEPARATORS = frozenset(",;/\n")
_OWNER_CONJUNCTION = re.compile(rf"\s{AND}\s", _FLAGS)
_SENTENCE_END = re.compile(r"[։:.!?](?=\s|$)")
_ABBREVIATION = re.compile(
    r"(?:^|[\s(])(?:թթ?|\w|e\.g|i\.e|etc|mr|mrs|ms|dr|no|st|vs|prof|approx|incl|պ|տ|դ)$",
    _FLAGS,
)
_ARMENIAN = re.compile("[\u0531-\u0587]")
# A bracket left open at a line's end, with the few words after it: "(expected", "(ակնկալվող",
# "(expec-". The PDF may have wrapped a label there ("(expected" / "result: ...)").
_OPEN_BRACKET_TAIL = re.compile(r"[(\[](?P<tail>[^()\[\]:։՝;,]{0,40})$")


@dataclass(frozen=True, slots=True)
class Recommendations:
    items: tuple[ParsedRecommendation, ...]
    warnings: tuple[str, ...] = ()


@dataclass(slots=True)
class _Draft:
    """One recommendation while its lines are being collected."""

    lines: list[str]
    # Each label seen, with the lines of its value (a value may wrap onto the next lines).
    fields: dict[str, list[list[str]]] = field(default_factory=dict)
    last_field: str | None = None
    # Lines after a blank line: the item's own if another item follows, closing prose if not.
    held_back: list[str] = field(default_factory=list)

    def add_field(self, key: str, value: str) -> None:
        self.fields.setdefault(key, []).append([value])
        self.last_field = key

    def add_text(self, line: str) -> None:
        if self.last_field:
            self.fields[self.last_field][-1].append(line)
        else:
            self.lines.append(line)

    def last_line(self) -> str:
        return self.fields[self.last_field][-1][-1] if self.last_field else self.lines[-1]

    def replace_last_line(self, line: str) -> None:
        if self.last_field:
            self.fields[self.last_field][-1][-1] = line
        else:
            self.lines[-1] = line

    def continue_split_label(self, line: str) -> bool:
        """Join `line` to the last one when it ends a label the last one began inside a
        bracket ("… (expected" / "result: …)"): the line is part of the value it is in."""
        joined = rejoin_split_label(self.last_line(), line)
        if joined is not None:
            self.replace_last_line(joined)
        return joined is not None

    def field_values(self) -> dict[str, str]:
        """Each label's value. A value may hold further fields written inline ("Deadline: by
        31 December 2026 (expected result: …)"): they are split off into their own fields,
        unless that field has a labelled value of its own."""
        # Several names may stand on separate lines (a table cell), so values keep line breaks
        # between labels; the lines of one labelled value are joined.
        values: dict[str, str] = {}
        inline: dict[str, str] = {}
        for key, entries in self.fields.items():
            own = []
            for parts in entries:
                value, found = split_inline_fields(" ".join(parts))
                own.append(_without_closing_bracket(value))
                for found_key, found_value in found.items():
                    inline.setdefault(found_key, found_value)
            values[key] = "\n".join(own)
        for key, value in inline.items():
            values.setdefault(key, value)
        return values

    def release_held_back(self) -> None:
        for line in self.held_back:
            self.add_text(line)
        self.held_back.clear()


def extract_recommendations(blocks: Sequence[Block], *, signed_on: date | None) -> Recommendations:
    """The recommendations of Section 9 (given as its blocks), with what was unclear."""
    warnings: list[str] = []
    drafts = _drafts_from_tables(blocks, warnings)
    if drafts is None:
        lines = lines_of(block for block in blocks if isinstance(block, Line))
        text = " ".join(" ".join(lines).split())
        if not text:
            return Recommendations((), (ParseWarning("section9_empty"),))
        if _NO_RECOMMENDATIONS.match(text):
            return Recommendations((), (ParseWarning("section9_none"),))
        drafts = _drafts_from_list(lines, warnings)
        if not drafts:
            drafts = _drafts_from_paragraphs(lines)
    items = []
    for number, draft in enumerate(drafts, start=1):
        item = _finish(draft, number, signed_on, warnings)
        if item is not None:
            items.append(item)
    if not items:
        warnings.append(ParseWarning("no_recommendations"))
    return Recommendations(tuple(items), tuple(warnings))


# ---------------------------------------------------------------- lists


def _drafts_from_list(lines: list[str], warnings: list[str]) -> list[_Draft]:
    reader = _ListReader()
    for line in (line.strip() for line in lines):
        reader.read(line)
    drafts = reader.drafts
    if drafts and drafts[-1].held_back:
        closing = " ".join(drafts[-1].held_back)
        warnings.append(ParseWarning("text_after_list", text=_short(closing)))
    return drafts


@dataclass(slots=True)
class _ListReader:
    """Collects a list's items line by line."""

    drafts: list[_Draft] = field(default_factory=list)
    list_kind: str | None = None
    after_blank: bool = False

    def read(self, line: str) -> None:
        if not line:
            self.after_blank = bool(self.drafts)
            return
        label = field_label(line)
        marker = self._next_item_marker(line, label)
        if marker is not None:
            self._start_item(marker)
        elif not self.drafts:
            return  # lines before the first item introduce the list: context, not a task
        elif self.after_blank and label is None:
            self.drafts[-1].held_back.append(line)
            return
        elif not self.after_blank and self.drafts[-1].continue_split_label(line):
            pass
        else:
            self._continue_item(self.drafts[-1], line, label)
        self.after_blank = False

    def _next_item_marker(self, line: str, label: FieldLabel | None) -> ListMarker | None:
        """The marker of a line that starts the next item: one of the list's own kind with
        text after it (another kind of marker inside an item is a sub-list of that item)."""
        marker = None if label else list_marker(line)
        if marker is not None and marker.rest and self.list_kind in (None, marker.kind):
            return marker
        return None

    def _start_item(self, marker: ListMarker) -> None:
        self.list_kind = marker.kind
        if self.drafts:
            self.drafts[-1].release_held_back()
        self.drafts.append(_Draft([marker.rest.strip()]))

    @staticmethod
    def _continue_item(current: _Draft, line: str, label: FieldLabel | None) -> None:
        current.release_held_back()
        if label is not None:
            current.add_field(label.key, label.value)
        else:
            current.add_text(line)


def _drafts_from_paragraphs(lines: list[str]) -> list[_Draft]:
    drafts: list[_Draft] = []
    for line in (line.strip() for line in lines):
        if not line or _introduces_what_follows(line):
            continue
        label = field_label(line)
        if drafts and drafts[-1].continue_split_label(line):
            continue
        if label is not None and drafts:
            drafts[-1].add_field(label.key, label.value)
        elif label is None:
            drafts.append(_Draft([line]))
    return drafts


def _introduces_what_follows(line: str) -> bool:
    # In English a closing colon announces what follows; Armenian typists use ':' for '։'.
    return line.endswith(":") and not _ARMENIAN.search(line)


# ---------------------------------------------------------------- tables


def _drafts_from_tables(blocks: Sequence[Block], warnings: list[str]) -> list[_Draft] | None:
    tables = [block for block in blocks if isinstance(block, Table)]
    if not tables:
        return None
    drafts: list[_Draft] = []
    for table in tables:
        table_drafts = _drafts_from_table(table)
        if table_drafts is None:
            warnings.append(ParseWarning("table_not_recognized"))
            drafts.extend(
                _Draft([" — ".join(cell for cell in row if cell)]) for row in table.rows if any(row)
            )
        else:
            drafts.extend(table_drafts)
    return drafts


def _drafts_from_table(table: Table) -> list[_Draft] | None:
    for header_index, row in enumerate(table.rows):
        columns = _column_roles(row)
        if columns is not None:
            return [
                draft
                for data_row in table.rows[header_index + 1 :]
                if (draft := _draft_from_row(data_row, row, columns)) is not None
            ]
    return None


def _column_roles(header: tuple[str, ...]) -> dict[str, int] | None:
    roles = _matched_columns(header)
    if "recommendation" not in roles:
        column = _unnamed_recommendation_column(header, roles)
        if column is None:
            return None
        roles["recommendation"] = column
    named = set(roles) - {"number"}
    return roles if len(named) >= 2 else None


def _matched_columns(header: tuple[str, ...]) -> dict[str, int]:
    """Each role's first column whose heading names it (a heading names one role at most)."""
    roles: dict[str, int] = {}
    for index, cell in enumerate(header):
        folded = fold(" ".join(cell.split()))
        for role, pattern in _COLUMN_PATTERNS:
            if role not in roles and pattern.search(folded):
                roles[role] = index
                break
    return roles


def _unnamed_recommendation_column(header: tuple[str, ...], roles: dict[str, int]) -> int | None:
    """With two other roles named, the recommendations are in the first column left over."""
    if len(set(roles) - {"number"}) < 2:
        return None
    free = [index for index in range(len(header)) if index not in roles.values()]
    return free[0] if free else None


def _draft_from_row(
    row: tuple[str, ...], header: tuple[str, ...], columns: dict[str, int]
) -> _Draft | None:
    def cell(role: str) -> str:
        index = columns.get(role)
        return row[index].strip() if index is not None and index < len(row) else ""

    text = cell("recommendation")
    values = [value.strip() for value in row if value.strip()]
    # Skip empty rows, the column-number row ("1 | 2 | 3") and a repeated header.
    if not text or all(value.isdigit() for value in values) or tuple(row) == tuple(header):
        return None
    draft = _Draft([" ".join(text.split())])
    for role in ("method", "deadline", "owners", "expected_result"):
        value = cell(role)
        if value:
            draft.add_field(role, value)
    return draft


# ---------------------------------------------------------------- one recommendation


# What a recommendation lacks, by (no owner, no deadline): the warning's code.
_MISSING_CODES: dict[tuple[bool, bool], str | None] = {
    (False, False): None,
    (True, False): "recommendation_no_owner",
    (False, True): "recommendation_no_deadline",
    (True, True): "recommendation_no_owner_no_deadline",
}


def _finish(
    draft: _Draft, number: int, signed_on: date | None, warnings: list[str]
) -> ParsedRecommendation | None:
    text, inline_fields = split_inline_fields(" ".join(draft.lines))
    text = " ".join(text.split())
    if not text:
        return None
    fields = draft.field_values()
    for key, value in inline_fields.items():
        fields.setdefault(key, value)
    title = first_sentence(text)
    owners = split_owners(fields.get("owners", ""))
    deadline_text = _single_line(fields.get("deadline"))
    parsed = parse_deadline(deadline_text or "", signed_on=signed_on)
    label: dict[str, str | int] = {"number": number, "title": _short(title, 40)}
    missing = _MISSING_CODES[not owners, deadline_text is None]
    if missing:
        warnings.append(ParseWarning(missing, **label))
    if parsed.warning:
        warnings.append(ParseWarning("recommendation_deadline", **label, detail=parsed.warning))
    return ParsedRecommendation(
        title=title,
        text=text,
        owners=owners,
        deadline=parsed.deadline,
        deadline_text=deadline_text,
        expected_result=_single_line(fields.get("expected_result")),
        method=_single_line(fields.get("method")),
    )


def _single_line(value: str | None) -> str | None:
    return trim_value(" ".join(value.split())) or None if value else None


def split_inline_fields(text: str) -> tuple[str, dict[str, str]]:
    """The item's own words, and fields written inside it: "... (Deadline: Q4 2025)"."""
    # Labels are looked for in the item's first characters only (its text is kept whole: the
    # last field runs to its end); an item of a real report is far shorter.
    matches = list(_INLINE_LABEL.finditer(fold(text[:INLINE_LABEL_SCAN_CHARS])))
    if not matches:
        return text, {}
    fields: dict[str, str] = {}
    for position, match in enumerate(matches):
        end = matches[position + 1].start() if position + 1 < len(matches) else len(text)
        key = next(name for name, value in match.groupdict().items() if value and name != "before")
        value = _without_closing_bracket(text[match.end() : end])
        if value and key not in fields:
            fields[key] = value
    before = matches[0]["before"]
    # Keep the full stop that ended the item's sentence; drop a bracket or comma.
    cut = matches[0].start() + (1 if before.strip() in (".", "։", ":") else 0)
    return text[:cut].strip(), fields


def rejoin_split_label(previous: str, line: str) -> str | None:
    """`previous` and `line` as one line when `previous` ends inside an open bracket and the
    label in it goes on at the start of `line` ("… (expected" + "result: …)", "(expec-" +
    "ted result: …)", "(" + "Deadline: …"); None when `line` is something else."""
    match = _OPEN_BRACKET_TAIL.search(fold(previous[-48:]))
    if match is None:
        return None
    tail = match["tail"].lstrip()
    if len(tail) > 1 and tail.endswith("-") and tail[-2].isalpha() and line[:1].islower():
        # A word the PDF hyphenated at the line's end: the hyphen goes, no space.
        head, glue = previous.rstrip()[:-1], ""
        tail = tail[:-1]
    else:
        head, glue = previous.rstrip(), " "
    if field_label(f"{tail}{glue}{line}".strip()) is None:
        return None
    return f"{head}{glue}{line}"


def _without_closing_bracket(value: str) -> str:
    """ "Կ. Բաղիշյան)։" -> "Կ. Բաղիշյան", but "Ա. Սարգսյան (բաժնի պետ)" keeps its bracket."""
    value = value.strip().rstrip("։:;,").rstrip()
    if value.endswith((").", "].")):
        value = value[:-1]  # "(expected result: a law)." ends the sentence after the bracket
    # Brackets are counted once and the end walks back by index: counting (and cutting) the
    # whole value again for each closing bracket would be quadratic on ")))…".
    balance = value.count(")") + value.count("]") - value.count("(") - value.count("[")
    end = len(value)
    while end and value[end - 1] in ")]" and balance > 0:
        balance -= 1
        end = _rstrip_end(value, end - 1, None)
        end = _rstrip_end(value, end, "։:;,")
        end = _rstrip_end(value, end, None)
    return value[:end]


def _rstrip_end(value: str, end: int, characters: str | None) -> int:
    """Where `value[:end].rstrip(characters)` would end, without copying the value."""
    while end and (value[end - 1] in characters if characters else value[end - 1].isspace()):
        end -= 1
    return end


def first_sentence(text: str) -> str:
    """The item's first sentence, as its title (':' ends one only in Armenian text)."""
    colon_ends_sentence = bool(_ARMENIAN.search(text))
    first_letter = len(text) - len(text.lstrip())
    for match in _SENTENCE_END.finditer(text):
        end = match.start()
        if end <= first_letter or (match[0] == ":" and not colon_ends_sentence):
            continue
        # Abbreviations are short: the few characters before the dot decide.
        if match[0] == "." and _ABBREVIATION.search(text[max(0, end - 8) : end]):
            continue
        return _short(trim_value(text[:end]), TITLE_MAX_CHARS)
    return _short(trim_value(text), TITLE_MAX_CHARS)


def split_owners(value: str) -> tuple[str, ...]:
    """Names of the responsible persons: split at commas and ';', and at 'և'/'and' between
    capitalised names (not inside "կրթության և մշակույթի բաժին")."""
    owners: dict[str, None] = {}  # a dict keeps the order and finds a repeat at once
    for part in _split_outside_brackets(value):
        pieces = _OWNER_CONJUNCTION.split(part)
        if len(pieces) > 1 and not all(piece.strip()[:1].isupper() for piece in pieces):
            pieces = [part]
        for piece in pieces:
            name = trim_value(piece)
            if name:
                owners[name] = None
                if len(owners) == MAX_OWNERS:
                    return tuple(owners)
    return tuple(owners)


def _split_outside_brackets(value: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    start = 0
    for index, character in enumerate(value):
        depth += character in "(["
        depth -= character in ")]" and depth > 0
        if depth == 0 and character in _OWNER_SEPARATORS:
            parts.append(value[start:index])
            start = index + 1
    parts.append(value[start:])
    return parts


def _short(text: str, limit: int = 80) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return f"{cut}…"
