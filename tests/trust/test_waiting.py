"""Writes that wait: a reader holding the file across the save, a lock that never frees, six parallel imports.

Before: a writer that met a reader's lock failed at once ("in use …") and threw its work away; 5 of 6
parallel imports failed that way.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import store
from tests.conftest import REPO
from tests.trust.records import file_bytes, session

HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
open(sys.argv[2], "w").close()
time.sleep(float(sys.argv[3]))
con.close()
"""


def _transcript(folder: Path, name: str, marker: str) -> Path:
    path = folder / f"{name}.txt"
    path.write_text(
        f"Sanne: Wat ging er goed met {marker}?\nK: Ik heb {marker} zelf geregeld.\n"
        "Sanne: Hoe deed je dat?\nK: Gewoon rustig blijven.\n",
        encoding="utf-8",
    )
    return path


def _import(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "import", *args, "--practitioner", "Sanne", "--no-progress"],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _hold(db: Path, seconds: float, tmp_path: Path) -> subprocess.Popen:
    ready = tmp_path / f"ready-{time.monotonic_ns()}"
    reader = subprocess.Popen([sys.executable, "-c", HOLD, str(db), str(ready), str(seconds)])
    deadline = time.monotonic() + 30
    while not ready.exists():
        assert time.monotonic() < deadline and reader.poll() is None, "the reader did not start"
        time.sleep(0.05)
    return reader


def _sessions(db: Path) -> int:
    with store.connect(db, read_only=True) as con:
        return store.table_counts(con)["sessions"]


def test_a_writer_waits_for_a_reader_holding_the_file(tmp_path):
    db = tmp_path / "s.duckdb"
    with store.connect(db):
        pass
    reader = _hold(db, 25.0, tmp_path)  # longer than loading the tagger, so the save meets the lock
    started = time.monotonic()
    writer = _import(str(_transcript(tmp_path, "a", "de fiets")), "--db", str(db))
    _, stderr = writer.communicate(timeout=180)
    reader.wait(timeout=30)
    assert writer.returncode == 0, stderr
    assert stderr.count("is in gebruik door een ander programma; er wordt tot 60 s op gewacht.") == 1, stderr
    assert "WARNING" not in stderr  # the user's sentence alone, no English log level (cli/main.py)
    assert "opgeslagen als sessie" in stderr
    assert time.monotonic() - started < 60
    assert _sessions(db) == 1


def test_a_lock_that_never_frees_keeps_the_session_for_the_next_run(tmp_path):
    db = tmp_path / "s.duckdb"
    with store.connect(db):
        pass
    reader = _hold(db, 120.0, tmp_path)
    try:
        writer = _import(
            str(_transcript(tmp_path, "a", "de fiets")), "--db", str(db), env={"SPIEGEL_LOCK_TIMEOUT": "2"}
        )
        _, stderr = writer.communicate(timeout=180)
    finally:
        reader.kill()
        reader.wait()
    assert writer.returncode == 1
    assert "in gebruik door een ander" in stderr and "is bewaard in s.duckdb.pending-" in stderr, stderr
    (pending,) = store.pending_files(db)
    assert pending.stat().st_mode & 0o777 == 0o600

    later = _import(str(_transcript(tmp_path, "b", "het werk")), "--db", str(db))
    _, stderr = later.communicate(timeout=180)
    assert later.returncode == 0, stderr
    assert _sessions(db) == 2
    assert store.pending_files(db) == []
    with store.connect(db, read_only=True) as con:
        texts = [row[0] for row in con.execute("SELECT text FROM utterances").fetchall()]
    assert any("de fiets" in t for t in texts) and any("het werk" in t for t in texts)


def test_six_parallel_imports_are_all_stored(tmp_path):
    db = tmp_path / "s.duckdb"
    writers = [
        _import(str(_transcript(tmp_path, f"t{i}", f"onderwerp {i}")), "--db", str(db)) for i in range(6)
    ]
    results = [w.communicate(timeout=600) for w in writers]
    assert [w.returncode for w in writers] == [0] * 6, [err for _, err in results]
    assert _sessions(db) == 6


def test_a_recovery_file_is_encrypted_like_the_database(tmp_path, monkeypatch):
    monkeypatch.setenv(store.KEY_ENV, "sleutel voor de herstelbestanden")
    db = tmp_path / "s.duckdb"
    with store.connect(db):
        pass
    kept = store.keep_pending(db, session("Vuurvlinder"))
    assert b"Vuurvlinder" not in file_bytes(kept)
    with store.connect(db) as con:
        assert store.table_counts(con)["sessions"] == 1
    assert not kept.exists()
