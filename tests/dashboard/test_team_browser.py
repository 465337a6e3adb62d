"""Team mode in the real dashboard, in headless Debian chromium: each role sees only what it may.

One database (the three fixture sessions: A and B of Anna de Vries, C of Bram Jansen), one user file with a
practitioner (anna = Anna de Vries), a supervisor (sanne, session B shared with her) and a trainer (tom).
Every address is opened fresh, so every visit starts at the login, as a link someone sends would.

The pages added beside team mode (supervision with its notes, the correction panel, the kept recording's
player, the upload page) are checked per role too: their reads and writes go through store/access.py, and a
member's writes land in the audit log.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from browser import new_page
from conftest import INJECTION, FixtureDb, build_db
from playwright.sync_api import expect
from test_browser import ARGS, CHROMIUM, free_port, no_exception

from dashboard.launch import stop, wait_healthy
from store import audio, connect, corrections, team
from store.users import TeamRole, add_user
from tests.conftest import REPO

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]

PASSWORDS = {
    "anna": "anna-wachtwoord-1",
    "sanne": "sanne-wachtwoord-2",
    "tom": "tom-wachtwoord-3",
    "kim": "kim-wachtwoord-4",
    "bram": "bram-wachtwoord-5",
}
NOT_FOUND = "staat niet (meer) in deze database"
UPLOAD_TITLE = "Gesprekken toevoegen"
SUPERVISION = "Wat goed ging"  # the supervision page's first heading
#: A transcript whose practitioner speaks under the login's practitioner name (`--practitioner` names the
#: practitioner's speaker too, pipeline/process.py).
TRANSCRIPT = (
    "Anna de Vries: Wat zou je graag anders willen na dit gesprek?\n"
    "Eva: Dat ik weer rustig kan slapen, zei de fietsenmaker.\n"
    "Anna de Vries: Knap dat je toch elke dag bent gaan wandelen!\n"
)


@pytest.fixture(scope="module")
def team_db(tmp_path_factory) -> tuple[FixtureDb, Path]:
    root = tmp_path_factory.mktemp("team")
    db = build_db(root / "team.duckdb")
    users = root / "team.users.json"
    add_user(users, "anna", TeamRole.PRACTITIONER, PASSWORDS["anna"], "Anna de Vries")
    add_user(users, "sanne", TeamRole.SUPERVISOR, PASSWORDS["sanne"], None)
    add_user(users, "tom", TeamRole.TRAINER, PASSWORDS["tom"], None)
    add_user(users, "kim", TeamRole.SUPERVISOR, PASSWORDS["kim"], None)
    add_user(users, "bram", TeamRole.PRACTITIONER, PASSWORDS["bram"], "Bram Jansen")
    with connect(db.path) as con:
        team.share(con, db.b, "sanne", "test")
    audio.keep(db.path, db.b, b"OggS" + bytes(64), "audio/ogg", 60.0)  # B's recording, kept
    return db, users


@pytest.fixture(scope="module")
def team_server(team_db, tmp_path_factory):
    db, users = team_db
    port = free_port()
    log_path = tmp_path_factory.mktemp("team-log") / "streamlit.log"
    log = log_path.open("w")
    command = ["dashboard", "--team", "--db", str(db.path), "--users", str(users), "--port", str(port)]
    proc = subprocess.Popen(  # as a user starts it: the real `spiegel` command
        [sys.executable, "-m", "pipeline", *command], cwd=str(REPO), stdout=log, stderr=subprocess.STDOUT
    )
    try:
        assert wait_healthy(port, timeout_s=120, proc=proc), log_path.read_text()
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)
        log.close()


@pytest.fixture(scope="module")
def browser():
    import playwright.sync_api as playwright

    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


def visit(browser, url: str, name: str, password: str, expect: str | None = None):
    """A fresh tab at `url`: the login form first, then (when `expect` is given) wait for that text."""
    page = new_page(browser, viewport={"width": 1400, "height": 2000})
    page.goto(url)
    page.get_by_role("heading", name="Inloggen").wait_for(timeout=60_000)
    assert page.get_by_text("Knap dat je dat deed").count() == 0  # nothing of a session before the login
    submit(page, name, password)
    if expect:
        page.get_by_text(expect).first.wait_for(state="attached", timeout=60_000)
        page.wait_for_timeout(800)
        no_exception(page)
    return page


def submit(page, name: str, password: str) -> None:
    page.get_by_label("Gebruikersnaam").fill(name)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()


def audited(db: FixtureDb, event: str, actor: str) -> int:
    with connect(db.path, read_only=True) as con:
        return sum(1 for row in team.audit_rows(con, event) if row[2] == actor)


def wait_audited(page, db: FixtureDb, event: str, actor: str, count: int) -> None:
    for _ in range(60):
        if audited(db, event, actor) >= count:
            return
        page.wait_for_timeout(1000)
    raise AssertionError(f"{event} of {actor} not audited {count} times")


def grid_has(page, session_id: str) -> bool:
    return page.locator(f'[role=gridcell]:has-text("/session?id={session_id}")').count() > 0


def test_a_wrong_password_is_refused_and_audited(team_server, team_db, browser):
    db, _users = team_db
    page = visit(browser, f"{team_server}/session?id={db.a}", "anna", "niet-het-wachtwoord")
    page.get_by_text("Gebruikersnaam of wachtwoord klopt niet.").wait_for(timeout=30_000)
    assert page.get_by_text("Knap dat je dat deed").count() == 0
    assert page.get_by_text("Anna de Vries").count() == 0
    page = visit(browser, f"{team_server}/", "niemand", "wat-dan-ook-123")
    page.get_by_text("Gebruikersnaam of wachtwoord klopt niet.").wait_for(timeout=30_000)
    with connect(db.path, read_only=True) as con:
        failed = team.audit_rows(con, "login_failed")
    assert ("anna", "dashboard", None) in [(a, v, d) for _at, _e, a, v, _s, d in failed]
    assert (None, "unknown user name") in [(a, d) for _at, _e, a, _v, _s, d in failed]
    assert "niemand" not in repr(failed)  # a mistyped name (or a password typed as one) is not kept


def test_a_practitioner_sees_only_their_own_sessions(team_server, team_db, browser):
    db, _users = team_db
    page = visit(browser, f"{team_server}/", "anna", PASSWORDS["anna"], expect="Anna de Vries")
    page.get_by_role("heading", name="Overzicht van gesprekken").wait_for(timeout=30_000)
    assert grid_has(page, db.a) and grid_has(page, db.b)
    assert not grid_has(page, db.c)
    assert page.get_by_text("Bram Jansen").count() == 0
    page.get_by_text("U ziet alleen uw eigen gesprekken.").wait_for(timeout=10_000)

    page = visit(
        browser, f"{team_server}/session?id={db.a}", "anna", PASSWORDS["anna"], "Knap dat je dat deed"
    )
    page = visit(browser, f"{team_server}/session?id={db.c}", "anna", PASSWORDS["anna"], NOT_FOUND)
    assert page.get_by_text("Dat ik weer lach.").count() == 0
    assert page.get_by_text(INJECTION[:20]).count() == 0


def test_a_supervisor_sees_only_what_was_shared(team_server, team_db, browser):
    db, _users = team_db
    page = visit(browser, f"{team_server}/", "sanne", PASSWORDS["sanne"], expect="Overzicht van gesprekken")
    page.get_by_text("Anna de Vries").first.wait_for(state="attached", timeout=30_000)
    assert grid_has(page, db.b)
    assert not grid_has(page, db.a) and not grid_has(page, db.c)
    page = visit(browser, f"{team_server}/session?id={db.b}", "sanne", PASSWORDS["sanne"], "Zes en een half.")
    page = visit(browser, f"{team_server}/session?id={db.a}", "sanne", PASSWORDS["sanne"], NOT_FOUND)
    assert page.get_by_text("Knap dat je dat deed").count() == 0


def test_a_trainer_sees_only_pseudonymised_cohort_figures(team_server, team_db, browser):
    db, _users = team_db
    for url in (f"{team_server}/", f"{team_server}/session?id={db.a}", f"{team_server}/client?code=K-001"):
        page = visit(browser, url, "tom", PASSWORDS["tom"], expect="Groep: samengevatte cijfers")
        page.locator("[role=gridcell]").first.wait_for(state="attached", timeout=30_000)
        cells = " ".join(page.locator("[role=gridcell]").all_inner_texts())
        assert "P-" in cells
        body = page.content()
        for secret in ("Anna de Vries", "Bram Jansen", "K-001", "K-002", "Knap dat je dat deed", db.a, db.c):
            assert secret not in body, secret


def test_logins_are_audited(team_server, team_db, browser):
    db, _users = team_db
    visit(browser, f"{team_server}/", "tom", PASSWORDS["tom"], expect="Groep: samengevatte cijfers")
    with connect(db.path, read_only=True) as con:
        logins = {
            actor for _at, _e, actor, via, _s, _d in team.audit_rows(con, "login") if via == "dashboard"
        }
    assert {"tom"} <= logins


def test_five_failures_lock_the_name_out(team_server, team_db, browser):
    db, _users = team_db
    page = visit(browser, f"{team_server}/", "kim", "fout-wachtwoord-1")
    wait_audited(page, db, "login_failed", "kim", 1)
    for attempt in range(2, 6):
        submit(page, "kim", f"fout-wachtwoord-{attempt}")
        wait_audited(page, db, "login_failed", "kim", attempt)
    submit(page, "kim", PASSWORDS["kim"])  # the right password, too late
    page.get_by_text("Te veel mislukte pogingen").wait_for(timeout=30_000)
    assert page.get_by_role("heading", name="Overzicht van gesprekken").count() == 0
    assert audited(db, "login_locked", "kim") == 1 and audited(db, "login", "kim") == 0


def test_a_logout_ends_the_login_and_is_audited(team_server, team_db, browser):
    db, _users = team_db
    page = visit(browser, f"{team_server}/", "sanne", PASSWORDS["sanne"], expect="Overzicht van gesprekken")
    page.get_by_role("button", name="Uitloggen").click()
    page.get_by_role("heading", name="Inloggen").wait_for(timeout=30_000)
    # Streamlit draws the login form first and removes the previous run's elements only when the run ends
    # (st.stop): the overview must be gone then, not at the first frame of the login.
    expect(page.get_by_text("Anna de Vries")).to_have_count(0, timeout=30_000)
    wait_audited(page, db, "logout", "sanne", 1)


def audit_of(db: FixtureDb, event: str) -> list[tuple]:
    with connect(db.path, read_only=True) as con:
        return [(actor, via, sid, detail) for _at, _e, actor, via, sid, detail in team.audit_rows(con, event)]


def test_a_practitioner_gets_the_supervision_page_of_own_sessions_only(team_server, team_db, browser):
    db, _users = team_db
    page = visit(browser, f"{team_server}/supervision?id={db.c}", "anna", PASSWORDS["anna"], NOT_FOUND)
    assert page.get_by_text(INJECTION[:20]).count() == 0 and page.get_by_text(SUPERVISION).count() == 0
    page = visit(browser, f"{team_server}/supervision?id={db.a}", "anna", PASSWORDS["anna"], SUPERVISION)
    assert page.get_by_role("button", name="Notitie opslaan").count() == 0  # notes are the supervisor's


def test_a_practitioner_corrects_own_sessions_under_the_login_and_it_is_audited(
    team_server, team_db, browser
):
    db, _users = team_db
    page = visit(
        browser, f"{team_server}/session?id={db.a}", "anna", PASSWORDS["anna"], "Knap dat je dat deed"
    )
    page.get_by_text("Corrigeren", exact=True).click()
    author = page.get_by_label("Uw naam (bij elke wijziging bewaard)")
    author.wait_for(timeout=30_000)
    assert author.input_value() == "anna" and author.is_disabled()
    page.get_by_role("button", name="Label toevoegen").click()
    page.get_by_text("Opgeslagen; de cijfers zijn bijgewerkt.").first.wait_for(timeout=60_000)
    rows = [r for r in audit_of(db, "correction") if r[2] == db.a]
    assert [(a, v) for a, v, _s, _d in rows] == [("anna", "dashboard")]
    assert rows[0][3].startswith("label_add ")
    with connect(db.path, read_only=True) as con:
        assert [h["author"] for h in corrections.history(con, db.a)] == ["anna"]


def test_a_supervisor_writes_notes_listens_but_does_not_correct_or_upload(team_server, team_db, browser):
    db, _users = team_db
    page = visit(browser, f"{team_server}/supervision?id={db.a}", "sanne", PASSWORDS["sanne"], NOT_FOUND)
    assert page.get_by_text(SUPERVISION).count() == 0
    page = visit(browser, f"{team_server}/session?id={db.b}", "sanne", PASSWORDS["sanne"], "Zes en een half.")
    assert page.get_by_text("Corrigeren", exact=True).count() == 0
    assert page.locator('audio[data-testid="stAudio"]').count() == 1  # B's kept recording, shared with her
    assert page.get_by_role("link", name="Toevoegen").count() == 0
    page = visit(browser, f"{team_server}/upload", "sanne", PASSWORDS["sanne"], "Overzicht van gesprekken")
    assert page.get_by_role("heading", name=UPLOAD_TITLE).count() == 0
    assert page.locator("[data-testid=stFileUploaderDropzoneInput]").count() == 0
    page = visit(browser, f"{team_server}/supervision?id={db.b}", "sanne", PASSWORDS["sanne"], SUPERVISION)
    moment = page.locator("[class*='st-key-moment_']").first
    moment.wait_for(timeout=30_000)
    moment.locator("textarea").fill("Mooi, dat compliment.")
    moment.get_by_role("button", name="Notitie opslaan").click()
    page.get_by_text("Notitie opgeslagen.").first.wait_for(timeout=30_000)
    notes = audit_of(db, "note")
    assert [(a, v, s) for a, v, s, _d in notes] == [("sanne", "dashboard", db.b)]
    assert "Mooi" not in repr(notes)


def test_a_trainer_gets_neither_upload_nor_supervision(team_server, team_db, browser):
    db, _users = team_db
    for url in (f"{team_server}/upload", f"{team_server}/supervision?id={db.b}"):
        page = visit(browser, url, "tom", PASSWORDS["tom"], expect="Groep: samengevatte cijfers")
        assert page.get_by_role("heading", name=UPLOAD_TITLE).count() == 0
        assert page.get_by_text(SUPERVISION).count() == 0
        assert page.locator("[data-testid=stFileUploaderDropzoneInput]").count() == 0
        assert page.locator("audio").count() == 0


def test_a_practitioners_upload_is_stored_under_their_own_name_and_audited(
    team_server, team_db, browser, tmp_path
):
    db, _users = team_db
    transcript = tmp_path / "teamgesprek.txt"
    transcript.write_text(TRANSCRIPT, encoding="utf-8")
    page = visit(browser, f"{team_server}/upload", "anna", PASSWORDS["anna"], UPLOAD_TITLE)
    practitioner = page.get_by_role("textbox", name="Hulpverlener")
    assert practitioner.input_value() == "Anna de Vries" and practitioner.is_disabled()
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files([str(transcript)])
    page.get_by_text("teamgesprek.txt").first.wait_for(timeout=30_000)
    page.get_by_role("button", name="Toevoegen", exact=True).click()
    page.get_by_text("teamgesprek.txt (transcript): opgeslagen").wait_for(timeout=600_000)
    with connect(db.path, read_only=True) as con:
        stored = con.execute(
            "SELECT session_id, practitioner FROM sessions WHERE source_name = 'teamgesprek.txt'"
        ).fetchall()
    assert [p for _s, p in stored] == ["Anna de Vries"]
    for _ in range(30):  # the audit row is written by the queue's worker right after the command
        if audit_of(db, "upload"):
            break
        page.wait_for_timeout(1000)
    assert audit_of(db, "upload") == [("anna", "dashboard", stored[0][0], "transcript")]
    # the queue is shared by the server: another practitioner does not see anna's file in the list
    other = visit(browser, f"{team_server}/upload", "bram", PASSWORDS["bram"], UPLOAD_TITLE)
    other.get_by_text("Nog niets toegevoegd.").wait_for(timeout=30_000)
    assert other.get_by_text("teamgesprek.txt").count() == 0
    assert other.get_by_role("textbox", name="Hulpverlener").input_value() == "Bram Jansen"
