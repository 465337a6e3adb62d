"""The share buttons' file makers (dashboard/share.py) on a real DuckDB file, outside a browser.

The report maker runs the real `spiegel report` command; the data makers read the stored session.
"""

from __future__ import annotations

import csv
import json

import pytest

import store
from dashboard import share
from store import supervision
from tests.supervision.sample_sessions import sample_session


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "delen.duckdb"
    with store.connect(path) as con:
        sid, _ = store.save_session(con, sample_session("nl_eerste_gesprek"))
        supervision.save_note(
            con, sid, "scale_followed:24", "scale_followed", 24, 175.0, "Vraag naar de vier."
        )
    monkeypatch.setenv("SPIEGEL_DB", str(path))
    return path, sid


def test_report_download_is_the_command_s_file(db) -> None:
    from report import render_report

    path, sid = db
    made = share.report_bytes(sid, "md", "nl", pseudonymize=False)
    assert made == render_report(path, sid, "md")
    assert "**Notitie:** Vraag naar de vier." in made.decode("utf-8")


def test_a_failing_report_is_one_sentence(db) -> None:
    from core.errors import UserError

    with pytest.raises(UserError, match="Het verslag kon niet worden gemaakt") as caught:
        share.report_bytes("bestaat-niet", "md", "nl", pseudonymize=False)
    assert caught.value.message("en").startswith("The report could not be made")


def test_pseudonymised_data_files_carry_no_names(db) -> None:
    _, sid = db
    rows = list(
        csv.DictReader(share.data_bytes(sid, "csv", pseudonymize=True).decode("utf-8-sig").splitlines())
    )
    text = json.dumps(rows, ensure_ascii=False)
    assert "Sanne" not in text and "Eva" not in text
    assert {row["speaker"] for row in rows} == {"[PERSOON-1]", "[PERSOON-2]"}
    record = json.loads(share.data_bytes(sid, "json", pseudonymize=True))
    assert record["meta"]["client_code"].startswith("[CLIENT-") and record["meta"]["recorded_at"] is None
    plain = json.loads(share.data_bytes(sid, "json", pseudonymize=False))
    assert plain["meta"]["practitioner"] == "Sanne"


def test_a_failing_report_is_told_in_the_page_s_language(db, monkeypatch) -> None:
    """`str(error)` is what Streamlit shows of a raised error: the page's language, not the process's."""
    from core.errors import UserError

    monkeypatch.delenv("SPIEGEL_LANG", raising=False)
    with pytest.raises(UserError) as caught:
        share.report_bytes("bestaat-niet", "md", "en", pseudonymize=False)
    assert str(caught.value).startswith("The report could not be made: ")
    assert "no session bestaat-niet" in str(caught.value)  # the command's own sentence, in English too
