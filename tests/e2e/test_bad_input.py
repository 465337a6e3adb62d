"""Bad input: one plain sentence on stderr, no traceback, exit 1, and the database unchanged."""

from __future__ import annotations

import duckdb
import pytest

from tests.conftest import REPO, run_spiegel


def counts(db) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("sessions", "utterances", "tags")
        }
    finally:
        con.close()


@pytest.fixture
def db_with_one_session(tmp_path):
    db = tmp_path / "spiegel.duckdb"
    result = run_spiegel("import", str(REPO / "samples/sessions/nl_eerste_gesprek.json"), "--db", str(db))
    assert result.returncode == 0, result.stderr
    return db


def assert_one_plain_sentence(stderr: str, fragment: str) -> None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert fragment in lines[0]
    assert "Traceback" not in stderr


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("leeg.wav", b"", "is leeg"),
        ("tekst.wav", b"Dit is gewoon tekst en geen geluid.\n" * 20, "geen audio- of videobestand"),
        ("kapot.mp3", b"\xff\xfb\x90\x00" + b"\x00\x11\x22" * 300, "audio"),
    ],
)
def test_bad_audio_files(tmp_path, db_with_one_session, name, content, fragment):
    bad = tmp_path / name
    bad.write_bytes(content)
    before = counts(db_with_one_session)
    result = run_spiegel("process", str(bad), "--db", str(db_with_one_session), "--no-progress")
    assert result.returncode == 1
    assert_one_plain_sentence(result.stderr, fragment)
    assert counts(db_with_one_session) == before


def test_missing_file(tmp_path, db_with_one_session):
    before = counts(db_with_one_session)
    result = run_spiegel("process", str(tmp_path / "bestaat-niet.m4a"), "--db", str(db_with_one_session))
    assert result.returncode == 1
    assert_one_plain_sentence(result.stderr, "bestaat niet")
    assert counts(db_with_one_session) == before


def test_usage_error_exits_2(tmp_path):
    result = run_spiegel("process", "--speakers", "twee", "x.wav")
    assert result.returncode == 2


def test_import_unknown_practitioner_is_one_sentence(tmp_path, db_with_one_session):
    transcript = tmp_path / "g.txt"
    transcript.write_text("Marloes: Wat gaat er beter?\nDaan: Ik slaap beter.\n", encoding="utf-8")
    result = run_spiegel(
        "import", str(transcript), "--db", str(db_with_one_session), "--practitioner", "Kees"
    )
    assert result.returncode == 1
    assert_one_plain_sentence(result.stderr, "geen spreker heet")


def test_not_a_database(tmp_path):
    bogus = tmp_path / "bogus.duckdb"
    bogus.write_text("no database here")
    result = run_spiegel("import", str(REPO / "samples/sessions/nl_eerste_gesprek.json"), "--db", str(bogus))
    assert result.returncode == 1
    assert_one_plain_sentence(result.stderr, "kon niet worden geopend")


def test_recording_over_the_length_limit_is_refused_while_decoding(
    tmp_path, db_with_one_session, sample_audio
):
    """The limit is checked during decoding, so a huge file never fills the memory first."""
    before = counts(db_with_one_session)
    result = run_spiegel(
        "process",
        str(sample_audio / "one_speaker.wav"),
        "--db",
        str(db_with_one_session),
        "--max-hours",
        "0.002",
    )
    assert result.returncode == 1
    assert_one_plain_sentence(
        result.stderr, "one_speaker.wav: de opname duurt 1 minuut, langer dan de grens van 1 minuut"
    )
    assert counts(db_with_one_session) == before
