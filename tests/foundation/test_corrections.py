"""Corrections by hand in the store (store/corrections.py, core/corrections.py), on a real DuckDB file with the
real tagger: stored beside the original with who/when, re-tagged, figures recomputed at once, undone."""

from __future__ import annotations

import hashlib

import pytest

import store
from core.corrections import Correction
from core.errors import UserError
from core.records import Role
from tests.records import make_session, retag_for, tag_texts
from tests.trust.records import file_bytes

TEXTS = [
    ("S1", Role.PRACTITIONER, "Goedemiddag, fijn dat je er bent."),
    ("S2", Role.CLIENT, "Het gaat slecht, ik slaap nauwelijks en ik maak steeds ruzie."),
    ("S1", Role.PRACTITIONER, "Op een schaal van 0 tot 10, waar sta je nu?"),
    ("S2", Role.CLIENT, "Ik denk een vier."),
    ("S1", Role.PRACTITIONER, "Wat zou er anders zijn als het een vijf is?"),
    ("S2", Role.CLIENT, "Dan zou ik weer rustig slapen en met plezier naar mijn werk gaan."),
]
SECRET = "Zeefdrukpapegaai"


def _session(name: str = "corr.wav"):
    return make_session(
        tag_texts(TEXTS),
        source_name=name,
        source_sha256=hashlib.sha256(name.encode()).hexdigest(),
        duration_s=30.0,
        asr_model="base",
    )


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "c.duckdb"
    with store.connect(path) as con:
        session_id, _ = store.save_session(con, _session())
    return path, session_id


def _state(con, session_id):
    """Everything a correction may change: utterances, tags, speakers and the stored figures."""
    return (
        con.execute("SELECT * FROM utterances WHERE session_id = ? ORDER BY idx", [session_id]).fetchall(),
        con.execute(
            "SELECT * FROM tags WHERE session_id = ? ORDER BY utterance_idx, label, rule", [session_id]
        ).fetchall(),
        sorted(con.execute("SELECT * FROM speakers WHERE session_id = ?", [session_id]).fetchall()),
        con.execute(
            "SELECT * FROM session_metrics WHERE session_id = ? ORDER BY role", [session_id]
        ).fetchall(),
    )


def _add(con, session_id, correction):
    """Store one correction with the real tagger."""
    return store.corrections.add(con, session_id, correction, retag_for)


def _figures(con, session_id):
    return store.queries.metrics_by_role(con, session_id)


def test_text_edit_is_stored_beside_the_original_retagged_and_counted(db):
    path, sid = db
    with store.connect(path) as con:
        before = _figures(con, sid)
        assert (
            con.execute(
                "SELECT orientation FROM utterances WHERE session_id = ? AND idx = 1", [sid]
            ).fetchone()[0]
            == "problem"
        )
        cid = _add(
            con,
            sid,
            Correction(
                "text",
                {"text": "Het gaat eigenlijk beter, ik slaap weer goed en het lukt me om rustig te blijven."},
                utterance_idx=1,
                author="Anna",
            ),
        )
    with store.connect(path, read_only=True) as con:  # a new connection: what a restart sees
        text, orientation = con.execute(
            "SELECT text, orientation FROM utterances WHERE session_id = ? AND idx = 1", [sid]
        ).fetchone()
        assert text.startswith("Het gaat eigenlijk beter")
        assert orientation == "solution"  # re-tagged by the real tagger
        assert (
            con.execute(
                "SELECT text FROM original_utterances WHERE session_id = ? AND idx = 1", [sid]
            ).fetchone()[0]
            == TEXTS[1][2]
        )
        [entry] = store.corrections.history(con, sid)
        assert (entry["correction_id"], entry["kind"], entry["author"], entry["undone_at"]) == (
            cid,
            "text",
            "Anna",
            None,
        )
        assert entry["created_at"] is not None
        after = _figures(con, sid)
        assert after["client"]["solution_count"] == before["client"]["solution_count"] + 1
        assert after["client"]["solution_talk_ratio"] > before["client"]["solution_talk_ratio"]
        assert (
            con.execute("SELECT corrected_at FROM sessions WHERE session_id = ?", [sid]).fetchone()[0]
            is not None
        )
        assert store.corrections.summary(con, sid)[0] == 1
        # the words (ASR's own) and times are untouched
        assert (
            con.execute("SELECT start_s FROM utterances WHERE session_id = ? AND idx = 1", [sid]).fetchone()[
                0
            ]
            == 5.0
        )


def test_label_add_with_scale_value_and_remove_change_the_figures(db):
    path, sid = db
    with store.connect(path) as con:
        before = _figures(con, sid)
        _add(
            con,
            sid,
            Correction("label_add", {"label": "scale_answer", "value": 7}, utterance_idx=5, author="Anna"),
        )
        _add(con, sid, Correction("label_add", {"label": "compliment"}, utterance_idx=4, author="Anna"))
        mid = _figures(con, sid)
        assert [a["value"] for a in mid["client"]["scale_answers"]] == [
            *[a["value"] for a in before["client"]["scale_answers"]],
            7.0,
        ]
        assert mid["all"]["label_count_compliment"] == before["all"]["label_count_compliment"] + 1
        rule = con.execute(
            "SELECT rule FROM tags WHERE session_id = ? AND utterance_idx = 4 AND label = 'compliment'", [sid]
        ).fetchone()[0]
        assert rule == "manual"
        _add(con, sid, Correction("label_remove", {"label": "scale_answer"}, utterance_idx=5, author="Bram"))
        after = _figures(con, sid)
        assert after["client"]["scale_answers"] == before["client"]["scale_answers"]
        assert (
            con.execute(
                "SELECT scale_value FROM utterances WHERE session_id = ? AND idx = 5", [sid]
            ).fetchone()[0]
            is None
        )


def test_a_label_set_by_hand_stays_when_the_text_is_corrected_later(db):
    path, sid = db
    with store.connect(path) as con:
        _add(con, sid, Correction("label_add", {"label": "compliment"}, utterance_idx=4, author="A"))
        _add(con, sid, Correction("text", {"text": "Wat zou er anders zijn?"}, utterance_idx=4, author="A"))
        labels = {
            r[0]
            for r in con.execute(
                "SELECT label FROM tags WHERE session_id = ? AND utterance_idx = 4", [sid]
            ).fetchall()
        }
        assert "compliment" in labels


def test_undo_step_by_step_restores_the_machine_version_exactly(db):
    path, sid = db
    with store.connect(path) as con:
        original = _state(con, sid)
        _add(con, sid, Correction("text", {"text": "Het gaat goed."}, utterance_idx=1, author="A"))
        one = _state(con, sid)
        _add(con, sid, Correction("role", {"speaker": "S2", "role": "practitioner"}, author="A"))
        assert _state(con, sid) != one
    with store.connect(path) as con:  # after a restart
        assert store.corrections.undo(con, sid, "B", retag_for) is not None
        assert _state(con, sid)[:3] == one[:3]
        assert store.corrections.undo(con, sid, "B", retag_for) is not None
        assert _state(con, sid) == original
        assert store.corrections.undo(con, sid, "B", retag_for) is None
        assert (
            con.execute("SELECT corrected_at FROM sessions WHERE session_id = ?", [sid]).fetchone()[0] is None
        )
        log = store.corrections.history(con, sid)
        assert [h["undone_by"] for h in log] == ["B", "B"]  # the log keeps both, marked undone


def test_merge_and_split_speakers(db):
    path, sid = db
    with store.connect(path) as con:
        _add(con, sid, Correction("speaker", {"speaker": "S3"}, utterance_idx=5, author="A"))
        speakers = dict(
            con.execute("SELECT speaker, role FROM speakers WHERE session_id = ?", [sid]).fetchall()
        )
        assert speakers == {"S1": "practitioner", "S2": "client", "S3": "client"}
        _add(con, sid, Correction("merge", {"keep": "S2", "gone": "S3"}, author="A"))
        rows = con.execute(
            "SELECT speaker FROM utterances WHERE session_id = ? ORDER BY idx", [sid]
        ).fetchall()
        assert [r[0] for r in rows] == ["S1", "S2", "S1", "S2", "S1", "S2"]
        assert con.execute("SELECT count(*) FROM speakers WHERE session_id = ?", [sid]).fetchone()[0] == 2
        assert con.execute("SELECT count(*) FROM utterances WHERE session_id = ?", [sid]).fetchone()[0] == 6


@pytest.mark.parametrize(
    "bad",
    [
        Correction("text", {"text": "  "}, utterance_idx=1, author="A"),
        Correction("text", {"text": "x"}, utterance_idx=99, author="A"),
        Correction("text", {"text": "x"}, utterance_idx=1, author=""),
        Correction("label_add", {"label": "no_such_label"}, utterance_idx=1, author="A"),
        Correction("label_add", {"label": "scale_answer", "value": 12}, utterance_idx=1, author="A"),
        Correction("role", {"speaker": "S9", "role": "client"}, author="A"),
        Correction("merge", {"keep": "S1", "gone": "S1"}, author="A"),
        Correction("orientation", {"orientation": "sideways"}, utterance_idx=1, author="A"),
    ],
)
def test_a_correction_that_cannot_apply_is_one_sentence_and_changes_nothing(db, bad):
    path, sid = db
    with store.connect(path) as con:
        before = _state(con, sid), store.table_counts(con)
        with pytest.raises(UserError) as caught:
            store.corrections.add(con, sid, bad, retag_for)
        assert "\n" not in str(caught.value)
        assert caught.value.key.startswith("error.correction.")  # a catalogue text, in both languages:
        assert str(caught.value) != caught.value.message("en") and "\n" not in caught.value.message("en")
        assert (_state(con, sid), store.table_counts(con)) == before
        assert con.execute("SELECT count(*) FROM corrections").fetchone()[0] == 0


def test_erase_removes_corrections_and_the_original_beside_them(db):
    path, sid = db
    with store.connect(path) as con:
        _add(con, sid, Correction("text", {"text": f"Over de {SECRET}."}, utterance_idx=1, author="Anna"))
    assert SECRET.encode() in file_bytes(path)
    store.erase_session(path, sid)
    assert SECRET.encode() not in file_bytes(path)
    assert TEXTS[1][2].encode() not in file_bytes(path)
    with store.connect(path, read_only=True) as con:
        for table in store.corrections.TABLES:
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0


def test_exports_and_the_report_use_the_corrected_version_and_say_so(db, tmp_path):
    import csv
    import json

    from report.build import build_markdown
    from store.export import export_all, export_session

    path, sid = db
    plain = build_markdown(path, sid)
    assert "gecorrigeerd" not in plain
    with store.connect(path) as con:
        _add(
            con,
            sid,
            Correction("text", {"text": "Het gaat nu veel beter met me."}, utterance_idx=1, author="Anna"),
        )
    report = build_markdown(path, sid)
    assert "Met de hand gecorrigeerd: 1 wijziging(en), laatst door Anna" in report
    assert "Corrected by hand: 1 change(s)" in build_markdown(path, sid, language="en")
    assert "Anna" not in build_markdown(path, sid, pseudonymize=True).split("Met de hand")[1].split("\n")[0]
    record = json.loads(export_session(path, sid, tmp_path / "s.json").read_text(encoding="utf-8"))
    assert record["corrected"]["changes"] == 1 and record["corrected"]["last_by"] == "Anna"
    assert record["utterances"][1]["text"] == "Het gaat nu veel beter met me."
    out = tmp_path / "csv"
    export_all(path, "csv", out)
    with (out / "sessions.csv").open(encoding="utf-8") as stream:
        assert next(csv.DictReader(stream))["corrected_at"]
    with (out / "corrections.csv").open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert [(r["kind"], r["author"]) for r in rows] == [("text", "Anna")]
    with (out / "utterances.csv").open(encoding="utf-8") as stream:
        assert "Het gaat nu veel beter met me." in [r["text"] for r in csv.DictReader(stream)]


def test_spiegel_roles_refuses_a_session_corrected_in_the_dashboard_and_resets_the_original_after(db):
    from pipeline.corrections import correct_session

    path, sid = db
    with store.connect(path) as con:
        _add(con, sid, Correction("text", {"text": "Het gaat goed."}, utterance_idx=1, author="A"))
    with pytest.raises(UserError, match="correcties uit het dashboard") as caught:
        correct_session(path, sid, {"S2": Role.PRACTITIONER})
    assert "corrections made in the dashboard" in caught.value.message("en")
    with store.connect(path) as con:
        store.corrections.undo(con, sid, "A", retag_for)
    correct_session(path, sid, {"S2": Role.PRACTITIONER})  # nothing counts any more: allowed
    with store.connect(path) as con:
        _add(con, sid, Correction("orientation", {"orientation": "neutral"}, utterance_idx=0, author="A"))
        _base, speakers = store.corrections.original(con, sid)
        assert speakers["S2"][0] == "practitioner"  # the original is now the version `spiegel roles` left
        store.corrections.undo(con, sid, "A", retag_for)
        roles = dict(con.execute("SELECT speaker, role FROM speakers WHERE session_id = ?", [sid]).fetchall())
    assert roles == {"S1": "client", "S2": "practitioner"}


def test_a_database_from_before_corrections_reads_read_only(db, tmp_path):
    """Opened read-only (the dashboard, export, report), an older database has neither the corrections table
    nor `sessions.corrected_at`: every read still works and says nothing was corrected."""
    from report.build import build_markdown
    from store.export import export_all

    path, sid = db
    with store.connect(path) as con:
        for table in store.corrections.TABLES:
            con.execute(f"DROP TABLE {table}")
        con.execute("ALTER TABLE sessions DROP COLUMN corrected_at")
    old = tmp_path / "old.duckdb"
    path.rename(old)  # never opened for writing again (that would bring the schema up to date)
    with store.connect(old, read_only=True) as con:
        assert store.corrections.history(con, sid) == []
        assert store.corrections.summary(con, sid) == (0, None, None)
        assert store.queries.sessions_overview(con).df()["corrected_at"].isna().all()
    assert "gecorrigeerd" not in build_markdown(old, sid)
    written = {p.name for p in export_all(old, "csv", tmp_path / "out")}
    assert "utterances.csv" in written and "corrections.csv" not in written
