"""`spiegel demo`: the README's first command ends here — process the bundled samples, open the dashboard.

The sample audio is generated from the sample transcripts by `samples/make_audio.py` (espeak-ng voices), so
the repository carries text, not audio. Each recording is processed like a user's file, with the sample's
practitioner, client code and date, so the dashboard shows a realistic small caseload.
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
from pipeline.process import Outcome, ProcessOptions, process_recording

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLES = REPO_ROOT / "samples"


@dataclass(frozen=True)
class SampleRecording:
    audio: Path
    meta: dict


def sample_recordings() -> list[SampleRecording]:
    """Each sample transcript with its generated audio (generating it when missing)."""
    sessions = sorted((SAMPLES / "sessions").glob("*.json"))
    if not sessions:
        raise UserError("error.demo.no_samples")
    audio_dir = SAMPLES / "audio"
    if any(not (audio_dir / f"{s.stem}.wav").exists() for s in sessions):
        result = subprocess.run([sys.executable, str(SAMPLES / "make_audio.py")], check=False, cwd=REPO_ROOT)
        if result.returncode != 0:
            raise UserError("error.demo.no_audio")
    return [
        SampleRecording(
            audio_dir / f"{s.stem}.wav", json.loads(s.read_text(encoding="utf-8")).get("meta", {})
        )
        for s in sessions
        if (audio_dir / f"{s.stem}.wav").exists()
    ]


def process_samples(db: Path | None, progress: bool = True) -> list[Outcome]:
    outcomes = []
    for sample in sample_recordings():
        meta = sample.meta
        options = ProcessOptions(
            db=db,
            language=meta.get("language", "nl"),
            practitioner=meta.get("practitioner"),
            client_code=meta.get("client_code"),
            recorded_at=meta.get("recorded_at"),
            progress=progress,
        )
        outcomes.append(process_recording(sample.audio, options))
    return outcomes


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
    say("cli.demo.dashboard", port=port, db=db_path)
    return run_dashboard(db_path, port=port)
