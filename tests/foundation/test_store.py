"""The DuckDB store: schema idempotent, one session per recording, all-or-nothing writes."""

from __future__ import annotations

import pytest

import store
from core.errors import UserError
from core.records import (
    Orientation,
    Role,
    Session,
    Tag,
    TaggedUtterance,
    TagResult,
    Utterance,
)
from tests.records import make_session


def make_transcript(sha: str = "a" * 64, n: int = 4, times: bool = True) -> Session:
    utterances = []
    for i in range(n):
        role = Role.PRACTITIONER if i % 2 == 0 else Role.CLIENT
        start = i * 10.0 if times else None
        end = i * 10.0 + 8 if times else None
        tags = (
            (Tag("compliment", "direct", None, 0, 4, "compliment.direct.01"),)
            if role == Role.PRACTITIONER
            else ()
        )
        utterances.append(
            TaggedUtterance(
                Utterance(i, "S1" if role == Role.PRACTITIONER else "S2", role, f"zin {i}", start, end),
                TagResult(Orientation.SOLUTION, tags, is_question=False),
            )
        )
    return make_session(
        utterances, source_sha256=sha, source_name="opname.wav", duration_s=40.0, asr_model="test"
    )


def test_schema_applies_twice(tmp_path):
    db = tmp_path / "s.duckdb"
    with store.connect(db) as con:
        pass
    with store.connect(db) as con:
        assert store.table_counts(con)["sessions"] == 0


def test_same_recording_is_stored_once(tmp_path):
    db = tmp_path / "s.duckdb"
    with store.connect(db) as con:
        first, created = store.save_session(con, make_transcript())
        again, created_again = store.save_session(con, make_transcript())
        assert created and not created_again
        assert first == again
        assert store.table_counts(con)["sessions"] == 1
        assert store.table_counts(con)["utterances"] == 4


def test_failure_mid_write_leaves_database_unchanged(tmp_path, monkeypatch):
    db = tmp_path / "s.duckdb"
    with store.connect(db) as con:
        store.save_session(con, make_transcript())
        before = store.table_counts(con)

    def explode(*_args, **_kwargs):
        raise RuntimeError("disk full halfway")

    # Fails after the sessions and utterances rows were inserted.
    monkeypatch.setattr(store.sessions, "_speaker_rows", explode)
    with store.connect(db) as con, pytest.raises(RuntimeError):
        store.save_session(con, make_transcript(sha="b" * 64))
    with store.connect(db) as con:
        assert store.table_counts(con) == before


def test_round_trip_and_delete(tmp_path):
    db = tmp_path / "s.duckdb"
    with store.connect(db) as con:
        session_id, _ = store.save_session(con, make_transcript())
        loaded = store.load_session(con, session_id)
        assert [u.text for u in loaded.utterances] == ["zin 0", "zin 1", "zin 2", "zin 3"]
        assert loaded.results[0].tags[0].rule == "compliment.direct.01"
        assert loaded == make_transcript()  # the whole record reads back as it was written
        store.delete_session(con, session_id)
        assert all(count == 0 for count in store.table_counts(con).values())
        with pytest.raises(UserError):
            store.delete_session(con, session_id)


def test_reader_never_creates_a_file(tmp_path):
    missing = tmp_path / "nope.duckdb"
    with pytest.raises(UserError, match="bestaat nog niet"), store.connect(missing, read_only=True):
        pass
    assert not missing.exists()


def test_not_a_database_is_one_sentence(tmp_path):
    bogus = tmp_path / "bogus.duckdb"
    bogus.write_text("this is not a database")
    with pytest.raises(UserError, match="kon niet worden geopend"), store.connect(bogus):
        pass
