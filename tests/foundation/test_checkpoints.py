"""Checkpoints of a recording in progress (store/checkpoints.py): kept per chunk, encrypted with the
database key, ignored when the options differ or the file cannot be read, removed on request."""

from __future__ import annotations

from pathlib import Path

import pytest

import store
from core.records import Segment, Word


def _segments(text: str, at: float) -> list[Segment]:
    return [
        Segment(
            at, at + 2.0, text, (Word(at, at + 1.0, f" {text}", 0.75), Word(at + 1.0, at + 2.0, " nu", 0.5))
        )
    ]


def test_chunks_round_trip_and_other_options_are_not_reused(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    first = store.Checkpoint(db, "ab" * 32, "opties-1")
    first.add(0.0, 29.5, _segments("hallo", 0.5))
    first.add(29.5, 58.123, [])
    first.close()
    assert store.checkpoint_path(db, "ab" * 32).exists()

    again = store.Checkpoint(db, "ab" * 32, "opties-1")
    assert again.load() == {(0.0, 29.5): _segments("hallo", 0.5), (29.5, 58.12): []}
    again.close()
    other = store.Checkpoint(db, "ab" * 32, "opties-2")
    assert other.load() == {}
    other.add(0.0, 10.0, _segments("anders", 1.0))  # a new run with other options replaces the old chunks
    other.close()
    assert store.Checkpoint(db, "ab" * 32, "opties-1").load() == {}

    other.remove()
    assert not store.checkpoint_path(db, "ab" * 32).exists()
    assert not db.exists()  # a checkpoint never creates the database itself


def test_encrypted_with_the_database_key_and_unreadable_means_start_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "geheim.duckdb"
    monkeypatch.setenv("SPIEGEL_DB_KEY", "een lang en geheim wachtwoord")
    kept = store.Checkpoint(db, "cd" * 32, "x")
    kept.add(0.0, 20.0, _segments("vertrouwelijk", 0.0))
    kept.close()
    path = store.checkpoint_path(db, "cd" * 32)
    raw = path.read_bytes() + (
        path.with_name(path.name + ".wal").read_bytes()
        if path.with_name(path.name + ".wal").exists()
        else b""
    )
    assert b"vertrouwelijk" not in raw
    assert path.stat().st_mode & 0o077 == 0
    assert store.Checkpoint(db, "cd" * 32, "x").load() == {(0.0, 20.0): _segments("vertrouwelijk", 0.0)}

    monkeypatch.setenv("SPIEGEL_DB_KEY", "een ander wachtwoord")
    assert store.Checkpoint(db, "cd" * 32, "x").load() == {}  # another key: not trusted, no error
    monkeypatch.delenv("SPIEGEL_DB_KEY")
    assert store.Checkpoint(db, "cd" * 32, "x").load() == {}
