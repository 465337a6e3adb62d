"""Shared fixtures: the generated sample audio and a helper to run the real `spiegel` command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def sample_audio() -> Path:
    """The espeak-ng sample recordings (generated on first use, as setup.sh does)."""
    audio_dir = REPO / "samples" / "audio"
    subprocess.run([sys.executable, str(REPO / "samples" / "make_audio.py")], check=True, cwd=REPO)
    assert (audio_dir / "nl_eerste_gesprek.wav").exists()
    return audio_dir


def run_spiegel(*args: str, offline: bool = False, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a child process (optionally with no network at all via `unshare -rn`)."""
    command = [sys.executable, "-m", "pipeline", *args]
    if offline:
        command = ["unshare", "-rn", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=REPO, check=False)
