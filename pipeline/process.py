"""Orchestration: one recording or transcript in, one stored session out — all or nothing.

Stages (as in whisperX): decode → transcribe (progress bar) → diarize → split by speaker → tag → decide roles
→ re-tag with roles → store in one transaction. Nothing touches the database until the last step, so a crash
anywhere before it leaves the database unchanged, and the store's transaction covers the last step itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import store
from core.errors import UserError
from core.records import Role, SessionMeta, TaggedUtterance, TagResult, Transcript, Utterance
from pipeline.audio import AUDIO_EXTENSIONS, MAX_DURATION_S, check_readable, decode, file_sha256
from pipeline.importers import ImportedTranscript, read_transcript
from pipeline.text import guess_language, split_sentences
from pipeline.transcribe import AsrOptions

log = logging.getLogger(__name__)

TAGGER_LANGUAGES = ("nl", "en")


@dataclass
class ProcessOptions:
    """Everything `spiegel process` and `spiegel import` take besides the files."""

    db: Path | None = None
    model: str | None = None
    language: str = "nl"  # nl | en | auto
    speakers: int | None = None
    practitioner: str | None = None
    client_code: str | None = None
    recorded_at: str | None = None
    channels: bool = False
    patterns: Sequence[Path] = ()
    asr: AsrOptions = field(default_factory=AsrOptions)
    progress: bool = True
    max_duration_s: float = MAX_DURATION_S


@dataclass(frozen=True)
class Outcome:
    """What happened to one input: stored (new or already there), or failed with a reason."""

    path: Path
    session_id: str | None
    created: bool
    error: str | None = None
    seconds: float = 0.0


def expand_inputs(paths: Sequence[Path], extensions: frozenset[str]) -> list[Path]:
    """Files as given; folders expanded to their files with a known extension (sorted, recursive)."""
    expanded: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in extensions)
            if not found:
                log.warning("folder with no usable files")
            expanded.extend(found)
        else:
            expanded.append(path)
    return expanded


def tagger_language(language: str) -> str:
    return language if language in TAGGER_LANGUAGES else "nl"


def tag_and_assign_roles(
    utterances: list[Utterance],
    language: str,
    patterns: Sequence[Path],
    fixed_roles: dict[str, Role] | None = None,
    practitioner_speaker: str | None = None,
) -> tuple[list[TaggedUtterance], float | None, list[str]]:
    """Tag once without roles, decide roles from the evidence (unless fixed), tag again with roles.

    Returns the tagged utterances, the role confidence (None when roles were given) and warning codes.
    """
    from tagger import load_tagger

    tagger = load_tagger(tagger_language(language), tuple(patterns))
    confidence: float | None = None
    warnings: list[str] = []
    if fixed_roles is None:
        from pipeline.roles import assign_roles

        first_pass = tagger.tag_conversation([(u.text, None) for u in utterances])
        decision = assign_roles(utterances, first_pass, practitioner_speaker=practitioner_speaker)
        roles = decision.roles
        confidence = decision.confidence
        warnings.extend(decision.warnings)
    else:
        roles = fixed_roles
    with_roles = [dataclasses.replace(u, role=roles.get(u.speaker, Role.CLIENT)) for u in utterances]
    results: list[TagResult] = tagger.tag_conversation([(u.text, str(u.role)) for u in with_roles])
    return [TaggedUtterance(u, r) for u, r in zip(with_roles, results, strict=True)], confidence, warnings


def _recorded_at(path: Path, given: str | None) -> str:
    """The date the user gave, else the file's modification date (shown, and editable, in the dashboard)."""
    if given:
        return given
    return dt.date.fromtimestamp(path.stat().st_mtime).isoformat()


def _already_stored(options: ProcessOptions, sha256: str) -> str | None:
    """The stored session of this file, if any; a busy database is checked again when saving."""
    db_path = store.resolve_db_path(options.db)
    if not db_path.exists():
        return None
    try:
        with store.connect(db_path, read_only=True, wait_s=1.0) as con:
            return store.find_session_by_sha(con, sha256)
    except store.DatabaseBusy:
        return None


def _save(options: ProcessOptions, transcript: Transcript, role_source: str) -> tuple[str, bool]:
    """Store the session; if the database stays locked, keep it in a recovery file for the next run."""
    try:
        with store.connect(options.db) as con:
            return store.save_transcript(con, transcript, role_source=role_source)
    except store.DatabaseBusy as error:
        kept = store.keep_pending(options.db, transcript, role_source)
        raise UserError(
            f"{transcript.meta.source_name}: {error} The finished session was kept in {kept.name}; "
            "the next spiegel command that writes to this database stores it."
        ) from error


# ----------------------------------------------------------------------------------------------- audio


def transcribe_recording(path: Path, options: ProcessOptions) -> tuple[Transcript, str]:
    """Audio file → tagged transcript in memory (nothing stored), with how roles were decided.

    The role source is "enrolled" when the named practitioner's voiceprint picked the practitioner, else "auto".
    """
    from models import resolve_model
    from pipeline.coverage import transcribe_covered
    from pipeline.diarize import diarize, diarize_channels
    from pipeline.speakers import assign_speakers
    from pipeline.transcribe import load_whisper

    check_readable(path)
    sha256 = file_sha256(path)
    decoded = decode(path, keep_channels=options.channels, max_duration_s=options.max_duration_s)
    resolved = resolve_model(options.model)
    model = load_whisper(resolved.path_or_name, resolved.offline)
    asr = dataclasses.replace(options.asr, language=None if options.language == "auto" else options.language)

    bar = _Progress(path.name, decoded.duration_s, options.progress)
    try:
        segments, language, coverage = transcribe_covered(
            model, decoded.samples, asr, on_progress=bar.advance_to
        )
        if not segments:
            raise UserError(f"{path.name}: no speech was found in the recording.")
        bar.stage("sprekers")
        if options.channels and decoded.channels is not None:
            diarization = diarize_channels(decoded.channels)
        else:
            diarization = diarize(decoded.samples, num_speakers=options.speakers)
        utterances = assign_speakers(segments, diarization.turns)
        if not utterances:
            raise UserError(f"{path.name}: no speech was found in the recording.")
        bar.stage("labels")
        practitioner_speaker = _enrolled_practitioner(options, diarization)
        tagged, confidence, role_warnings = tag_and_assign_roles(
            utterances, language, options.patterns, practitioner_speaker=practitioner_speaker
        )
        bar.finish()
    finally:
        bar.close()

    warnings = list(
        dict.fromkeys([*decoded.warnings, *coverage.warnings, *diarization.warnings, *role_warnings])
    )
    if language not in TAGGER_LANGUAGES:
        warnings.append("language_not_supported")
    meta = SessionMeta(
        source_sha256=sha256,
        source_name=path.name,
        language=language,
        duration_s=round(decoded.duration_s, 3),
        asr_model=resolved.label,
        recorded_at=_recorded_at(path, options.recorded_at),
        practitioner=options.practitioner,
        client_code=options.client_code,
        source_kind="audio",
        role_confidence=confidence,
        num_speakers=diarization.num_speakers,
        warnings=warnings,
        asr_options={**asr.as_record(), "coverage": coverage.as_record()},
    )
    return Transcript(meta, tagged), ("enrolled" if practitioner_speaker else "auto")


def _enrolled_practitioner(options: ProcessOptions, diarization: Any) -> str | None:
    """The speaker whose voice matches the named, enrolled practitioner, if any."""
    if not options.practitioner:
        return None
    try:
        from pipeline.voiceprints import match_speaker
    except ImportError:
        return None
    db_path = store.resolve_db_path(options.db)
    if not db_path.exists():
        return None
    with store.connect(db_path) as con:
        return match_speaker(con, options.practitioner, diarization.embeddings)


def process_recording(path: Path, options: ProcessOptions) -> Outcome:
    """Transcribe, diarize, tag and store one recording; any failure becomes an Outcome with a reason."""
    started = time.perf_counter()
    try:
        if path.suffix.lower() not in AUDIO_EXTENSIONS and path.exists() and not path.is_dir():
            log.info("unusual extension %s; trying to decode anyway", path.suffix)
        if path.exists() and path.is_file():
            check_readable(path)
            existing = _already_stored(options, file_sha256(path))
            if existing:
                return Outcome(path, existing, created=False, seconds=time.perf_counter() - started)
        transcript, role_source = transcribe_recording(path, options)
        session_id, created = _save(options, transcript, role_source=role_source)
        return Outcome(path, session_id, created, seconds=time.perf_counter() - started)
    except UserError as error:
        return Outcome(path, None, False, error=str(error), seconds=time.perf_counter() - started)
    except Exception as error:  # a bug or an unforeseen library error: one sentence, nothing stored
        return _unexpected(path, error, started)


# ----------------------------------------------------------------------------------------------- transcripts


def _imported_utterances(imported: ImportedTranscript) -> list[Utterance]:
    """Turns → utterances: one per sentence (times shared out by length), or as given for our own JSON."""
    utterances: list[Utterance] = []
    for turn in imported.turns:
        sentences = [turn.text] if imported.presplit else split_sentences(turn.text) or [turn.text]
        total = sum(len(s) for s in sentences) or 1
        cursor = turn.start_s
        span = (turn.end_s - turn.start_s) if turn.start_s is not None and turn.end_s is not None else None
        for sentence in sentences:
            start = cursor
            end = None
            if span is not None and cursor is not None:
                end = cursor + span * len(sentence) / total
                cursor = end
            elif len(sentences) == 1:
                end = turn.end_s
            utterances.append(Utterance(len(utterances), turn.speaker, Role.OTHER, sentence, start, end))
    return utterances


def _fixed_roles(
    imported: ImportedTranscript, practitioner: str | None, path: Path
) -> dict[str, Role] | None:
    speakers = list(dict.fromkeys(t.speaker for t in imported.turns))
    if practitioner:
        wanted = practitioner.strip().casefold()
        if wanted not in {s.casefold() for s in speakers}:
            raise UserError(
                f"{path.name}: no speaker is called {practitioner!r}; the speakers are {', '.join(speakers)}."
            )
        return {s: Role.PRACTITIONER if s.casefold() == wanted else Role.CLIENT for s in speakers}
    given = {t.speaker: t.role for t in imported.turns if t.role}
    if given and len(given) == len(speakers):
        try:
            return {s: Role(r) for s, r in given.items()}
        except ValueError as error:
            raise UserError(f"{path.name}: a role must be practitioner, client or other.") from error
    return None


def transcript_from_file(path: Path, options: ProcessOptions) -> tuple[Transcript, str]:
    """Transcript file → tagged transcript in memory; returns it with the role source."""
    imported = read_transcript(path)
    sha256 = file_sha256(path)
    if options.language in TAGGER_LANGUAGES:
        language = options.language
    else:
        language = imported.language or guess_language([t.text for t in imported.turns[:200]])
    utterances = _imported_utterances(imported)
    has_times = all(u.start_s is not None and u.end_s is not None for u in utterances)
    if not has_times:  # partial times would make durations meaningless: the figures are counted instead
        utterances = [dataclasses.replace(u, start_s=None, end_s=None) for u in utterances]
    fixed = _fixed_roles(imported, options.practitioner, path)
    tagged, confidence, warnings = tag_and_assign_roles(
        utterances, language, options.patterns, fixed_roles=fixed
    )
    meta_in = imported.meta
    duration = max((u.end_s or 0.0) for u in utterances) if has_times else None
    practitioner_name = (
        options.practitioner
        or meta_in.get("practitioner")
        or next((t.utterance.speaker for t in tagged if t.utterance.role == Role.PRACTITIONER), None)
    )
    if not has_times:
        warnings.append("no_times")
    meta = SessionMeta(
        source_sha256=sha256,
        source_name=path.name,
        language=language,
        duration_s=duration,
        asr_model="transcript",
        recorded_at=options.recorded_at or meta_in.get("recorded_at") or _recorded_at(path, None),
        practitioner=practitioner_name,
        client_code=options.client_code or meta_in.get("client_code"),
        source_kind=str(meta_in.get("source_kind") or "transcript"),
        role_confidence=confidence,
        num_speakers=len({u.utterance.speaker for u in tagged}),
        warnings=warnings,
    )
    return Transcript(meta, tagged), ("transcript" if fixed is not None else "auto")


def import_transcript(path: Path, options: ProcessOptions) -> Outcome:
    started = time.perf_counter()
    try:
        if path.is_file():
            check_readable(path)
            existing = _already_stored(options, file_sha256(path))
            if existing:
                return Outcome(path, existing, created=False, seconds=time.perf_counter() - started)
        transcript, role_source = transcript_from_file(path, options)
        session_id, created = _save(options, transcript, role_source)
        return Outcome(path, session_id, created, seconds=time.perf_counter() - started)
    except UserError as error:
        return Outcome(path, None, False, error=str(error), seconds=time.perf_counter() - started)
    except Exception as error:  # a bug or an unforeseen library error: one sentence, nothing stored
        return _unexpected(path, error, started)


def _unexpected(path: Path, error: Exception, started: float) -> Outcome:
    """Log the details for a bug report (-vv shows the traceback) and give the user one sentence."""
    log.debug("unexpected failure", exc_info=error)
    message = f"{path.name}: processing failed unexpectedly ({type(error).__name__}); nothing was stored."
    return Outcome(path, None, False, error=message, seconds=time.perf_counter() - started)


# ----------------------------------------------------------------------------------------------- progress


class _Progress:
    """A tqdm bar over audio seconds, advanced by segment end times; silent when progress is off."""

    def __init__(self, name: str, total_s: float, enabled: bool) -> None:
        self._bar = None
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(
                total=round(total_s, 1),
                desc=name[:40],
                unit="s",
                unit_scale=False,
                leave=True,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} s [{elapsed}<{remaining}] {postfix}",
            )

    def advance_to(self, seconds: float) -> None:
        if self._bar is not None:
            self._bar.update(max(0.0, min(seconds, self._bar.total) - self._bar.n))

    def stage(self, name: str) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(name)

    def finish(self) -> None:
        if self._bar is not None:
            self.advance_to(self._bar.total)
            self._bar.set_postfix_str("klaar")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
