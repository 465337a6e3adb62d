"""Team mode beyond the session list, in the store (store/access.py), on a real DuckDB file: corrections, kept
recordings, supervision notes, the supervision page's record and uploads, per role, with their audit rows —
and single-user mode (no member) exactly as the plain store functions, with nothing audited.

Three sessions: two of Ottoline (tulpenveld, zeilboot), one of Pieter (vuurtoren); Sanne is a supervisor
with vuurtoren shared, Tom a trainer.
"""

from __future__ import annotations

import pytest

import store
from core.corrections import Correction
from store import access, team
from store import audio as kept
from store.team import Viewer
from tests.records import retag_for
from tests.trust.records import three_sessions

OTTOLINE = Viewer("ottoline", "practitioner", "Ottoline")
PIETER = Viewer("pieter", "practitioner", "Pieter")
SANNE = Viewer("sanne", "supervisor")
TOM = Viewer("tom", "trainer")


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "team.duckdb"
    with store.connect(path) as con:
        ids = three_sessions(con)
        team.share(con, ids["vuurtoren"], "sanne", "admin")
    return path, ids


def audit(path, event: str) -> list[tuple]:
    with store.connect(path, read_only=True) as con:
        return [(r[2], r[3], r[4], r[5]) for r in team.audit_rows(con, event)]


def text_of(path, session_id: str, idx: int = 0) -> str:
    with store.connect(path, read_only=True) as con:
        return store.load_session(con, session_id).utterances[idx].text


def test_the_roles_have_what_the_pages_offer():
    assert access.may(None, "correct") and access.may(None, "upload") and access.may(None, "note")
    assert access.may(OTTOLINE, "correct") and access.may(OTTOLINE, "upload")
    assert not access.may(OTTOLINE, "note")
    assert access.may(SANNE, "note") and access.may(SANNE, "listen")
    assert not access.may(SANNE, "correct") and not access.may(SANNE, "upload")
    assert not any(access.may(TOM, a) for a in ("read", "listen", "correct", "note", "upload"))


def test_a_practitioner_corrects_only_their_own_sessions_under_their_login(db):
    path, ids = db
    fix = Correction("text", {"text": "Een nieuwe zin over de toekomst."}, 0, "typed-name")
    with store.connect(path) as con:
        access.add_correction(con, OTTOLINE, ids["tulpenveld"], fix, retag_for)
        with pytest.raises(access.NotVisible, match="geen sessie") as caught:  # as if it did not exist
            access.add_correction(con, OTTOLINE, ids["vuurtoren"], fix, retag_for)
        assert "no session" in caught.value.message("en")
        # shared with her, but supervisors do not correct
        with pytest.raises(access.NotAllowed, match="Uw rol mag dit niet") as caught:
            access.add_correction(con, SANNE, ids["vuurtoren"], fix, retag_for)
        assert "Your role may not do this" in caught.value.message("en")
        with pytest.raises(access.NotVisible):  # not shared with her: not there at all
            access.add_correction(con, SANNE, ids["zeilboot"], fix, retag_for)
        with pytest.raises(access.NotVisible):
            access.add_correction(con, TOM, ids["tulpenveld"], fix, retag_for)
        with pytest.raises(access.NotVisible):
            access.undo_correction(con, PIETER, ids["tulpenveld"], "pieter", retag_for)
        history = access.correction_history(con, OTTOLINE, ids["tulpenveld"])
        assert [h["author"] for h in history] == ["ottoline"]  # the login, not what was typed
        assert access.correction_history(con, PIETER, ids["tulpenveld"]) == []
        assert access.undo_correction(con, OTTOLINE, ids["tulpenveld"], "typed", retag_for) is not None
    assert text_of(path, ids["vuurtoren"]).startswith("Zin 0: ik vertelde over vuurtoren")
    assert text_of(path, ids["tulpenveld"]).startswith("Zin 0: ik vertelde over tulpenveld")  # undone
    rows = audit(path, "correction")
    assert [(a, v, s) for a, v, s, _d in rows] == [("ottoline", "dashboard", ids["tulpenveld"])] * 2
    assert rows[0][3].startswith("undo ") and rows[1][3].startswith("text ")
    assert "toekomst" not in repr(rows)  # the audit never holds the text


def test_a_refused_correction_changes_nothing(db):
    path, ids = db
    with store.connect(path) as con:
        before = store.table_counts(con)
        with pytest.raises(access.NotAllowed):
            access.add_correction(
                con, SANNE, ids["vuurtoren"], Correction("text", {"text": "x"}, 0, "s"), retag_for
            )
        assert store.table_counts(con) == before
        assert store.corrections.history(con, ids["vuurtoren"]) == []


def test_single_user_mode_corrects_as_before_and_audits_nothing(db):
    path, ids = db
    fix = Correction("text", {"text": "Een nieuwe zin."}, 1, "sanne-typed")
    with store.connect(path) as con:
        access.add_correction(con, None, ids["vuurtoren"], fix, retag_for)
        assert [h["author"] for h in access.correction_history(con, None, ids["vuurtoren"])] == [
            "sanne-typed"
        ]
        assert access.save_note(con, None, ids["vuurtoren"], "compliment:1", "compliment", 1, 5.0, "Mooi.")
        assert access.session_record(con, None, ids["zeilboot"]) is not None
    assert text_of(path, ids["vuurtoren"], 1) == "Een nieuwe zin."
    assert audit(path, "correction") == [] and audit(path, "note") == []
    assert access.upload_practitioner(None, "Wie dan ook") == "Wie dan ook"


def test_notes_are_written_by_the_supervisor_and_read_by_the_practitioner(db):
    path, ids = db
    shared, other = ids["vuurtoren"], ids["zeilboot"]
    with store.connect(path) as con:
        assert access.save_note(con, SANNE, shared, "compliment:1", "compliment", 1, 5.0, "Knap gedaan.")
        with pytest.raises(access.NotVisible):
            access.save_note(con, SANNE, other, "compliment:1", "compliment", 1, 5.0, "Ook hier.")
        with pytest.raises(access.NotAllowed):  # her own session, but the notes are the supervisor's
            access.save_note(con, PIETER, shared, "compliment:1", "compliment", 1, 5.0, "Zelf.")
        with pytest.raises(access.NotVisible):
            access.save_note(con, OTTOLINE, shared, "compliment:1", "compliment", 1, 5.0, "Niet van mij.")
        with pytest.raises(access.NotVisible):
            access.save_note(con, TOM, shared, "compliment:1", "compliment", 1, 5.0, "Trainer.")
        assert access.notes_for(con, PIETER, shared)["compliment:1"].note == "Knap gedaan."
        assert access.notes_for(con, SANNE, shared)["compliment:1"].note == "Knap gedaan."
        assert access.notes_for(con, OTTOLINE, shared) == {}
        assert access.notes_for(con, TOM, shared) == {}
        assert store.supervision.notes_for(con, other) == {}
        assert access.save_note(con, SANNE, shared, "compliment:1", "compliment", 1, 5.0, "") is True
    assert [(a, s, d) for a, _v, s, d in audit(path, "note")] == [
        ("sanne", shared, "compliment removed"),
        ("sanne", shared, "compliment saved"),
    ]


def test_the_supervision_record_is_there_only_for_who_may_read_it(db):
    path, ids = db
    with store.connect(path, read_only=True) as con:
        assert access.session_record(con, OTTOLINE, ids["tulpenveld"]).practitioner == "Ottoline"
        assert access.session_record(con, OTTOLINE, ids["vuurtoren"]) is None
        assert access.session_record(con, SANNE, ids["vuurtoren"]) is not None
        assert access.session_record(con, SANNE, ids["tulpenveld"]) is None
        assert all(access.session_record(con, TOM, sid) is None for sid in ids.values())
        assert access.session_record(con, None, "bestaat-niet") is None
        assert access.visible(con, None, ids["vuurtoren"]) and not access.visible(con, TOM, ids["vuurtoren"])


def test_a_kept_recording_plays_only_for_who_may_listen(db):
    path, ids = db
    kept.keep(path, ids["vuurtoren"], b"OggS-pretend-opus", "audio/ogg", 30.0)
    assert access.recording(path, None, ids["vuurtoren"]) == (b"OggS-pretend-opus", "audio/ogg")
    assert access.recording(path, PIETER, ids["vuurtoren"]) is not None
    assert access.recording(path, SANNE, ids["vuurtoren"]) is not None
    assert access.recording(path, OTTOLINE, ids["vuurtoren"]) is None
    assert access.recording(path, TOM, ids["vuurtoren"]) is None
    with store.connect(path) as con:
        team.unshare(con, ids["vuurtoren"], "sanne", "admin")
    assert access.recording(path, SANNE, ids["vuurtoren"]) is None  # a share taken back ends the listening


def test_uploads_are_a_practitioners_own_and_audited(db):
    path, ids = db
    assert access.upload_practitioner(OTTOLINE, "Pieter") == "Ottoline"  # not under someone else's name
    assert access.upload_practitioner(OTTOLINE, None) == "Ottoline"
    for member in (SANNE, TOM, Viewer("x", "practitioner", None)):
        with pytest.raises(access.NotAllowed):
            access.upload_practitioner(member, "Ottoline")
    access.record_upload(path, None, ids["zeilboot"], "transcript")
    access.record_upload(path, OTTOLINE, ids["zeilboot"], "transcript")
    assert audit(path, "upload") == [("ottoline", "dashboard", ids["zeilboot"], "transcript")]


def test_a_write_and_its_audit_row_commit_together(db):
    """An audit row that cannot be written takes the note with it (one transaction, store.transaction)."""
    path, ids = db
    with store.connect(path) as con:
        con.execute("DROP TABLE audit_log")
        with pytest.raises(Exception, match="audit_log"):
            access.save_note(con, SANNE, ids["vuurtoren"], "compliment:1", "compliment", 1, 5.0, "Weg.")
        assert store.supervision.notes_for(con, ids["vuurtoren"]) == {}
