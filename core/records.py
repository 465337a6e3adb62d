"""Typed records of a conversation: Word → Segment → SpeakerTurn → Utterance → TaggedUtterance, and the one
`Session` record that travels through the stages (decode → speech → transcribe → diarize → speakers → tag
and roles → store), each stage returning it updated with `dataclasses.replace`.

The JSON form of a `Session` is the project's own transcript format (`Session.to_json`/`from_json`), so
`spiegel import` of it enters the pipeline half-way, without transcribing again, and tests can build any stage
by hand. Every record is a plain frozen dataclass: cheap to create, easy to compare, trivially serialisable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

TRANSCRIPT_FORMAT = "gespreksspiegel-transcript"
#: 1: meta and utterances only (the bundled samples); 2: the whole `Session` record.
TRANSCRIPT_VERSION = 2


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


@dataclass(frozen=True)
class AudioFacts:
    """What decoding found: the length and layout of the recording (the samples themselves are not kept)."""

    duration_s: float
    sample_rate: int = 16_000
    channels: int = 1


@dataclass(frozen=True)
class AsrInfo:
    """How the transcript was made: the model (as stored in `sessions.asr_model`), language and options."""

    model: str
    language: str
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DiarizationInfo:
    """Who spoke when, as the diarizer found it, with the options that made it (`DiarizeOptions`)."""

    num_speakers: int
    turns: tuple[SpeakerTurn, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class RoleDecision:
    """Speaker → role, how each was decided (auto, enrolled, transcript, corrected) and how sure it is."""

    roles: Mapping[str, Role]
    sources: Mapping[str, str] = field(default_factory=dict)
    confidence: float | None = None


@dataclass(frozen=True)
class Provenance:
    """What made the session: program version, speech model, rule files, library versions."""

    program: str = ""
    model: str | None = None
    rule_files: tuple[str, ...] = ()
    versions: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Session:
    """One recording or transcript on its way through the stages; what the store writes and reads back.

    `utterances[i]` has the tagger result `results[i]` once the tag stage ran (`results` is empty before).
    `segments` are the transcription's raw output, turned into utterances by the speaker stage; they are not
    part of the JSON form (their text and words are in the utterances).
    """

    source_name: str
    source_sha256: str
    source_kind: str = "audio"  # audio | transcript | sample
    language: str = "nl"
    recorded_at: str | None = None
    practitioner: str | None = None
    client_code: str | None = None
    audio: AudioFacts | None = None
    asr: AsrInfo | None = None
    speech: tuple[tuple[float, float], ...] = ()
    segments: tuple[Segment, ...] = field(default=(), compare=False)
    diarization: DiarizationInfo | None = None
    utterances: tuple[Utterance, ...] = ()
    results: tuple[TagResult, ...] = ()
    roles: RoleDecision | None = None
    num_speakers: int | None = None
    warnings: tuple[str, ...] = ()
    provenance: Provenance = field(default_factory=Provenance)

    @classmethod
    def of(cls, tagged: Sequence[TaggedUtterance], **fields: Any) -> Session:
        """A session from tagged utterances (tests, importers): splits them into utterances and results."""
        return cls(
            utterances=tuple(t.utterance for t in tagged), results=tuple(t.result for t in tagged), **fields
        )

    @property
    def tagged(self) -> list[TaggedUtterance]:
        """Utterances with their tagger results, in order (empty before the tag stage)."""
        return [TaggedUtterance(u, r) for u, r in zip(self.utterances, self.results, strict=True)]

    @property
    def has_times(self) -> bool:
        return any(u.start_s is not None for u in self.utterances)

    @property
    def duration_s(self) -> float | None:
        """The recording's length; for a transcript with times, the end of its last utterance."""
        if self.audio is not None:
            return self.audio.duration_s
        ends = [u.end_s for u in self.utterances]
        return max(ends) if ends and all(e is not None for e in ends) else None  # type: ignore[type-var]

    @property
    def asr_model(self) -> str:
        return self.asr.model if self.asr is not None else "transcript"

    @property
    def role_confidence(self) -> float | None:
        return self.roles.confidence if self.roles is not None else None

    def to_json(self) -> dict[str, Any]:
        """The project's own JSON transcript format, version 2 (read back by `from_json` and `spiegel import`)."""
        return {
            "format": TRANSCRIPT_FORMAT,
            "version": TRANSCRIPT_VERSION,
            "source": {"name": self.source_name, "sha256": self.source_sha256, "kind": self.source_kind},
            "meta": {
                "language": self.language,
                "recorded_at": self.recorded_at,
                "practitioner": self.practitioner,
                "client_code": self.client_code,
                "source_kind": self.source_kind,
            },
            "audio": asdict(self.audio) if self.audio else None,
            "asr": _plain(asdict(self.asr)) if self.asr else None,
            "speech": [list(region) for region in self.speech],
            "diarization": _plain(asdict(self.diarization)) if self.diarization else None,
            "roles": _plain(asdict(self.roles)) if self.roles else None,
            "num_speakers": self.num_speakers,
            "warnings": list(self.warnings),
            "provenance": _plain(asdict(self.provenance)),
            "utterances": [
                _utterance_json(u, r) for u, r in zip(self.utterances, self._results(), strict=True)
            ],
        }

    def _results(self) -> Sequence[TagResult | None]:
        return self.results or [None] * len(self.utterances)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Session:
        """The record of a version-2 transcript (`to_json`); KeyError/TypeError/ValueError when malformed."""
        source, meta = data["source"], data.get("meta") or {}
        utterances, results = [], []
        for item in data["utterances"]:
            words = tuple(
                Word(float(s), float(e), str(t), float(p)) for s, e, t, p in item.get("words") or ()
            )
            utterances.append(
                Utterance(
                    int(item["idx"]),
                    str(item["speaker"]),
                    Role(item["role"]),
                    str(item["text"]),
                    item.get("start_s"),
                    item.get("end_s"),
                    words,
                )
            )
            if item.get("orientation") is not None:
                results.append(
                    TagResult(
                        Orientation(item["orientation"]),
                        tuple(Tag(**tag) for tag in item.get("tags") or ()),
                        bool(item.get("is_question")),
                        item.get("scale_value"),
                        tuple(item.get("orientation_cues") or ()),
                    )
                )
        audio, asr, diarization, roles = (data.get(k) for k in ("audio", "asr", "diarization", "roles"))
        provenance = data.get("provenance") or {}
        return cls(
            source_name=str(source["name"]),
            source_sha256=str(source["sha256"]),
            source_kind=str(source.get("kind") or "audio"),
            language=str(meta.get("language") or "nl"),
            recorded_at=meta.get("recorded_at"),
            practitioner=meta.get("practitioner"),
            client_code=meta.get("client_code"),
            audio=AudioFacts(**audio) if audio else None,
            asr=AsrInfo(asr["model"], asr["language"], dict(asr.get("options") or {})) if asr else None,
            speech=tuple((float(a), float(b)) for a, b in data.get("speech") or ()),
            diarization=DiarizationInfo(
                int(diarization["num_speakers"]),
                tuple(
                    SpeakerTurn(float(t["start"]), float(t["end"]), str(t["speaker"]))
                    for t in diarization["turns"]
                ),
                dict(diarization.get("options") or {}),
                tuple(diarization.get("warnings") or ()),
            )
            if diarization
            else None,
            utterances=tuple(utterances),
            results=tuple(results) if len(results) == len(utterances) else (),
            roles=RoleDecision(
                {k: Role(v) for k, v in roles["roles"].items()},
                dict(roles.get("sources") or {}),
                roles.get("confidence"),
            )
            if roles
            else None,
            num_speakers=data.get("num_speakers"),
            warnings=tuple(data.get("warnings") or ()),
            provenance=Provenance(
                str(provenance.get("program") or ""),
                provenance.get("model"),
                tuple(provenance.get("rule_files") or ()),
                dict(provenance.get("versions") or {}),
            ),
        )


def _plain(value: Any) -> Any:
    """asdict output made JSON-plain: tuples → lists, mappings → dicts, enums → their values."""
    if isinstance(value, StrEnum):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _utterance_json(u: Utterance, r: TagResult | None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "idx": u.idx,
        "speaker": u.speaker,
        "role": str(u.role),
        "start_s": u.start_s,
        "end_s": u.end_s,
        "text": u.text,
        "words": [[w.start, w.end, w.text, w.probability] for w in u.words],
    }
    if r is not None:
        item |= {
            "orientation": str(r.orientation),
            "is_question": r.is_question,
            "scale_value": r.scale_value,
            "orientation_cues": list(r.orientation_cues),
            "tags": [asdict(tag) for tag in r.tags],
        }
    return item
