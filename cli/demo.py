"""`spiegel demo`: the README's first command ends here — process the bundled samples, open the dashboard.

The sample audio is generated from the sample transcripts by `samples/make_audio.py` (espeak-ng voices), so
the repository carries text, not audio. Each recording is processed like a user's file, with the sample's
practitioner, client code and date, so the dashboard shows a realistic small caseload.

Whisper hears espeak-ng's voices poorly (a Dutch sample comes out with 1–4 tags where its transcript has
12–22), so a newcomer who only saw those would think the tagger finds almost nothing. The demo therefore also
imports every sample's transcript (what a clean recording would give), and marks the recordings with the
warning `synthetic_voices`, which every page shows in words beside the session.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from cli.lang import say
from core.errors import UserError
from pipeline.imports import import_transcripts
from pipeline.process import Outcome, ProcessOptions, process_recording

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLES = REPO_ROOT / "samples"


#: The warning code of a session spoken by synthetic voices (text: `warning.synthetic_voices`).
SYNTHETIC = "synthetic_voices"


@dataclass(frozen=True)
class SampleRecording:
    audio: Path
    meta: dict
    transcript: Path | None = None


def sample_transcripts() -> list[SampleRecording]:
    """Every sample transcript with the path its generated audio has (the audio may not exist yet)."""
    return [
        SampleRecording(
            SAMPLES / "audio" / f"{s.stem}.wav", json.loads(s.read_text(encoding="utf-8")).get("meta", {}), s
        )
        for s in sorted((SAMPLES / "sessions").glob("*.json"))
    ]


def sample_recordings() -> list[SampleRecording]:
    """Each sample transcript with its generated audio (generating it when missing)."""
    samples = sample_transcripts()
    if not samples:
        raise UserError("error.demo.no_samples")
    if any(not s.audio.exists() for s in samples):
        result = subprocess.run([sys.executable, str(SAMPLES / "make_audio.py")], check=False, cwd=REPO_ROOT)
        if result.returncode != 0:
            raise UserError("error.demo.no_audio")
    return [s for s in samples if s.audio.exists()]


def _options(meta: dict, db: Path | None, progress: bool) -> ProcessOptions:
    return ProcessOptions(
        db=db,
        language=meta.get("language", "nl"),
        practitioner=meta.get("practitioner"),
        client_code=meta.get("client_code"),
        recorded_at=meta.get("recorded_at"),
        progress=progress,
    )


def process_samples(
    db: Path | None, progress: bool = True, transcripts: bool = True, recordings: bool = True
) -> list[Outcome]:
    """Every sample recording (marked as synthetic voices), then every sample transcript."""
    samples = sample_recordings() if recordings else sample_transcripts()
    outcomes = []
    for sample in samples if recordings else []:
        outcome = process_recording(sample.audio, _options(sample.meta, db, progress))
        if outcome.session_id and not outcome.error:
            mark_synthetic(db, outcome.session_id)
        outcomes.append(outcome)
    if transcripts:
        for sample in samples:
            if sample.transcript is not None:
                outcomes.extend(import_transcripts([sample.transcript], _options(sample.meta, db, progress)))
    return outcomes


def mark_synthetic(db: Path | None, session_id: str) -> None:
    import store
    from store.marks import add_warning

    with store.connect(store.resolve_db_path(db)) as con:
        add_warning(con, session_id, SYNTHETIC)


def run_demo(db: Path | None, start_dashboard: bool = True, port: int = 8501) -> int:
    import store

    outcomes = process_samples(db)
    failed = [o for o in outcomes if o.error]
    for outcome in outcomes:
        if outcome.error:
            print(outcome.error, file=sys.stderr)
        else:
            say("cli.demo.stored", name=outcome.path.name, session=outcome.session_id)
    if failed:
        return 1
    if not start_dashboard:
        return 0
    from dashboard.launch import run_dashboard

    db_path = store.resolve_db_path(db)
    say("cli.demo.dashboard", db=db_path)  # the launcher prints the address
    return run_dashboard(db_path, port=port)
