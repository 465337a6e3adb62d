"""Supervision notes in a real DuckDB file: stored, replaced, removed, erased with the session."""

from __future__ import annotations

import pytest

import store
from core.errors import UserError
from store import supervision
from tests.supervision.sample_sessions import sample_session


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "notes.duckdb"
    with store.connect(path) as con:
        session_id, _ = store.save_session(con, sample_session("nl_eerste_gesprek"))
    return path, session_id


def test_a_note_round_trips_and_is_replaced_then_removed(db) -> None:
    path, sid = db
    with store.connect(path) as con:
        assert supervision.save_note(
            con, sid, "compliment_landed:22", "compliment_landed", 22, 161.5, " Mooi! "
        )
        assert not supervision.save_note(
            con, sid, "compliment_landed:22", "compliment_landed", 22, 161.5, "Mooi!"
        )
    with store.connect(path, read_only=True) as con:
        note = supervision.notes_for(con, sid)["compliment_landed:22"]
    assert (note.note, note.kind, note.utterance_idx, note.start_s) == (
        "Mooi!",
        "compliment_landed",
        22,
        161.5,
    )
    with store.connect(path) as con:
        assert supervision.save_note(
            con, sid, "compliment_landed:22", "compliment_landed", 22, 161.5, "Anders"
        )
        assert supervision.notes_for(con, sid)["compliment_landed:22"].note == "Anders"
        assert supervision.save_note(con, sid, "compliment_landed:22", "compliment_landed", 22, 161.5, "  ")
        assert supervision.notes_for(con, sid) == {}


def test_a_note_on_an_unknown_session_or_too_long_is_one_sentence_and_stores_nothing(db) -> None:
    path, sid = db
    with store.connect(path) as con:
        with pytest.raises(UserError, match="geen sessie bestaat-niet") as caught:
            supervision.save_note(con, "bestaat-niet", "k:1", "k", 1, None, "tekst")
        assert "no session bestaat-niet" in caught.value.message("en")
        with pytest.raises(UserError, match=f"hoogstens {supervision.MAX_NOTE_CHARS} tekens") as caught:
            supervision.save_note(con, sid, "k:1", "k", 1, None, "x" * (supervision.MAX_NOTE_CHARS + 1))
        assert f"at most {supervision.MAX_NOTE_CHARS} characters" in caught.value.message("en")
        assert con.execute("SELECT count(*) FROM supervision_notes").fetchone()[0] == 0


def test_delete_erases_the_notes_bytes(db) -> None:
    path, sid = db
    secret = "Supervisienotitie-over-Eva-7731"
    with store.connect(path) as con:
        supervision.save_note(con, sid, "scale_followed:24", "scale_followed", 24, 175.0, secret)
        con.execute("CHECKPOINT")
    assert secret.encode() in path.read_bytes()  # the check below can fail: the note was in the file
    store.erase_session(path, sid)
    with store.connect(path, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM supervision_notes").fetchone()[0] == 0
    assert secret.encode() not in path.read_bytes()


def test_a_database_from_before_notes_reads_as_no_notes(tmp_path) -> None:
    import duckdb

    path = tmp_path / "oud.duckdb"
    duckdb.connect(str(path)).close()
    with store.connect(path, read_only=True) as con:
        assert supervision.notes_for(con, "wat-dan-ook") == {}
