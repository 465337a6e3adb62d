"""The stages of one recording, each taking the `Session` record and returning it updated.

    start → decode → speech (the one VAD pass) → transcribe → diarize → speakers → tag and roles → store

Every stage is `dataclasses.replace(session, ...)` of what it found, so a stage can be run again on a stored
session (read back with `store.load_session`) and the JSON form of the record (`Session.to_json`) can enter
at the tag stage without transcribing again. Audio samples are not part of the record: the stages that need
them take the decoded audio beside it. Nothing here touches the database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import UserError
from core.records import (
    AsrInfo,
    AudioFacts,
    DiarizationInfo,
    Provenance,
    Role,
    RoleDecision,
    Session,
)
from pipeline.audio import DecodedAudio, file_sha256
from pipeline.diarize.options import DEFAULT_OPTIONS, DiarizeOptions

TAGGER_LANGUAGES = ("nl", "en")
#: Libraries whose versions are recorded with every session (read from their metadata, not imported).
RECORDED_LIBRARIES = ("faster-whisper", "ctranslate2", "spacy", "torch", "duckdb", "numpy")


def tagger_language(language: str) -> str:
    return language if language in TAGGER_LANGUAGES else "nl"


def recorded_at(path: Path, given: str | None) -> str:
    """The date the user gave, else the file's modification date (shown, and editable, in the dashboard)."""
    if given:
        return given
    return dt.date.fromtimestamp(path.stat().st_mtime).isoformat()


def provenance(model: str | None, patterns: Sequence[Path]) -> Provenance:
    """Program and library versions, the speech model, and the organisation rule files (name and SHA-256)."""
    versions: dict[str, str] = {}
    for name in RECORDED_LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    try:
        program = metadata.version("gespreksspiegel")
    except metadata.PackageNotFoundError:
        program = "unknown"
    files = []
    for path in patterns:
        for file in sorted(path.rglob("*.jsonl")) if path.is_dir() else [path]:
            digest = hashlib.sha256(file.read_bytes()).hexdigest()[:16] if file.is_file() else "missing"
            files.append(f"{file.name}:{digest}")
    return Provenance(program=program, model=model, rule_files=tuple(files), versions=versions)


def start(
    path: Path,
    *,
    kind: str,
    language: str,
    recorded: str | None,
    practitioner: str | None,
    client_code: str | None,
    sha256: str | None = None,
) -> Session:
    """The record of an input before any stage: its name, SHA-256 and what the user said about it."""
    return Session(
        source_name=path.name,
        source_sha256=sha256 or file_sha256(path),
        source_kind=kind,
        language=language,
        recorded_at=recorded_at(path, recorded),
        practitioner=practitioner,
        client_code=client_code,
    )


def decoded(session: Session, audio: DecodedAudio) -> Session:
    channels = 1 if audio.channels is None else int(audio.channels.shape[0])
    return dataclasses.replace(
        session,
        audio=AudioFacts(round(audio.duration_s, 3), 16_000, channels),
        warnings=(*session.warnings, *audio.warnings),  # a truncated or damaged file (pipeline/audio.py)
    )


def speech(
    session: Session,
    audio: DecodedAudio,
    options: DiarizeOptions = DEFAULT_OPTIONS,
    per_channel: Sequence[Sequence[tuple[float, float]]] | None = None,
) -> Session:
    """The one VAD pass: speech regions (Silero, on loudness-normalised audio) for Whisper and the diarizer.
    With `per_channel` (`channel_speech`, for `--channels`) the regions are their union: no pass on the mix."""
    from pipeline.diarize.channels import merged_regions
    from pipeline.diarize.embedding import speech_regions
    from pipeline.diarize.frontend import _normalise

    if per_channel is not None:
        regions = merged_regions(per_channel)
    else:
        regions = speech_regions(_normalise(audio.samples), options=options)
    if not regions:
        raise UserError("error.audio.no_speech", name=session.source_name)
    return dataclasses.replace(session, speech=tuple(regions))


def transcribe(
    session: Session,
    audio: DecodedAudio,
    model: Any,
    model_label: str,
    options: Any,
    on_progress: Callable[[float], None] | None = None,
    checkpoint: Any = None,
) -> Session:
    """Whisper over the audio: segments with word times, the language, and the options that made them.
    `checkpoint` keeps finished chunks for a resume after a crash (store.Checkpoint)."""
    from pipeline.coverage import transcribe_covered

    regions = session.speech or None  # the speech stage's regions; without them Whisper runs its own VAD
    segments, language, coverage = transcribe_covered(
        model, audio.samples, options, on_progress=on_progress, regions=regions, checkpoint=checkpoint
    )
    if not segments:
        raise UserError("error.audio.no_speech", name=session.source_name)
    return dataclasses.replace(
        session,
        language=language,
        asr=AsrInfo(model_label, language, {**options.as_record(), "coverage": coverage.as_record()}),
        segments=tuple(segments),
        warnings=(*session.warnings, *coverage.warnings),  # speech without words (pipeline/coverage.py)
    )


def channel_speech(
    audio: DecodedAudio, channels: bool, options: DiarizeOptions = DEFAULT_OPTIONS
) -> list[list[tuple[float, float]]] | None:
    """`--channels` on a multi-channel file: the VAD on each channel, once, for `speech` and `diarize`."""
    from pipeline.diarize.channels import channel_regions

    if not channels or audio.channels is None:
        return None
    return channel_regions(audio.channels, options)


def diarize(
    session: Session,
    audio: DecodedAudio,
    num_speakers: int | None,
    channels: bool,
    options: DiarizeOptions = DEFAULT_OPTIONS,
    per_channel: Sequence[Sequence[tuple[float, float]]] | None = None,
) -> tuple[Session, Mapping[str, np.ndarray]]:
    """Who spoke when, with the `DiarizeOptions` that made it; returns the record and the speakers' voice
    embeddings (kept out of the record: biometric data, stored only by `spiegel enroll`)."""
    from pipeline.diarize import diarize as by_voice
    from pipeline.diarize import diarize_channels

    if channels and audio.channels is not None:
        result = diarize_channels(audio.channels, options=options, regions=per_channel)
    else:
        result = by_voice(
            audio.samples, num_speakers=num_speakers, options=options, regions=session.speech or None
        )
    info = DiarizationInfo(
        num_speakers=result.num_speakers,
        turns=tuple(result.turns),
        options=dict(result.options),
        warnings=tuple(result.warnings),
    )
    return (
        dataclasses.replace(
            session,
            diarization=info,
            speech=tuple(result.regions),
            num_speakers=result.num_speakers,
            warnings=_merged(session.warnings, result.warnings),
        ),
        result.embeddings,
    )


def speakers(session: Session) -> Session:
    """Segments and speaker turns → one utterance per speaker's sentence (word times decide the splits)."""
    from pipeline.speakers import assign_speakers

    turns = session.diarization.turns if session.diarization else ()
    utterances = assign_speakers(list(session.segments), list(turns))
    if not utterances:
        raise UserError("error.audio.no_speech", name=session.source_name)
    return dataclasses.replace(session, utterances=tuple(utterances), segments=())


def tag(
    session: Session,
    tagger: Any,
    fixed_roles: Mapping[str, Role] | None = None,
    role_sources: Mapping[str, str] | None = None,
    practitioner_speaker: str | None = None,
) -> Session:
    """Tag once without roles, decide roles from the evidence (unless fixed), tag again with roles.

    spaCy analyses each utterance once (`Tagger.analyse`, the bulk of the tagger's time): only the cheap
    conversation pass (`Tagger.tag_analysed`) runs twice when the roles must be decided first.
    `role_sources` says per speaker how a fixed role was decided (transcript, corrected); decided roles are
    "auto", or "enrolled" for every speaker when a voiceprint picked the practitioner.
    """
    warnings: list[str] = []
    analyses = tagger.analyse([u.text for u in session.utterances])
    if fixed_roles is None:
        from pipeline.roles import assign_roles

        first_pass = tagger.tag_analysed(analyses, [None] * len(analyses))
        decision = assign_roles(
            list(session.utterances), first_pass, practitioner_speaker=practitioner_speaker
        )
        roles: Mapping[str, Role] = decision.roles
        confidence: float | None = decision.confidence
        warnings.extend(decision.warnings)
        source = "enrolled" if practitioner_speaker else "auto"
        sources = dict.fromkeys(roles, source)
    else:
        roles, confidence = fixed_roles, None
        sources = {speaker: (role_sources or {}).get(speaker, "auto") for speaker in roles}
    with_roles = tuple(
        dataclasses.replace(u, role=roles.get(u.speaker, Role.CLIENT)) for u in session.utterances
    )
    results = tagger.tag_analysed(analyses, [str(u.role) for u in with_roles])
    speakers_heard = list(dict.fromkeys(u.speaker for u in with_roles))
    decision_record = RoleDecision(
        roles={s: roles.get(s, Role.CLIENT) for s in speakers_heard},
        sources={s: sources.get(s, "auto") for s in speakers_heard},
        confidence=confidence,
    )
    if session.language not in TAGGER_LANGUAGES:
        warnings.append("language_not_supported")
    return dataclasses.replace(
        session,
        utterances=with_roles,
        results=tuple(results),
        roles=decision_record,
        warnings=_merged(session.warnings, warnings),
    )


def _merged(first: Sequence[str], more: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*first, *more]))
