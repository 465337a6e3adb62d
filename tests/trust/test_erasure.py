"""Erasure that erases: after `spiegel delete` no byte of the session remains in the file or its WAL.

DuckDB keeps deleted strings in free blocks even after CHECKPOINT (FINDINGS.md); the first test shows that
with plain DELETE (the behaviour before), so the grep is known to see what it looks for.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import store
from core.errors import UserError
from tests.conftest import REPO
from tests.trust.records import file_bytes, session

KEY = "een lang en geheim wachtwoord voor de test"
GONE, KEPT = "Zwaluwstaartvlinder", "Kwikstaartje"


def _two_sessions(db):
    with store.connect(db) as con:
        gone, _ = store.save_session(con, session(GONE, n=300, practitioner="Ottoline", client="K-WIS-4242"))
        kept, _ = store.save_session(con, session(KEPT, n=20, practitioner="Bram", client="K-0002"))
        store.save_voiceprint(con, "Ottoline-Stemprofiel", [0.25] * 256)
    return gone, kept


def test_plain_delete_leaves_the_text_in_free_blocks(tmp_path):
    """The behaviour before: DELETE + CHECKPOINT, the deleted text can still be read from the file."""
    db = tmp_path / "s.duckdb"
    gone, _ = _two_sessions(db)
    with store.connect(db) as con:
        store.delete_session(con, gone)
    assert GONE.encode() in file_bytes(db)


def test_erase_leaves_no_byte_of_the_session(tmp_path):
    db = tmp_path / "s.duckdb"
    gone, kept = _two_sessions(db)
    assert GONE.encode() in file_bytes(db)
    store.erase_session(db, gone)
    raw = file_bytes(db)
    for secret in (GONE, "K-WIS-4242", f"{GONE}-opname.wav"):
        assert secret.encode() not in raw, secret
    assert KEPT.encode() in raw and b"Bram" in raw  # the grep sees live text: the other session is intact
    with store.connect(db, read_only=True) as con:
        assert store.table_counts(con)["sessions"] == 1
        assert store.load_session(con, kept).client_code == "K-0002"
        assert con.execute("SELECT count(*) FROM session_metrics").fetchone()[0] == 3
    assert (db.stat().st_mode & 0o777) == 0o600
    assert not list(tmp_path.glob(".*rewrite*"))


def test_erase_voiceprint_leaves_no_byte_of_it(tmp_path):
    db = tmp_path / "s.duckdb"
    _two_sessions(db)
    assert b"Ottoline-Stemprofiel" in file_bytes(db)
    assert store.erase_voiceprint(db, "Ottoline-Stemprofiel")
    assert b"Ottoline-Stemprofiel" not in file_bytes(db)
    assert not store.erase_voiceprint(db, "Ottoline-Stemprofiel")


def test_erase_encrypted_rewrites_into_a_file_with_only_the_live_data(tmp_path, monkeypatch):
    """Encrypted bytes cannot be grepped for text; instead the erased file must be as small as one built fresh
    with only the live data, while a plain DELETE keeps (here: grows) the blocks that held the session."""
    monkeypatch.setenv(store.KEY_ENV, KEY)
    deleted, erased, fresh = (tmp_path / f"{name}.duckdb" for name in ("deleted", "erased", "fresh"))
    gone, _ = _two_sessions(deleted)
    with store.connect(deleted) as con:
        store.delete_session(con, gone)
    gone, kept = _two_sessions(erased)
    store.erase_session(erased, gone)
    with store.connect(fresh) as con:
        store.save_session(con, session(KEPT, n=20, practitioner="Bram", client="K-0002"))
        store.save_voiceprint(con, "Ottoline-Stemprofiel", [0.25] * 256)
    sizes = {p.stem: p.stat().st_size for p in (deleted, erased, fresh)}
    assert sizes["erased"] <= sizes["fresh"] + 256 * 1024 < sizes["deleted"], sizes
    raw = file_bytes(erased)
    assert GONE.encode() not in raw and KEPT.encode() not in raw  # still encrypted
    with store.connect(erased, read_only=True) as con:
        assert store.load_session(con, kept).practitioner == "Bram"
        assert store.table_counts(con)["sessions"] == 1
    monkeypatch.delenv(store.KEY_ENV)
    with pytest.raises(UserError, match="versleuteld"), store.connect(erased):
        pass


def _spiegel(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, **(env or {})},
        check=False,
        timeout=120,
    )


def test_delete_command_erases_and_never_creates_a_database(tmp_path):
    db = tmp_path / "s.duckdb"
    gone, kept = _two_sessions(db)
    # both sessions' recordings kept (--keep-audio, store/audio.py): distinct bytes to grep for
    recordings = {sid: f"OggS-{sid}-".encode() * 400 for sid in (gone, kept)}
    for sid, data in recordings.items():
        store.audio.keep(db, sid, data, "audio/ogg", 1.0)
    done = _spiegel("delete", gone, "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert GONE.encode() not in file_bytes(db)
    kept_audio = store.audio.audio_path(db).read_bytes()
    assert recordings[gone][:60] not in kept_audio and recordings[kept][:60] in kept_audio
    assert store.audio.load(db, gone) is None

    missing = tmp_path / "nergens.duckdb"
    done = _spiegel("delete", gone, "--db", str(missing))
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0 and "bestaat niet" in done.stderr
    assert not missing.exists()
    done = _spiegel("delete", "000000000000", "--db", str(db))
    assert done.returncode == 1 and "geen sessie 000000000000" in done.stderr
