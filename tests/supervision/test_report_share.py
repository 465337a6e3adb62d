"""`spiegel report` and the session's data for sharing, run as the real command on a real DuckDB file.

The report opens with what went well (each moment with its supervisor's note), writes dates, lengths and
times as people write them (14 september 2026, 4:07, 00:10), carries its two charts as images, and prints on
A4. `session_metrics.csv` writes `scale_answers` as JSON.
"""

from __future__ import annotations

import base64
import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import store
from report import render_report
from store import supervision
from store.export import session_csv, session_json
from tests.supervision.sample_sessions import sample_session

REPO = Path(__file__).resolve().parents[2]
NOTE = "Mooi getimed compliment, <b>echt</b> – bespreek de timing."
ORPHAN = "Notitie bij een moment dat niet meer bestaat."


def spiegel(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, cwd=REPO, check=False
    )


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> tuple[Path, str]:
    path = tmp_path_factory.mktemp("share") / "share.duckdb"
    with store.connect(path) as con:
        session_id, _ = store.save_session(con, sample_session("nl_eerste_gesprek"))
        supervision.save_note(con, session_id, "compliment_landed:22", "compliment_landed", 22, 161.5, NOTE)
        supervision.save_note(con, session_id, "problem_stretch:3", "problem_stretch", 3, 12.0, ORPHAN)
    return path, session_id


def test_markdown_report_opens_with_what_went_well_and_writes_people_s_formats(db, tmp_path) -> None:
    path, sid = db
    out = tmp_path / "verslag.md"
    done = spiegel("report", sid, "--db", str(path), "--format", "md", "--out", str(out))
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert out.read_bytes() == render_report(path, sid, "md")  # the command and the buttons: one code path
    assert "**Datum:** 14 september 2026" in text
    assert "**Duur:** 4:07" in text and " min" not in text
    assert "**Taal:** Nederlands" in text
    assert "| 00:10 |" in text and " s |" not in text  # first solution question: a time, not seconds
    went, look, figures = (text.index(h) for h in ("## Wat goed ging", "## Om nog eens", "## Kerncijfers"))
    assert went < look < figures
    assert "### 02:42 · Een compliment dat aankwam" in text
    assert "### 02:55 · Een schaalvraag met vervolg" in text
    # the note sits under its own moment, escaped; the orphan note is kept at the end of the moments
    compliment = text.index("### 02:42 · Een compliment dat aankwam")
    assert text.index("**Notitie:** Mooi getimed compliment, &lt;b&gt;echt&lt;/b&gt;") > compliment
    assert text.index("**Notitie:**") < text.index("### 02:55")
    assert "<b>echt" not in text
    assert f"00:12 · Een lang stuk probleemtaal: {ORPHAN}" in text
    assert "Neutraal telt niet mee in het aandeel oplossingstaal: 5 van 34 uitingen." in text
    images = re.findall(r"!\[([^\]]+)\]\(data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)\)", text)
    assert [alt for alt, _ in images] == ["Oplossings- en probleemtaal per rol", "Tijdlijn van het gesprek"]
    timeline = base64.b64decode(images[1][1]).decode("utf-8")
    assert timeline.startswith("<svg") and "02:28" in timeline and "Sanne (hulpverlener)" in timeline


def test_html_report_has_its_charts_and_notes_and_runs_no_transcript_html(db, tmp_path) -> None:
    path, sid = db
    out = tmp_path / "verslag.html"
    assert spiegel("report", sid, "--db", str(path), "--format", "html", "--out", str(out)).returncode == 0
    page = out.read_text(encoding="utf-8")
    assert out.read_bytes() == render_report(path, sid, "html")
    assert page.count("<img alt=") == 2 and "src='data:image/svg+xml;base64," in page
    assert "<h3>02:42 · Een compliment dat aankwam</h3>" in page
    assert "&lt;b&gt;echt&lt;/b&gt;" in page and "<b>echt" not in page
    assert "@page{size:A4" in page


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """Width and height in points of every page (the /MediaBox of each /Type /Page object)."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    return [(float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1 in boxes]


def test_pdf_report_is_a4(db, tmp_path) -> None:
    path, sid = db
    out = tmp_path / "verslag.pdf"
    done = spiegel("report", sid, "--db", str(path), "--format", "pdf", "--out", str(out))
    assert done.returncode == 0, done.stderr
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    sizes = page_sizes(pdf)
    assert len(sizes) >= 2  # the sample's report runs over more than one page
    for width, height in sizes:
        assert abs(width - 595.28) < 1.5 and abs(height - 841.89) < 1.5, (width, height)  # A4, not Letter


def test_pseudonymised_report_replaces_names_in_the_notes_too(tmp_path) -> None:
    path = tmp_path / "pseudo.duckdb"
    with store.connect(path) as con:
        sid, _ = store.save_session(con, sample_session("nl_eerste_gesprek"))
        supervision.save_note(
            con,
            sid,
            "compliment_landed:22",
            "compliment_landed",
            22,
            None,
            "Eva reageerde hier goed op Sanne.",
        )
    text = render_report(path, sid, "md", pseudonymize=True).decode("utf-8")
    assert "Eva" not in text and "Sanne" not in text and "K-017" not in text and "september" not in text
    assert re.search(r"\*\*Notitie:\*\* \[PERSOON-\d\] reageerde hier goed op \[PERSOON-\d\]\.", text)


def test_session_metrics_csv_writes_scale_answers_as_json(db, tmp_path) -> None:
    path, _ = db
    out = tmp_path / "uit"
    done = spiegel("export", "--db", str(path), "--format", "csv", "--out", str(out))
    assert done.returncode == 0, done.stderr
    with (out / "session_metrics.csv").open(encoding="utf-8") as handle:
        rows = {row["role"]: row for row in csv.DictReader(handle)}
    assert json.loads(rows["client"]["scale_answers"]) == [{"idx": 25, "value": 4.0, "subtype": "progress"}]
    assert json.loads(rows["all"]["scale_answers"])[0]["value"] == 4.0
    with (out / "sessions.csv").open(encoding="utf-8") as handle:
        assert json.loads(next(csv.DictReader(handle))["warnings"]) == []


def test_session_data_downloads_read_back(db) -> None:
    path, sid = db
    with store.connect(path, read_only=True) as con:
        session = store.load_session(con, sid)
    rows = list(csv.DictReader(session_csv(session).decode("utf-8-sig").splitlines()))
    assert len(rows) == len(session.utterances)
    assert rows[22]["speaker"] == "Sanne" and rows[22]["start_s"] == str(session.utterances[22].start_s)
    assert [tag["label"] for tag in json.loads(rows[25]["labels"])] == ["scale_answer"]
    data = json.loads(session_json(session))
    assert data["source"]["sha256"] == session.source_sha256
    assert len(data["utterances"]) == len(session.utterances)


def test_english_report_writes_english_dates_and_headings(db) -> None:
    path, sid = db
    text = render_report(path, sid, "md", language="en").decode("utf-8")
    assert "**Date:** 14 September 2026" in text and "**Language:** Dutch" in text
    assert "## What went well" in text and "### 02:42 · A compliment that landed" in text


def test_a_transcript_without_times_places_moments_by_utterance(tmp_path) -> None:
    path = tmp_path / "zonder-tijden.duckdb"
    with store.connect(path) as con:
        sid, _ = store.save_session(con, sample_session("nl_probleemgesprek", with_times=False))
    text = render_report(path, sid, "md").decode("utf-8")
    assert "### uiting 3 · Een reeks probleemvragen" in text  # utterance idx 2, counted from 1
    assert "### uiting 27 · Een uitzondering die werd uitvergroot" in text
    assert "**Duur:** onbekend" in text
