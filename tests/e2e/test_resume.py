"""A long recording killed mid-transcription (SIGKILL) resumes from its checkpoint: the chunks decoded before
the kill are not decoded again, the session is stored whole, and the checkpoint (encrypted) is removed."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

import store
from tests.conftest import EVAL_PUBLIC, REPO

pytestmark = [pytest.mark.slow, pytest.mark.shared_data]

RATE = 16_000
KEY = "een lang en geheim wachtwoord voor de test"

#: The real pipeline in a child, two chunks a batch so that a few minutes of speech make several batches.
CHILD = """
import logging, sys
from pathlib import Path
logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(name)s %(message)s")
from pipeline.process import ProcessOptions, process_recording
from pipeline.transcribe import AsrOptions
outcome = process_recording(Path(sys.argv[1]), ProcessOptions(db=Path(sys.argv[2]), progress=False,
                            asr=AsrOptions(batch_size=2)))
print("OUTCOME", outcome.session_id, outcome.created, outcome.error, flush=True)
"""


def _recording(path: Path) -> list[str]:
    refs = json.loads((EVAL_PUBLIC / "real-nl" / "references.json").read_text(encoding="utf-8"))
    from pipeline.audio import decode

    parts = []
    for ref in refs:
        parts += [decode(EVAL_PUBLIC / "real-nl" / ref["file"]).samples, np.zeros(RATE, dtype=np.float32)]
    audio = np.concatenate(parts)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())
    return [r["text"] for r in refs]


def _child(audio: Path, db: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "SPIEGEL_DB_KEY": KEY, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(audio), str(db)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_sigkill_mid_file_then_resume_keeps_the_decoded_chunks(tmp_path: Path) -> None:
    audio, db = tmp_path / "lang.wav", tmp_path / "s.duckdb"
    _recording(audio)
    first = _child(audio, db)
    done_before = total = 0
    assert first.stderr is not None
    for line in first.stderr:  # kill as soon as the first batch is committed to the checkpoint
        found = re.search(r"batched: (\d+) of (\d+) chunk\(s\) done", line)
        if found:
            done_before, total = int(found[1]), int(found[2])
            first.send_signal(signal.SIGKILL)
            break
    first.wait(timeout=60)
    assert first.returncode == -signal.SIGKILL
    assert 0 < done_before < total, (done_before, total)
    partial = store.checkpoint_path(db, _sha(audio))
    assert partial.exists()
    assert not db.exists() or _sessions(db) == 0  # nothing half-written
    raw = partial.read_bytes() + (
        partial.with_name(partial.name + ".wal").read_bytes()
        if partial.with_name(partial.name + ".wal").exists()
        else b""
    )
    assert b"aardappel" not in raw.lower() and b"gibraltar" not in raw.lower()  # encrypted

    second = _child(audio, db)
    out, err = second.communicate(timeout=1800)
    assert second.returncode == 0, err[-2000:]
    resumed = re.search(r"resumed (\d+) of (\d+) chunk\(s\)", err)
    assert resumed and int(resumed[1]) == done_before and int(resumed[2]) == total
    assert "OUTCOME" in out and "True None" in out
    assert not partial.exists()
    assert _sessions(db) == 1
    os.environ["SPIEGEL_DB_KEY"] = KEY
    try:
        with store.connect(db, read_only=True) as con:
            (session_id,) = con.execute("SELECT session_id FROM sessions").fetchone()
            text = " ".join(u.text for u in store.load_session(con, session_id).utterances).lower()
    finally:
        del os.environ["SPIEGEL_DB_KEY"]
    assert "aardappel" in text and "helpen" in text  # the first clip (from the checkpoint) and the last


def _sha(path: Path) -> str:
    from pipeline.audio import file_sha256

    return file_sha256(path)


def _sessions(db: Path) -> int:
    os.environ["SPIEGEL_DB_KEY"] = KEY
    try:
        with store.connect(db, read_only=True) as con:
            return int(con.execute("SELECT count(*) FROM sessions").fetchone()[0])
    finally:
        del os.environ["SPIEGEL_DB_KEY"]
