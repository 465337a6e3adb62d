"""Encryption at rest: with SPIEGEL_DB_KEY the file holds no readable text; wrong or missing key is one sentence."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import store
from core.errors import UserError
from tests.conftest import REPO
from tests.foundation.test_store import make_transcript


def test_encrypted_round_trip_and_key_errors(tmp_path, monkeypatch):
    db = tmp_path / "geheim.duckdb"
    monkeypatch.setenv("SPIEGEL_DB_KEY", "een lang en geheim wachtwoord")
    with store.connect(db) as con:
        session_id, _ = store.save_session(con, make_transcript())
    with store.connect(db, read_only=True) as con:
        assert store.load_session(con, session_id).utterances[0].text == "zin 0"
        assert con.execute("SELECT count(*) FROM session_metrics").fetchone()[0] == 3
    raw = db.read_bytes() + (
        db.with_suffix(".duckdb.wal").read_bytes() if db.with_suffix(".duckdb.wal").exists() else b""
    )
    assert b"opname.wav" not in raw
    assert b"zin 0" not in raw

    monkeypatch.setenv("SPIEGEL_DB_KEY", "fout")
    with (
        pytest.raises(UserError, match="de sleutel in SPIEGEL_DB_KEY klopt niet"),
        store.connect(db, read_only=True),
    ):
        pass
    monkeypatch.delenv("SPIEGEL_DB_KEY")
    with pytest.raises(UserError, match="is versleuteld; zet SPIEGEL_DB_KEY"), store.connect(db):
        pass


def test_key_on_a_plain_database(tmp_path, monkeypatch):
    db = tmp_path / "open.duckdb"
    with store.connect(db) as con:
        store.save_session(con, make_transcript())
    assert b"opname.wav" in db.read_bytes()  # what the encrypted test checks is absent is readable here
    monkeypatch.setenv("SPIEGEL_DB_KEY", "geheim")
    with pytest.raises(UserError, match="niet versleuteld"), store.connect(db):
        pass


def test_cli_with_and_without_key(tmp_path):
    db = tmp_path / "s.duckdb"
    env = {**os.environ, "SPIEGEL_DB_KEY": "geheim"}
    command = [sys.executable, "-m", "pipeline"]
    sample = str(REPO / "samples/sessions/nl_eerste_gesprek.json")
    done = subprocess.run(
        [*command, "import", sample, "--db", str(db)], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    out = tmp_path / "export"
    ok = subprocess.run(
        [*command, "export", "--db", str(db), "--format", "csv", "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert (out / "utterances.csv").stat().st_size > 0
    env.pop("SPIEGEL_DB_KEY")
    refused = subprocess.run(
        [*command, "export", "--db", str(db), "--format", "csv", "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 1
    assert (
        refused.stderr.strip()
        == "De database s.duckdb is versleuteld; zet SPIEGEL_DB_KEY op de sleutel ervan."
    )
