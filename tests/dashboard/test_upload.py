"""Adding sessions in the dashboard: the upload queue runs the real `spiegel` command, and the upload page in a
real chromium stores a real recording and a transcript, with a progress bar per file and the command's own
sentence for a file that cannot be used."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

import duckdb
import pytest
from browser import ARGS, CHROMIUM, Console, artifacts, dashboard, new_page, settle

from core.texts import text
from dashboard import jobs
from tests.conftest import EVAL_PUBLIC, run_spiegel

TRANSCRIPT = (
    "Sanne: Wat zou je graag anders willen na dit gesprek?\n"
    "Eva: Dat ik weer rustig kan slapen.\n"
    "Sanne: Op een schaal van 0 tot 10, waar sta je nu?\n"
    "Eva: Een vier, denk ik.\n"
    "Sanne: Knap dat je toch elke dag bent gaan wandelen!\n"
)
#: A few seconds of real Dutch speech (CC0, ../shared/eval-public/real-nl).
CLIP = EVAL_PUBLIC / "real-nl" / "flemishguy_0151.wav"


def rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_queue_stores_a_transcript_and_says_what_the_cli_says(tmp_path):
    db = tmp_path / "spiegel.duckdb"
    queue = jobs.Queue(db)
    good = queue.add(
        "gesprek.txt",
        TRANSCRIPT.encode(),
        practitioner="Sanne",
        client_code="K-017",
        recorded_at="2026-09-14",
        language="nl",
    )
    bad = queue.add("../../leeg.txt", b"", practitioner="Sanne")
    assert queue.wait(timeout_s=600)
    assert good.state == "stored", good.message
    assert good.session_id is not None
    assert rows(
        db, "SELECT session_id, source_name, practitioner, client_code, recorded_at FROM sessions"
    ) == [(good.session_id, "gesprek.txt", "Sanne", "K-017", dt.date(2026, 9, 14))]
    assert rows(db, f"SELECT count(*) FROM tags WHERE session_id = '{good.session_id}'")[0][0] > 0
    # the name lost its folder parts, the file failed, with the command's own sentence
    assert bad.name == "leeg.txt" and bad.state == "failed"
    empty = tmp_path / "leeg.txt"
    empty.write_bytes(b"")
    direct = run_spiegel(
        "import", str(empty), "--db", str(tmp_path / "other.duckdb"), "--practitioner", "Sanne"
    )
    assert direct.returncode == 1
    assert bad.message == direct.stderr.strip().splitlines()[-1]
    # the uploaded bytes are gone once the command has finished
    assert not good.folder.exists() and not bad.folder.exists()
    assert rows(db, "SELECT count(*) FROM sessions")[0][0] == 1


def test_command_line_is_the_cli(tmp_path):
    job = jobs.Job(name="opname.m4a", kind="audio", practitioner="Sanne", client_code="K-1", folder=tmp_path)
    line = jobs.command(job, tmp_path / "db.duckdb")
    assert line[:4] == [sys.executable, "-m", "cli", "process"]
    assert line[line.index("--practitioner") + 1] == "Sanne" and "--recorded-at" not in line
    assert jobs.kind_of("x.VTT") == "transcript" and jobs.kind_of("x.wav") == "audio"
    assert jobs.failure_sentence("opname.m4a:  40%|████ | 4/10 s\r\nopname.m4a: no speech found.\n") == (
        "opname.m4a: no speech found."
    )


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.shared_data
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")
def test_upload_page_stores_a_recording_and_a_transcript(tmp_path):
    """The real page, the real pipeline (Whisper on a real clip), a real database file."""
    import playwright.sync_api as playwright

    db = tmp_path / "spiegel.duckdb"
    folder = tmp_path / "files"
    folder.mkdir()
    clip = folder / "opname-sanne.wav"
    shutil.copyfile(CLIP, clip)
    transcript = folder / "gesprek.txt"
    transcript.write_text(TRANSCRIPT, encoding="utf-8")
    broken = folder / "kapot.wav"
    broken.write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot really audio")

    with dashboard(db, tmp_path / "streamlit.log") as server, playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = new_page(browser, viewport={"width": 1280, "height": 1200})
            console = Console(page)
            page.goto(server + "/upload")
            settle(page, text("upload.title", "nl"))
            page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(
                [str(clip), str(transcript), str(broken)]
            )
            page.get_by_text("kapot.wav").wait_for(timeout=30_000)
            page.get_by_role("textbox", name=text("upload.practitioner", "nl")).fill("Sanne")
            page.get_by_role("textbox", name=text("upload.client", "nl")).fill("K-017")
            page.get_by_role("button", name=text("upload.submit", "nl")).click()
            # the page stays usable while the files run: another page opens, and the list is still there after
            page.get_by_text(
                text("upload.state.waiting", "nl", name="gesprek.txt", kind="transcript")
            ).wait_for(timeout=60_000)
            page.screenshot(path=str(artifacts() / "nl_upload_running.png"), full_page=True)
            page.get_by_role("link", name=text("nav.overview", "nl")).click()
            settle(page, text("overview.title", "nl"))
            page.get_by_role("link", name=text("nav.upload", "nl")).click()
            settle(page, text("upload.title", "nl"))
            stored = text("upload.state.stored", "nl", name="gesprek.txt", kind="transcript")
            page.get_by_text(stored).wait_for(timeout=900_000)
            page.get_by_text(text("upload.state.stored", "nl", name=clip.name, kind="opname")).wait_for(
                timeout=900_000
            )
            failure = page.locator("[data-testid=stAlertContentError]")
            failure.wait_for(timeout=900_000)
            page.screenshot(path=str(artifacts() / "nl_upload_done.png"), full_page=True)
            shown_failure = failure.locator("[data-testid=stMarkdownContainer]").inner_text().strip()
            # the stored transcript opens as a session, inside the app
            page.get_by_role("link", name=text("upload.open", "nl", name="gesprek.txt")).click()
            settle(page, text("session.title", "nl", date="").strip())
            page.get_by_text("Knap dat je toch elke dag").first.wait_for(timeout=30_000)
            assert console.errors == [], console.errors
        finally:
            browser.close()

    stored_rows = rows(
        db, "SELECT source_name, source_kind, practitioner, client_code FROM sessions ORDER BY 1"
    )
    assert [(r[0], r[2], r[3]) for r in stored_rows] == [
        ("gesprek.txt", "Sanne", "K-017"),
        ("opname-sanne.wav", "Sanne", "K-017"),
    ]
    assert (
        rows(
            db,
            "SELECT count(*) FROM utterances u JOIN sessions s USING (session_id) "
            "WHERE s.source_name = 'opname-sanne.wav'",
        )[0][0]
        > 0
    )
    direct = run_spiegel("process", str(broken), "--db", str(tmp_path / "other.duckdb"), "--no-progress")
    assert direct.returncode == 1
    assert shown_failure == direct.stderr.strip().splitlines()[-1]


def test_closing_the_queue_leaves_no_upload_behind(tmp_path):
    """A dashboard that stops with files still queued removes their bytes from the temporary folder."""
    queue = jobs.Queue(tmp_path / "spiegel.duckdb")
    waiting = [queue.add(f"gesprek-{n}.txt", TRANSCRIPT.encode(), practitioner="Sanne") for n in range(3)]
    queue.close()
    assert not any(job.folder.exists() for job in waiting)


def test_team_queue_audits_uploads_and_lists_each_members_own(tmp_path):
    """In team mode each job keeps its member: the list is theirs, a stored file is audited with their login,
    and a file stored earlier under another practitioner gives no link to that session."""
    from store import connect, team
    from store.team import Viewer

    sanne = Viewer("sanne", "practitioner", "Sanne")
    eva = Viewer("eva", "practitioner", "Eva")
    db = tmp_path / "spiegel.duckdb"
    queue = jobs.Queue(db)
    first = queue.add("gesprek.txt", TRANSCRIPT.encode(), viewer=sanne, practitioner="Sanne")
    assert queue.wait(timeout_s=600) and first.state == "stored", first.message
    again = queue.add("zelfde.txt", TRANSCRIPT.encode(), viewer=eva, practitioner="Eva")
    assert queue.wait(timeout_s=600)
    assert first.session_id is not None and again.session_id is None  # Sanne's session, not Eva's to open
    assert queue.jobs(sanne) == [first] and queue.jobs(eva) == [again] and len(queue.jobs()) == 2
    queue.clear_done(eva)
    assert queue.jobs() == [first]
    with connect(db, read_only=True) as con:
        audited = [(r[2], r[3], r[5]) for r in team.audit_rows(con, "upload")]
    assert ("sanne", "dashboard", "transcript") in audited
    assert all("gesprek" not in repr(row) for row in audited)
