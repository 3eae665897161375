"""What the parser returns: immutable values, with the JSON shape of `tracker import --json`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


@dataclass(frozen=True, slots=True)
class ParsedRecommendation:
    """One Section 9 recommendation, to become a draft task."""

    title: str
    text: str
    owners: tuple[str, ...] = ()
    deadline: date | None = None
    deadline_text: str | None = None
    expected_result: str | None = None
    method: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "text": self.text,
            "owners": list(self.owners),
            "deadline": _iso(self.deadline),
            "deadline_text": self.deadline_text,
            "expected_result": self.expected_result,
            "method": self.method,
        }


@dataclass(frozen=True, slots=True)
class OcrSummary:
    """How a scanned document was read by OCR: Tesseract's confidence (0-100) over all the
    words, and the fields with a word read below the threshold, so the reviewer checks those.

    `low_fields` keys: a report field ("author_name", "signatory", "signed_on", …) or
    "recommendations.<index>.<field>" (title, text, owners, deadline_text, expected_result,
    method), each to the lowest confidence of its words."""

    pages: int
    mean_confidence: float
    seconds: float
    engine: str = ""
    low_fields: dict[str, float] = field(default_factory=dict, hash=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "pages": self.pages,
            "mean_confidence": round(self.mean_confidence, 1),
            "seconds": round(self.seconds, 2),
            "engine": self.engine,
            "low_fields": {key: round(value, 1) for key, value in self.low_fields.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OcrSummary:
        return cls(
            pages=int(data["pages"]),
            mean_confidence=float(data["mean_confidence"]),
            seconds=float(data["seconds"]),
            engine=str(data.get("engine", "")),
            low_fields={str(k): float(v) for k, v in dict(data.get("low_fields") or {}).items()},
        )


@dataclass(frozen=True, slots=True)
class ParsedReport:
    """A trip report read from a file; `warnings` lists what could not be read with confidence."""

    source: str
    language: str
    title: str
    author_name: str | None
    author_position: str | None
    destination: str | None
    trip_start: date | None
    trip_end: date | None
    inviting_party: str | None
    purpose: str | None
    signatory: str | None
    signed_on: date | None
    # A dict cannot be hashed; leaving it out of the hash keeps the report hashable.
    sections: dict[str, str] = field(default_factory=dict, hash=False)
    recommendations: tuple[ParsedRecommendation, ...] = ()
    warnings: tuple[str, ...] = ()
    text: str = ""
    # The numbers of the sections found (not in the --json contract: the warnings say it
    # when the form differs from the model's).
    sections_found: tuple[int, ...] = ()
    # Set when the text was read from a scan by OCR; None for a file with a text layer.
    ocr: OcrSummary | None = None

    def to_json(self) -> dict[str, Any]:
        ocr = {} if self.ocr is None else {"ocr": self.ocr.to_json()}
        return {
            "source": self.source,
            "language": self.language,
            "title": self.title,
            "author_name": self.author_name,
            "author_position": self.author_position,
            "destination": self.destination,
            "trip_start": _iso(self.trip_start),
            "trip_end": _iso(self.trip_end),
            "inviting_party": self.inviting_party,
            "purpose": self.purpose,
            "signatory": self.signatory,
            "signed_on": _iso(self.signed_on),
            "sections": dict(self.sections),
            "recommendations": [item.to_json() for item in self.recommendations],
            "warnings": list(self.warnings),
            **ocr,
        }
