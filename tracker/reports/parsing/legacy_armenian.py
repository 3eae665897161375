"""Armenian typed before Unicode, converted to Unicode (issue #15, point 3).

Two forms of the same 8-bit layout reach the importer:

- ArmSCII-8 bytes (a .txt saved in the old encoding): not UTF-8, so the text reader refuses them;
- the legacy fonts ("Arial Armenian", "Times Armenian" and the other ArTarumian-style fonts),
  which draw Armenian letters on the Latin-1 code points of the ArmSCII-8 bytes: a .docx or a PDF
  typed in them reads as Unicode Latin-1 text such as "²»ñ" where the page shows Armenian.

Both are undone with one table, ArmSCII-8 byte -> Unicode character. The table is GNU libiconv's
`lib/armscii_8.h` (libiconv 1.9 to 1.17, unchanged since 2002: `armscii_8_2uni` for decoding,
`armscii_8_wctomb` and its `armscii_8_page*` tables for encoding), which follows the ArmSCII-8
table of the Armenian standard (ArmSCII, 1999; the same table as the Wikipedia article "ArmSCII").
Bytes 0x00-0x9F are ASCII and the C1 controls, unchanged; 0xA1 and 0xFF are not assigned.

Pure: no Flask, no database. Whether a document is converted at all is decided per document by
the parser (tracker/reports/parsing/parser.py), never character by character.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .blocks import Block, Line, Table

ENCODING_NAME = "ArmSCII-8"

# libiconv armscii_8.h, armscii_8_2uni[96]: bytes 0xA0-0xFF (None: 0xFFFD there, not assigned).
_HIGH_HALF: tuple[int | None, ...] = (
    # 0xa0
    0x00A0, None, 0x0587, 0x0589, 0x0029, 0x0028, 0x00BB, 0x00AB,
    0x2014, 0x002E, 0x055D, 0x002C, 0x002D, 0x058A, 0x2026, 0x055C,
    # 0xb0
    0x055B, 0x055E, 0x0531, 0x0561, 0x0532, 0x0562, 0x0533, 0x0563,
    0x0534, 0x0564, 0x0535, 0x0565, 0x0536, 0x0566, 0x0537, 0x0567,
    # 0xc0
    0x0538, 0x0568, 0x0539, 0x0569, 0x053A, 0x056A, 0x053B, 0x056B,
    0x053C, 0x056C, 0x053D, 0x056D, 0x053E, 0x056E, 0x053F, 0x056F,
    # 0xd0
    0x0540, 0x0570, 0x0541, 0x0571, 0x0542, 0x0572, 0x0543, 0x0573,
    0x0544, 0x0574, 0x0545, 0x0575, 0x0546, 0x0576, 0x0547, 0x0577,
    # 0xe0
    0x0548, 0x0578, 0x0549, 0x0579, 0x054A, 0x057A, 0x054B, 0x057B,
    0x054C, 0x057C, 0x054D, 0x057D, 0x054E, 0x057E, 0x054F, 0x057F,
    # 0xf0
    0x0550, 0x0580, 0x0551, 0x0581, 0x0552, 0x0582, 0x0553, 0x0583,
    0x0554, 0x0584, 0x0555, 0x0585, 0x0556, 0x0586, 0x055A, None,
)  # fmt: skip

# Byte -> character, for every assigned byte.
ARMSCII8_TO_UNICODE: dict[int, str] = {
    **{byte: chr(byte) for byte in range(0xA0)},
    **{0xA0 + offset: chr(code) for offset, code in enumerate(_HIGH_HALF) if code is not None},
}

# Character -> byte, as libiconv's armscii_8_wctomb encodes: the ASCII brackets, comma, hyphen
# and full stop go to their ArmSCII-8 places (0xA4, 0xA5, 0xAB, 0xAC, 0xA9), everything else
# below 0xA0 to itself.
UNICODE_TO_ARMSCII8: dict[str, int] = {
    **{chr(byte): byte for byte in range(0xA0)},
    **{chr(code): 0xA0 + offset for offset, code in enumerate(_HIGH_HALF) if code is not None},
}

# Bytes read as Latin-1 (each byte its own character), then this table: one pass in C.
_DECODE_TABLE = str.maketrans(
    {
        chr(byte): ARMSCII8_TO_UNICODE.get(byte, "\ufffd")
        for byte in range(0xA0, 0x100)
        if ARMSCII8_TO_UNICODE.get(byte) != chr(byte)
    }
)
# A legacy-font character is the Latin-1 character of its byte; only the Armenian half of the
# table (0xA1-0xFF) is taken back, and a character with no assigned byte is left as it is.
_FROM_FONT = str.maketrans(
    {
        chr(byte): ARMSCII8_TO_UNICODE[byte]
        for byte in range(0xA1, 0x100)
        if byte in ARMSCII8_TO_UNICODE
    }
)
_TO_FONT = str.maketrans(
    {char: chr(byte) for char, byte in UNICODE_TO_ARMSCII8.items() if ord(char) >= 0x80}
)
_FONT_CHARACTER = re.compile("[\u00a1-\u00ff]")


def decode_armscii8(data: bytes) -> str:
    """ArmSCII-8 bytes as Unicode text; the two unassigned bytes become U+FFFD."""
    return data.decode("latin-1").translate(_DECODE_TABLE)


def encode_armscii8(text: str) -> bytes:
    """Unicode text as ArmSCII-8 bytes (libiconv's encoder); ValueError for a character the
    encoding has no byte for."""
    out = bytearray()
    for position, char in enumerate(text):
        byte = UNICODE_TO_ARMSCII8.get(char)
        if byte is None:
            raise ValueError(f"{char!r} (position {position}) has no byte in {ENCODING_NAME}")
        out.append(byte)
    return bytes(out)


def from_legacy_font(text: str) -> str:
    """Text typed in an ArmSCII-8 font (Latin-1 characters standing for Armenian) as Unicode."""
    return text.translate(_FROM_FONT)


def to_legacy_font(text: str) -> str:
    """Unicode text as a legacy font stores it: ASCII as typed, every other character that
    ArmSCII-8 has on the Latin-1 character of its byte; the rest unchanged."""
    return text.translate(_TO_FONT)


def has_legacy_characters(text: str) -> bool:
    """Whether the text has any character a legacy font would use for Armenian."""
    return _FONT_CHARACTER.search(text) is not None


def blocks_have_legacy_characters(blocks: Iterable[Block]) -> bool:
    for block in blocks:
        texts = (block.text,) if isinstance(block, Line) else (c for r in block.rows for c in r)
        if any(has_legacy_characters(text) for text in texts):
            return True
    return False


def blocks_from_legacy_font(blocks: Iterable[Block]) -> tuple[Block, ...]:
    """Every line and table cell converted with from_legacy_font."""
    return tuple(
        Line(from_legacy_font(block.text))
        if isinstance(block, Line)
        else Table(tuple(tuple(from_legacy_font(cell) for cell in row) for row in block.rows))
        for block in blocks
    )
