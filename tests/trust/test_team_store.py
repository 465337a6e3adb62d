"""Team mode in the store: the role filters are WHERE clauses of the queries, on a real DuckDB file.

Three sessions: two of Ottoline (clients K-0001, K-0002), one of Pieter (K-0003). Ottoline is a practitioner
login, Sanne a supervisor (sessions shared with her as each test needs), Tom a trainer.
"""

from __future__ import annotations

import json
import stat
import threading
import time

import pytest

import store
from core.errors import UserError
from store import team
from store.team import Viewer
from store.users import TeamRole, add_user, authenticate, load, remove_user
from tests.trust.records import file_bytes, three_sessions

OTTOLINE = Viewer("ottoline", "practitioner", "Ottoline")
SANNE = Viewer("sanne", "supervisor")
TOM = Viewer("tom", "trainer")


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "team.duckdb"
    with store.connect(path) as con:
        ids = three_sessions(con)
    return path, ids


def ids_seen(con, viewer: Viewer) -> set[str]:
    return {row[0] for row in team.visible_sessions(con, viewer).fetchall()}


def test_a_practitioner_gets_only_rows_of_their_own_sessions(db):
    path, ids = db
    with store.connect(path, read_only=True) as con:
        assert ids_seen(con, OTTOLINE) == {ids["tulpenveld"], ids["zeilboot"]}
        assert {r[0] for r in team.visible_metrics(con, OTTOLINE).fetchall()} == ids_seen(con, OTTOLINE)
        assert team.visible_session(con, OTTOLINE, ids["vuurtoren"]) is None
        row, utterances, tags = team.visible_session(con, OTTOLINE, ids["tulpenveld"])
        assert len(row) == 1 and len(utterances) == 6 and tags.empty
        assert team.visible_metrics(con, OTTOLINE, ids["vuurtoren"]).fetchall() == []
        # a practitioner name that matches nobody, or none at all, sees nothing
        assert ids_seen(con, Viewer("x", "practitioner", "ottoline")) == set()
        assert ids_seen(con, Viewer("x", "practitioner", None)) == set()


def test_a_supervisor_gets_only_what_is_shared_with_them(db):
    path, ids = db
    with store.connect(path, read_only=True) as con:
        assert ids_seen(con, SANNE) == set()
    with store.connect(path) as con:
        assert team.share(con, ids["vuurtoren"], "sanne", "admin") is True
        assert team.share(con, ids["vuurtoren"], "sanne", "admin") is False  # already shared
        assert ids_seen(con, SANNE) == {ids["vuurtoren"]}
        assert ids_seen(con, Viewer("other", "supervisor")) == set()
        assert team.visible_session(con, SANNE, ids["zeilboot"]) is None
        assert team.visible_session(con, SANNE, ids["vuurtoren"]) is not None
        assert team.unshare(con, ids["vuurtoren"], "sanne", "admin") is True
        assert team.unshare(con, ids["vuurtoren"], "sanne", "admin") is False
        assert ids_seen(con, SANNE) == set()
        with pytest.raises(UserError, match="geen sessie bestaat-niet") as caught:
            team.share(con, "bestaat-niet", "sanne", "admin")
        assert "no session bestaat-niet" in caught.value.message("en")
        events = [row[1] for row in team.audit_rows(con)]
    assert events == ["unshare", "unshare", "share", "share"]


def test_a_trainer_gets_no_session_only_pseudonymised_months(db):
    path, ids = db
    with store.connect(path, read_only=True) as con:
        assert ids_seen(con, TOM) == set()
        assert team.visible_metrics(con, TOM).fetchall() == []
        assert all(team.visible_session(con, TOM, sid) is None for sid in ids.values())
        figures = team.cohort_figures(con, "secret-1").df()
        other = team.cohort_figures(con, "secret-2").df()
    assert sorted(figures["sessions"]) == [1, 2]  # Pieter's one, Ottoline's two, in one month each
    assert list(figures.columns) == [
        "practitioner",
        "month",
        "sessions",
        "mean_ratio",
        "mean_talk_share",
        "mean_question_share",
        "compliments_per_session",
    ]
    text = figures.to_csv()
    for secret in ("Ottoline", "Pieter", "K-000", "tulpenveld", *ids.values()):
        assert secret not in text
    assert all(p.startswith("P-") and len(p) == 8 for p in figures["practitioner"])
    assert set(figures["practitioner"]).isdisjoint(other["practitioner"])  # the secret decides the pseudonym
    assert {str(m)[:10] for m in figures["month"]} == {"2026-11-01"}  # months, not the day (2026-11-03)


def test_erasure_takes_the_shares_and_is_audited_without_the_text(db):
    path, ids = db
    gone = ids["vuurtoren"]
    with store.connect(path) as con:
        team.share(con, gone, "sanne", "admin")
    team.erase_session_audited(path, gone, "admin")
    with store.connect(path, read_only=True) as con:
        assert team.shares_of(con) == []
        rows = team.audit_rows(con, "delete")
    assert [(r[1], r[2], r[3], r[4]) for r in rows] == [("delete", "admin", "cli", gone)]
    data = file_bytes(path)
    for trace in (b"vuurtoren", b"K-0003", b"Pieter"):
        assert trace not in data


def test_failed_logins_count_until_the_next_good_one(db):
    path, _ids = db
    with store.connect(path) as con:
        for _ in range(3):
            team.record(con, "login_failed", "ottoline", team.VIA_DASHBOARD)
        team.record(con, "login_failed", "sanne", team.VIA_DASHBOARD)
        assert team.recent_failures(con, "ottoline", 15) == 3
        assert team.recent_failures(con, "sanne", 15) == 1
        team.record(con, "login", "ottoline", team.VIA_DASHBOARD)
        assert team.recent_failures(con, "ottoline", 15) == 0
        con.execute("UPDATE audit_log SET logged_at = logged_at - INTERVAL 1 HOUR WHERE actor = 'sanne'")
        assert team.recent_failures(con, "sanne", 15) == 0  # outside the window
        with pytest.raises(ValueError, match="unknown audit event"):
            team.record(con, "made_up", "x", team.VIA_CLI)


def test_a_database_from_before_team_mode_reads_as_nothing_audited(tmp_path):
    path = tmp_path / "old.duckdb"
    with store.connect(path) as con:
        con.execute("DROP TABLE audit_log")
        con.execute("DROP TABLE session_shares")
    with store.connect(path, read_only=True) as con:
        assert team.audit_rows(con) == [] and team.shares_of(con) == []
        assert team.recent_failures(con, "ottoline", 15) == 0


def test_the_user_file_is_private_hashed_and_checked(tmp_path):
    path = tmp_path / "team.users.json"
    add_user(path, "Ottoline", TeamRole.PRACTITIONER, "een-lang-wachtwoord", "Ottoline")
    add_user(path, "tom", TeamRole.TRAINER, "nog-een-wachtwoord", None)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    raw = path.read_text()
    assert "een-lang-wachtwoord" not in raw
    assert json.loads(raw)["users"]["ottoline"]["password_hash"].startswith("$argon2id$")
    file = load(path)
    assert authenticate(file, "OTTOLINE ", "een-lang-wachtwoord").name == "ottoline"
    assert authenticate(file, "ottoline", "een-lang-wachtwoorD") is None
    assert authenticate(file, "niemand", "een-lang-wachtwoord") is None
    refusals = [  # (Dutch, English) of the same refusal
        ("bestaat al", "already exists", ("tom", TeamRole.TRAINER, "nog-een-wachtwoord", None)),
        ("--practitioner NAAM nodig", "needs --practitioner", ("anna", TeamRole.PRACTITIONER, "een-lang-wachtwoord", None)),
        ("te kort", "too short", ("anna", TeamRole.SUPERVISOR, "kort", None)),
        ("niet bruikbaar", "not usable", ("an na", TeamRole.SUPERVISOR, "een-lang-wachtwoord", None)),
    ]  # fmt: skip
    for dutch, english, given in refusals:
        with pytest.raises(UserError, match=dutch) as caught:
            add_user(path, *given)
        assert english in caught.value.message("en")
    assert remove_user(path, "tom").name == "tom"
    assert set(load(path).users) == {"ottoline"}
    path.chmod(0o644)
    with pytest.raises(UserError, match="chmod 600"):
        load(path)
    path.chmod(0o600)
    path.write_text("{not json")
    with pytest.raises(UserError, match="beschadigd") as caught:
        load(path)
    assert "damaged" in caught.value.message("en")


def test_an_audit_write_waits_for_a_read_of_the_same_process(db):
    """The dashboard writes login rows in the process whose other sessions read: DuckDB refuses a write
    connection while a read-only one to the same file is open in this process; the write waits it out."""
    path, _ids = db
    opened = threading.Event()

    def read_a_while() -> None:
        with store.connect(path, read_only=True) as con:
            opened.set()
            con.execute("SELECT count(*) FROM sessions").fetchone()
            time.sleep(1.0)

    reader = threading.Thread(target=read_a_while)
    reader.start()
    assert opened.wait(30)
    team.record_event(path, "login", "ottoline", team.VIA_DASHBOARD, wait_s=30)
    reader.join()
    with store.connect(path, read_only=True) as con:
        assert [row[2] for row in team.audit_rows(con, "login")] == ["ottoline"]
