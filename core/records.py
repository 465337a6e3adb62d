"""Typed records at each stage boundary: Word → Segment → SpeakerTurn → Utterance → TaggedUtterance.

The JSON form of a `Transcript` (a list of tagged utterances plus session metadata) is the project's own
transcript format, so `spiegel import` can enter the pipeline half-way and tests can build any stage by hand.
Every record is a plain frozen dataclass: cheap to create, easy to compare in tests, trivially serialisable.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

TRANSCRIPT_FORMAT = "gespreksspiegel-transcript"
TRANSCRIPT_VERSION = 1


class Role(StrEnum):
    """Who a speaker is in the conversation (stored in `utterances.role`, never missing)."""

    PRACTITIONER = "practitioner"
    CLIENT = "client"
    OTHER = "other"


class Orientation(StrEnum):
    """Exactly one per utterance; names from taxonomy.md."""

    SOLUTION = "solution"
    PROBLEM = "problem"
    NEUTRAL = "neutral"


@dataclass(frozen=True)
class Word:
    """One recognised word with its time in seconds, as faster-whisper gives it."""

    start: float
    end: float
    text: str
    probability: float = 1.0


@dataclass(frozen=True)
class Segment:
    """A stretch of recognised speech (a Whisper segment), with word times when available."""

    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class SpeakerTurn:
    """A time interval attributed to one speaker label (from diarization, channels, or a transcript)."""

    start: float
    end: float
    speaker: str


@dataclass(frozen=True)
class Tag:
    """One label found in an utterance, with the rule that produced it and its character span.

    `rule` is the stable id of a pattern in `tagger/patterns/`, so the dashboard can explain every tag.
    """

    label: str
    subtype: str | None
    value: float | None
    start_char: int
    end_char: int
    rule: str


@dataclass(frozen=True)
class Utterance:
    """A single speaker's sentence or turn, the unit that gets tagged and stored.

    Times are None for imported transcripts without times.
    """

    idx: int
    speaker: str
    role: Role
    text: str
    start_s: float | None = None
    end_s: float | None = None
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class TagResult:
    """What the tagger says about one text (the contract of taxonomy.md plus `is_question`)."""

    orientation: Orientation
    tags: tuple[Tag, ...] = ()
    is_question: bool = False
    scale_value: float | None = None
    #: The orientation's strongest cues (named features of the orientation model), strongest first: its "why".
    orientation_cues: tuple[str, ...] = ()

    @property
    def labels(self) -> list[str]:
        """Distinct label names in order of first appearance."""
        return list(dict.fromkeys(tag.label for tag in self.tags))


@dataclass(frozen=True)
class TaggedUtterance:
    """An utterance with its tagger result; what the store writes."""

    utterance: Utterance
    result: TagResult


@dataclass
class SessionMeta:
    """Everything stored in the `sessions` row besides the utterances."""

    source_sha256: str
    source_name: str
    language: str
    duration_s: float | None
    asr_model: str
    recorded_at: str | None = None
    practitioner: str | None = None
    client_code: str | None = None
    source_kind: str = "audio"
    role_confidence: float | None = None
    num_speakers: int | None = None
    warnings: list[str] = field(default_factory=list)
    asr_options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Transcript:
    """A whole processed session: metadata and tagged utterances in order."""

    meta: SessionMeta
    utterances: list[TaggedUtterance]

    def to_json(self) -> dict[str, Any]:
        """The project's own JSON transcript format (read back by `spiegel import`)."""
        return {
            "format": TRANSCRIPT_FORMAT,
            "version": TRANSCRIPT_VERSION,
            "meta": asdict(self.meta),
            "utterances": [
                {
                    "idx": t.utterance.idx,
                    "speaker": t.utterance.speaker,
                    "role": str(t.utterance.role),
                    "start_s": t.utterance.start_s,
                    "end_s": t.utterance.end_s,
                    "text": t.utterance.text,
                    "orientation": str(t.result.orientation),
                    "is_question": t.result.is_question,
                    "scale_value": t.result.scale_value,
                    "tags": [asdict(tag) for tag in t.result.tags],
                }
                for t in self.utterances
            ],
        }
