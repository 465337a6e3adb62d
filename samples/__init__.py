"""Bundled sample sessions: gold-labelled transcripts (`sessions/`) and the espeak-ng audio made from them.

`python -m samples.make_audio` (run by setup) writes `samples/audio/<name>.wav` and `<name>.turns.json`.
"""

from __future__ import annotations

from pathlib import Path

SAMPLES_DIR = Path(__file__).resolve().parent


def sample_sessions() -> list[Path]:
    """All bundled session transcripts (`samples/sessions/*.json`), sorted by name."""
    return sorted((SAMPLES_DIR / "sessions").glob("*.json"))


def sample_audio_dir() -> Path:
    """Where `samples.make_audio` writes its clips (git-ignored; may not exist before setup ran)."""
    return SAMPLES_DIR / "audio"
