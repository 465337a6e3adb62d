"""`spiegel rekey`: rotate the encryption key (or encrypt a plain database, or decrypt), atomically."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import store
from core.errors import UserError
from tests.conftest import REPO
from tests.trust.records import file_bytes, session

OLD, NEW = "de oude sleutel van de praktijk", "de nieuwe sleutel van 2027"


def rekey(db, env):
    base = {k: v for k, v in os.environ.items() if not k.startswith("SPIEGEL_")}
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "rekey", "--db", str(db), *env.pop("args", [])],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**base, **env},
        check=False,
        timeout=120,
    )


def sessions(db, monkeypatch, key):
    if key:
        monkeypatch.setenv(store.KEY_ENV, key)
    else:
        monkeypatch.delenv(store.KEY_ENV, raising=False)
    with store.connect(db, read_only=True) as con:
        return store.table_counts(con)["sessions"]


def test_plain_to_encrypted_to_new_key_to_plain(tmp_path, monkeypatch):
    db = tmp_path / "s.duckdb"
    monkeypatch.delenv(store.KEY_ENV, raising=False)
    with store.connect(db) as con:
        store.save_session(con, session("Ijsvogel"))
    assert b"Ijsvogel" in file_bytes(db)

    done = rekey(db, {"SPIEGEL_NEW_DB_KEY": OLD})
    assert done.returncode == 0, done.stderr
    assert b"Ijsvogel" not in file_bytes(db) and sessions(db, monkeypatch, OLD) == 1

    done = rekey(db, {"SPIEGEL_DB_KEY": OLD, "SPIEGEL_NEW_DB_KEY": NEW})
    assert done.returncode == 0, done.stderr
    assert sessions(db, monkeypatch, NEW) == 1
    monkeypatch.setenv(store.KEY_ENV, OLD)
    with pytest.raises(UserError, match="klopt niet"), store.connect(db, read_only=True):
        pass

    done = rekey(db, {"SPIEGEL_DB_KEY": NEW, "args": ["--decrypt"]})
    assert done.returncode == 0, done.stderr
    assert sessions(db, monkeypatch, None) == 1 and b"Ijsvogel" in file_bytes(db)


def test_rekey_refuses_without_a_new_key_or_with_a_wrong_old_one(tmp_path, monkeypatch):
    db = tmp_path / "s.duckdb"
    monkeypatch.setenv(store.KEY_ENV, OLD)
    with store.connect(db) as con:
        store.save_session(con, session("Ijsvogel"))
    done = rekey(db, {"SPIEGEL_DB_KEY": OLD})
    assert done.returncode == 1 and "Zet SPIEGEL_NEW_DB_KEY" in done.stderr
    done = rekey(db, {"SPIEGEL_DB_KEY": "fout", "SPIEGEL_NEW_DB_KEY": NEW})
    assert done.returncode == 1 and "de sleutel in SPIEGEL_DB_KEY klopt niet" in done.stderr
    assert sessions(db, monkeypatch, OLD) == 1
    done = rekey(tmp_path / "nergens.duckdb", {"SPIEGEL_NEW_DB_KEY": NEW})
    assert done.returncode == 1 and not (tmp_path / "nergens.duckdb").exists()
