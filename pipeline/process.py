"""Orchestration: one recording or transcript in, one stored session out — all or nothing.

Stages (`pipeline/stages.py`, as in whisperX): decode → speech regions (one VAD pass for Whisper and the
diarizer) → transcribe (progress bar) → diarize → split by speaker → tag → decide roles → re-tag with roles
→ store in one transaction, one `Session` record passed along and
returned updated by each. Per file the database is opened once to read (already stored? the practitioner's
voiceprint) and once to write, at the end: a crash anywhere before it leaves the database unchanged, and the
store's transaction covers the write itself. Whisper and the tagger are loaded once per process (cached).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import store
from core.errors import UserError
from core.records import TRANSCRIPT_FORMAT, Provenance, Role, Session, Utterance
from core.texts import text, user_lang, user_text
from pipeline import stages
from pipeline.audio import AUDIO_EXTENSIONS, MAX_DURATION_S, check_readable, decode, file_sha256
from pipeline.diarize.options import DiarizeOptions
from pipeline.importers import ImportedTranscript, read_transcript
from pipeline.inputs import expand_inputs  # noqa: F401  (the CLI's entry point)
from pipeline.progress import Progress
from pipeline.text import guess_language, split_sentences
from pipeline.transcribe import AsrOptions

log = logging.getLogger(__name__)


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
    diarize: DiarizeOptions = field(default_factory=DiarizeOptions)
    progress: bool = True
    max_duration_s: float = MAX_DURATION_S
    #: auto | cpu | cuda: where Whisper runs (auto takes a GPU when one is present; float16 there).
    device: str = "auto"
    #: keep the recording beside the database for the dashboard (`--keep-audio`; off: pipeline/keep.py says why)
    keep_audio: bool = False


@dataclass(frozen=True)
class Outcome:
    """What happened to one input: stored (new or already there), or failed with a reason."""

    path: Path
    session_id: str | None
    created: bool
    error: str | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class Prior:
    """What the database already knows about an input, read in one short read-only connection."""

    session_id: str | None = None
    voiceprint: np.ndarray | None = None


def load_tagger(language: str, patterns: Sequence[Path]):
    """The tagger for a language and the organisation's rule files (built once per process, then cached;
    `tagger.load_tagger` itself loads spaCy without torch)."""
    from tagger import load_tagger as load

    return load(stages.tagger_language(language), tuple(patterns))


def read_prior(options: ProcessOptions, sha256: str, practitioner: str | None = None) -> Prior:
    """Already stored? And the named practitioner's voiceprint: one read-only connection, or none at all."""
    db_path = store.resolve_db_path(options.db)
    if not db_path.exists():
        return Prior()
    try:
        with store.connect(db_path, read_only=True, wait_s=5.0) as con:
            existing = store.find_session_by_sha(con, sha256)
            voiceprint = None if existing or not practitioner else store.load_voiceprint(con, practitioner)
    except store.DatabaseBusy:  # a long writer: the duplicate check is repeated when saving
        log.warning(user_text("log.db.busy_voiceprint"))
        return Prior()
    return Prior(existing, voiceprint)


def _save(options: ProcessOptions, session: Session) -> tuple[str, bool]:
    """Store the session; if the database stays locked, it is kept in a recovery file (store/pending.py).
    Once stored, the partial transcript kept for a resume (store/checkpoints.py) goes."""
    saved = store.save_or_keep(options.db, session)
    store.Checkpoint(options.db, session.source_sha256, "").remove()
    return saved


# ----------------------------------------------------------------------------------------------- audio


def transcribe_recording(path: Path, options: ProcessOptions, prior: Prior | None = None) -> Session:
    """Audio file → tagged session record in memory (nothing stored)."""
    from models import resolve_model
    from pipeline.transcribe import load_whisper
    from pipeline.voiceprints import best_match

    check_readable(path)
    session = stages.start(
        path,
        kind="audio",
        language=options.language,
        recorded=options.recorded_at,
        practitioner=options.practitioner,
        client_code=options.client_code,
    )
    prior = prior or read_prior(options, session.source_sha256, options.practitioner)
    audio = decode(path, keep_channels=options.channels, max_duration_s=options.max_duration_s)
    session = stages.decoded(session, audio)
    resolved = resolve_model(options.model)
    model = load_whisper(resolved.path_or_name, resolved.offline, options.device)
    asr = dataclasses.replace(options.asr, language=None if options.language == "auto" else options.language)

    bar = Progress(path.name, audio.duration_s, options.progress)
    checkpoint = store.Checkpoint(options.db, session.source_sha256, _fingerprint(resolved.label, asr))
    try:
        per_channel = stages.channel_speech(audio, options.channels, options.diarize)
        session = stages.speech(
            session, audio, options.diarize, per_channel
        )  # the one VAD pass, batched or not
        session = stages.transcribe(
            session, audio, model, resolved.label, asr, on_progress=bar.advance_to, checkpoint=checkpoint
        )
        bar.stage(text("cli.progress.speakers", user_lang()))
        session, voices = stages.diarize(
            session, audio, options.speakers, options.channels, options.diarize, per_channel
        )
        session = stages.speakers(session)
        bar.stage(text("cli.progress.tags", user_lang()))
        practitioner_speaker = None
        if prior.voiceprint is not None:
            practitioner_speaker, score = best_match(prior.voiceprint, voices)
            log.info(
                "voiceprint match: %s at similarity %.2f", "found" if practitioner_speaker else "none", score
            )
        session = stages.tag(
            session,
            load_tagger(session.language, options.patterns),
            practitioner_speaker=practitioner_speaker,
        )
        bar.finish()
    finally:
        bar.close()
        checkpoint.close()
    return dataclasses.replace(session, provenance=stages.provenance(resolved.label, options.patterns))


def _fingerprint(model_label: str, asr: AsrOptions) -> str:
    """What must be equal for a checkpoint's chunks to be reused: the model and every decoding option."""
    import hashlib

    text = json.dumps([model_label, asr.as_record()], sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def process_recording(path: Path, options: ProcessOptions) -> Outcome:
    """Transcribe, diarize, tag and store one recording; any failure becomes an Outcome with a reason."""

    def work(started: float) -> Outcome:
        if path.suffix.lower() not in AUDIO_EXTENSIONS and path.exists() and not path.is_dir():
            log.info("unusual extension %s; trying to decode anyway", path.suffix)
        prior = None
        if path.exists() and path.is_file():
            check_readable(path)
            sha256 = file_sha256(path)
            prior = read_prior(options, sha256, options.practitioner)
            if prior.session_id:  # stored already (maybe from a recovery file): no partial transcript left
                store.Checkpoint(options.db, sha256, "").remove()
                _keep(path, options, prior.session_id)  # a rerun with --keep-audio adds the recording
                return Outcome(path, prior.session_id, created=False, seconds=time.perf_counter() - started)
        return _stored(path, options, transcribe_recording(path, options, prior), started)

    return _guarded(path, work)


def _stored(path: Path, options: ProcessOptions, session: Session, started: float) -> Outcome:
    session_id, created = _save(options, session)
    if session.source_kind == "audio":
        _keep(path, options, session_id)
    return Outcome(path, session_id, created, seconds=time.perf_counter() - started)


def _keep(path: Path, options: ProcessOptions, session_id: str | None) -> None:
    """The recording beside the database when the user asked for it (`--keep-audio`, pipeline/keep.py)."""
    if options.keep_audio:
        from pipeline.keep import keep_recording

        keep_recording(path, options.db, session_id, options.max_duration_s)


def _guarded(path: Path, work: Callable[[float], Outcome]) -> Outcome:
    """Run one input's work; a UserError or an unforeseen failure becomes an Outcome with one sentence."""
    started = time.perf_counter()
    try:
        return work(started)
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


def _named_practitioner(speakers: Sequence[str], practitioner: str, path: Path) -> dict[str, Role]:
    wanted = practitioner.strip().casefold()
    if wanted not in {s.casefold() for s in speakers}:
        raise UserError(
            "error.import.no_practitioner",
            name=path.name,
            practitioner=practitioner,
            speakers=", ".join(speakers),
        )
    return {s: Role.PRACTITIONER if s.casefold() == wanted else Role.CLIENT for s in speakers}


def _fixed_roles(
    imported: ImportedTranscript, practitioner: str | None, path: Path
) -> dict[str, Role] | None:
    speakers = list(dict.fromkeys(t.speaker for t in imported.turns))
    if practitioner:
        return _named_practitioner(speakers, practitioner, path)
    given = {t.speaker: t.role for t in imported.turns if t.role}
    if given and len(given) == len(speakers):
        try:
            return {s: Role(r) for s, r in given.items()}
        except ValueError as error:
            raise UserError("error.import.role", name=path.name) from error
    return None


def session_record_in(path: Path) -> Session | None:
    """The whole session record when `path` is our own JSON, version 2 (`Session.to_json`); else None."""
    if path.suffix.lower() != ".json" or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None  # the transcript readers give the one-sentence reason
    if not isinstance(data, dict) or data.get("format") != TRANSCRIPT_FORMAT or data.get("version") != 2:
        return None
    try:
        return Session.from_json(data)
    except (KeyError, TypeError, ValueError) as error:
        raise UserError("error.import.damaged_session", name=path.name, error=error) from error


def resume_session(
    session: Session, options: ProcessOptions, provenance: Provenance | None = None
) -> Session:
    """A session record from JSON enters at the tag stage: its transcript and speakers are kept as they are.

    Roles stay as decided in the record (with how each was decided), unless `--practitioner` names one.
    `provenance` (`stages.provenance(None, options.patterns)`) is computed once per import run by the caller:
    it reads every library's metadata and hashes the rule files.
    """
    if not session.utterances:
        raise UserError("error.import.no_utterances", name=session.source_name)
    speakers = list(dict.fromkeys(u.speaker for u in session.utterances))
    if options.practitioner:
        roles = _named_practitioner(speakers, options.practitioner, Path(session.source_name))
        sources = dict.fromkeys(roles, "transcript")
    elif session.roles is not None:
        roles, sources = dict(session.roles.roles), dict(session.roles.sources)
    else:
        roles = {u.speaker: u.role for u in session.utterances}
        sources = dict.fromkeys(roles, "transcript")
    confidence = session.roles.confidence if session.roles is not None else None
    rules = (provenance or stages.provenance(None, options.patterns)).rule_files
    tagged = stages.tag(
        session, load_tagger(session.language, options.patterns), fixed_roles=roles, role_sources=sources
    )
    return dataclasses.replace(
        tagged,
        roles=dataclasses.replace(tagged.roles, confidence=confidence) if tagged.roles else None,
        practitioner=options.practitioner or session.practitioner,
        client_code=options.client_code or session.client_code,
        recorded_at=options.recorded_at or session.recorded_at,
        provenance=dataclasses.replace(session.provenance, rule_files=rules),
    )


def transcript_from_file(
    path: Path,
    options: ProcessOptions,
    *,
    sha256: str | None = None,
    provenance: Provenance | None = None,
) -> Session:
    """Transcript file → tagged session record in memory.

    An import of many files passes the file's `sha256` (read once, for the duplicate check) and the run's
    `provenance` (the same for every file of a run) instead of having them computed again per file."""
    record = session_record_in(path)
    if record is not None:
        return resume_session(record, options, provenance)
    imported = read_transcript(path)
    if options.language in stages.TAGGER_LANGUAGES:
        language = options.language
    else:
        language = imported.language or guess_language([t.text for t in imported.turns[:200]])
    utterances = _imported_utterances(imported)
    has_times = all(u.start_s is not None and u.end_s is not None for u in utterances)
    if not has_times:  # partial times would make durations meaningless: the figures are counted instead
        utterances = [dataclasses.replace(u, start_s=None, end_s=None) for u in utterances]
    meta_in = imported.meta
    session = stages.start(
        path,
        kind=str(meta_in.get("source_kind") or "transcript"),
        language=language,
        recorded=options.recorded_at or meta_in.get("recorded_at"),
        practitioner=options.practitioner or meta_in.get("practitioner"),
        client_code=options.client_code or meta_in.get("client_code"),
        sha256=sha256,
    )
    session = dataclasses.replace(
        session,
        utterances=tuple(utterances),
        num_speakers=len({u.speaker for u in utterances}),
        warnings=() if has_times else ("no_times",),
    )
    fixed = _fixed_roles(imported, options.practitioner, path)
    session = stages.tag(
        session,
        load_tagger(language, options.patterns),
        fixed_roles=fixed,
        role_sources=dict.fromkeys(fixed, "transcript") if fixed else None,
    )
    if not session.practitioner:
        named = next((u.speaker for u in session.utterances if u.role == Role.PRACTITIONER), None)
        session = dataclasses.replace(session, practitioner=named)
    # A no_times warning stays after the role warnings, as before.
    warnings = [w for w in session.warnings if w != "no_times"] + ([] if has_times else ["no_times"])
    return dataclasses.replace(
        session, warnings=tuple(warnings), provenance=provenance or stages.provenance(None, options.patterns)
    )


def _unexpected(path: Path, error: Exception, started: float) -> Outcome:
    """Log the details for a bug report (-vv shows the traceback) and give the user one sentence."""
    log.debug("unexpected failure", exc_info=error)
    message = str(UserError("error.unexpected", name=path.name, kind=type(error).__name__))
    return Outcome(path, None, False, error=message, seconds=time.perf_counter() - started)
