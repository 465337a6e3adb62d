"""The CLI on transcripts: import with roles, idempotency, export, report, delete, --help everywhere."""

from __future__ import annotations

import csv
import json

import duckdb
import pytest

from tests.conftest import REPO, run_spiegel

COMMANDS = [
    "process",
    "import",
    "tag",
    "dashboard",
    "export",
    "report",
    "delete",
    "demo",
    "eval",
    "roles",
    "enroll",
]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    result = run_spiegel(command, "--help")
    assert result.returncode == 0, result.stderr
    assert "usage: spiegel" in result.stdout


def query(db, sql, params=()):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


@pytest.fixture
def family_text(tmp_path):
    path = tmp_path / "gezin.txt"
    path.write_text(
        "Joke: Welkom allebei. Wat hopen jullie dat dit gesprek oplevert?\n"
        "Moeder: Dat we weer normaal kunnen praten zonder ruzie.\n"
        "Tim: Ja, en dat ze niet steeds over school begint.\n"
        "Joke: Op een schaal van nul tot tien, waar staan jullie nu?\n"
        "Moeder: Ik denk een vier.\n"
        "Tim: Een zes.\n"
        "Joke: Knap dat jullie hier samen zitten. <script>window.__x=1</script>\n",
        encoding="utf-8",
    )
    return path


def test_import_names_practitioner_and_clients(tmp_path, family_text):
    db = tmp_path / "s.duckdb"
    result = run_spiegel(
        "import", str(family_text), "--db", str(db), "--practitioner", "Joke", "--client", "G-7"
    )
    assert result.returncode == 0, result.stderr
    roles = dict(query(db, "SELECT speaker, role FROM speakers"))
    assert roles == {"Joke": "practitioner", "Moeder": "client", "Tim": "client"}
    assert query(db, "SELECT count(*) FROM utterances WHERE role IS NULL")[0][0] == 0
    assert query(db, "SELECT client_code, practitioner, has_times FROM sessions") == [("G-7", "Joke", False)]
    values = [
        v
        for (v,) in query(db, "SELECT scale_value FROM utterances WHERE scale_value IS NOT NULL ORDER BY idx")
    ]
    assert values == [4.0, 6.0]
    # the same file again: still one session
    again = run_spiegel("import", str(family_text), "--db", str(db), "--practitioner", "Joke")
    assert again.returncode == 0
    assert "al opgeslagen" in again.stderr
    assert query(db, "SELECT count(*) FROM sessions")[0][0] == 1


def test_export_report_delete(tmp_path, family_text):
    db = tmp_path / "s.duckdb"
    assert run_spiegel("import", str(family_text), "--db", str(db), "--practitioner", "Joke").returncode == 0
    session_id = query(db, "SELECT session_id FROM sessions")[0][0]

    out = tmp_path / "export"
    result = run_spiegel("export", "--db", str(db), "--format", "csv", "--out", str(out))
    assert result.returncode == 0, result.stderr
    with (out / "utterances.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == query(db, "SELECT count(*) FROM utterances")[0][0]
    assert {"session_id", "idx", "speaker", "role", "start_s", "end_s", "text", "orientation"} <= set(rows[0])
    assert (out / "session_metrics.csv").exists()
    assert run_spiegel("export", "--db", str(db), "--format", "json", "--out", str(out)).returncode == 0
    assert json.loads((out / "sessions.json").read_text(encoding="utf-8"))[0]["session_id"] == session_id

    for fmt in ("md", "html"):
        target = tmp_path / f"verslag.{fmt}"
        result = run_spiegel("report", session_id, "--db", str(db), "--format", fmt, "--out", str(target))
        assert result.returncode == 0, result.stderr
        text = target.read_text(encoding="utf-8")
        assert "Joke" in text
        assert "<script>" not in text and "&lt;script&gt;" in text

    result = run_spiegel("delete", session_id, "--db", str(db))
    assert result.returncode == 0
    for table in ("sessions", "utterances", "tags", "words", "speakers"):
        assert query(db, f"SELECT count(*) FROM {table}")[0][0] == 0
    assert run_spiegel("delete", session_id, "--db", str(db)).returncode == 1


def test_pdf_report(tmp_path, family_text):
    db = tmp_path / "s.duckdb"
    assert run_spiegel("import", str(family_text), "--db", str(db), "--practitioner", "Joke").returncode == 0
    session_id = query(db, "SELECT session_id FROM sessions")[0][0]
    target = tmp_path / "verslag.pdf"
    result = run_spiegel("report", session_id, "--db", str(db), "--format", "pdf", "--out", str(target))
    assert result.returncode == 0, result.stderr
    assert target.read_bytes().startswith(b"%PDF")


def test_import_webvtt_with_times(tmp_path):
    vtt = tmp_path / "g.vtt"
    vtt.write_text(
        "WEBVTT\n\n00:00:00.000 --> 00:00:04.000\n<v Ria>Wat gaat er sinds vorige keer beter?</v>\n\n"
        "00:00:04.500 --> 00:00:09.000\n<v Bas>Ik ben niet meer boos geworden op mijn zus.</v>\n",
        encoding="utf-8",
    )
    db = tmp_path / "s.duckdb"
    assert run_spiegel("import", str(vtt), "--db", str(db), "--practitioner", "Ria").returncode == 0
    rows = query(db, "SELECT speaker, role, start_s, end_s, orientation FROM utterances ORDER BY idx")
    assert rows[0][:4] == ("Ria", "practitioner", 0.0, 4.0)
    assert rows[1][:2] == ("Bas", "client")
    assert rows[1][4] == "solution"
    ratio = query(db, "SELECT solution_talk_ratio FROM session_metrics WHERE role = 'client'")[0][0]
    assert ratio == 1.0


def test_sample_transcripts_import(tmp_path):
    db = tmp_path / "s.duckdb"
    result = run_spiegel("import", str(REPO / "samples/sessions"), "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert query(db, "SELECT count(*) FROM sessions")[0][0] == len(
        list((REPO / "samples/sessions").glob("*.json"))
    )
    assert query(db, "SELECT DISTINCT language FROM sessions ORDER BY 1") == [("en",), ("nl",)]
