"""`spiegel roles` corrections and `spiegel enroll` voiceprints, through the real CLI and a temporary DB."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.records import (
    Orientation,
    Role,
    TaggedUtterance,
    TagResult,
    Utterance,
    Word,
)
from tests.records import make_session

ROOT = Path(__file__).resolve().parents[2]


def stored_session(db: Path) -> str:
    import store

    rows = [
        ("S1", Role.CLIENT, "Welkom, fijn dat je er bent.", 0.0, 2.0),
        ("S2", Role.PRACTITIONER, "Dank je.", 2.5, 3.0),
        ("S1", Role.CLIENT, "Op een schaal van 0 tot 10, waar sta je nu?", 3.5, 6.0),
        ("S3", Role.CLIENT, "Een zes.", 6.5, 7.0),
        ("S1", Role.CLIENT, "Wat zou er", 8.0, 8.6),
        ("S4", Role.CLIENT, "anders zijn als het een zeven is?", 8.7, 10.0),
        ("S2", Role.PRACTITIONER, "Dan slaap ik beter.", 11.0, 12.0),
    ]
    utterances = [
        TaggedUtterance(
            Utterance(i, spk, role, text, s, e, (Word(s, e, " " + text),)), TagResult(Orientation.NEUTRAL)
        )
        for i, (spk, role, text, s, e) in enumerate(rows)
    ]
    session = make_session(
        utterances,
        source_sha256="ab" * 32,
        source_name="test.wav",
        language="nl",
        duration_s=12.0,
        asr_model="test",
        role_confidence=0.55,
        num_speakers=4,
        warnings=["low_role_confidence", "overlapping_speech"],
    )
    with store.connect(db) as con:
        session_id, created = store.save_session(con, session)
    assert created
    return session_id


def run_cli(*argv: str) -> int:
    from cli.main import main

    return main(list(argv))


def read(db: Path, sql: str, session_id: str) -> list[tuple]:
    import store

    with store.connect(db, read_only=True) as con:
        return con.execute(sql, [session_id]).fetchall()


def test_set_roles_retags_and_records_the_correction(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "t.duckdb"
    sid = stored_session(db)
    assert run_cli("roles", sid, "--db", str(db), "--set", "S1=practitioner") == 0
    speakers = dict(
        (s, (r, src))
        for s, r, src in read(db, "SELECT speaker, role, role_source FROM speakers WHERE session_id = ?", sid)
    )
    assert speakers["S1"] == ("practitioner", "corrected")
    assert speakers["S2"] == ("client", "corrected")  # the former practitioner
    assert speakers["S3"] == ("client", "auto")
    roles = dict(read(db, "SELECT DISTINCT speaker, role FROM utterances WHERE session_id = ?", sid))
    assert roles == {"S1": "practitioner", "S2": "client", "S3": "client", "S4": "client"}
    # Re-tagged with the roles: the practitioner's scale question is tagged now.
    labels = {label for (label,) in read(db, "SELECT label FROM tags WHERE session_id = ?", sid)}
    assert "scale_question" in labels
    confidence, warnings = read(
        db, "SELECT role_confidence, warnings FROM sessions WHERE session_id = ?", sid
    )[0]
    assert confidence == 1.0
    assert warnings == ["overlapping_speech"]
    out = capsys.readouterr().out
    assert "S1\tpractitioner\tcorrected" in out


def test_merge_joins_speakers_and_split_sentences(tmp_path: Path) -> None:
    db = tmp_path / "t.duckdb"
    sid = stored_session(db)
    assert run_cli("roles", sid, "--db", str(db), "--merge", "S1", "S4") == 0
    rows = read(db, "SELECT idx, speaker, text FROM utterances WHERE session_id = ? ORDER BY idx", sid)
    assert [r[1] for r in rows] == ["S1", "S2", "S1", "S3", "S1", "S2"]
    assert rows[4][2] == "Wat zou er anders zijn als het een zeven is?"
    assert {s for (s,) in read(db, "SELECT speaker FROM speakers WHERE session_id = ?", sid)} == {
        "S1",
        "S2",
        "S3",
    }
    assert read(db, "SELECT num_speakers FROM sessions WHERE session_id = ?", sid)[0][0] == 3
    words = read(db, "SELECT count(*) FROM words WHERE session_id = ? AND utterance_idx = 4", sid)[0][0]
    assert words == 2


def test_bad_corrections_are_one_line_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "t.duckdb"
    sid = stored_session(db)
    assert run_cli("roles", sid, "--db", str(db), "--set", "S9=client") == 1
    assert "geen spreker 'S9'" in capsys.readouterr().err
    assert run_cli("roles", sid, "--db", str(db), "--set", "S1=boss") == 1
    assert run_cli("roles", "nosuchsession", "--db", str(db)) == 1
    assert run_cli("roles", sid, "--db", str(db), "--merge", "S1", "S1") == 1
    # Nothing changed.
    assert read(db, "SELECT role_confidence FROM sessions WHERE session_id = ?", sid)[0][0] == 0.55


def test_voiceprint_match_is_pure_and_needs_a_margin() -> None:
    from pipeline.voiceprints import best_match

    rng = np.random.default_rng(1)
    a, b = rng.normal(size=256), rng.normal(size=256)
    assert best_match(a, {"S1": b, "S2": a + 0.1 * rng.normal(size=256)})[0] == "S2"
    assert best_match(a, {"S1": b})[0] is None
    assert best_match(a, {"S1": a, "S2": a})[0] is None  # two equally close voices: no guess
    assert best_match(a, {}) == (None, 0.0)


def test_voiceprint_storage(tmp_path: Path) -> None:
    import store
    from pipeline.voiceprints import match_speaker
    from store import delete_voiceprint, list_voiceprints, load_voiceprint, save_voiceprint

    db = tmp_path / "t.duckdb"
    vec = np.arange(1, 257, dtype=np.float32)
    with store.connect(db) as con:
        save_voiceprint(con, "Sanne", vec)
        save_voiceprint(con, "sanne", vec * 2)  # replaces, case-insensitively
        assert [n for n, _ in list_voiceprints(con)] == ["sanne"]
        stored = load_voiceprint(con, "SANNE")
        assert stored is not None
        assert np.isclose(float(np.linalg.norm(stored)), 1.0)
        assert match_speaker(con, "Sanne", {"S1": -vec, "S2": vec}) == "S2"
        assert match_speaker(con, "Unknown", {"S2": vec}) is None
        assert delete_voiceprint(con, "Sanne")
        assert not delete_voiceprint(con, "Sanne")


def test_heavy_libraries_are_not_imported_by_the_speaker_modules() -> None:
    code = (
        "import sys, pipeline.diarize, pipeline.speakers, pipeline.roles, pipeline.voiceprints, "
        "cli.speakers; bad = {'torch', 'resemblyzer', 'librosa', 'scipy'} & set(sys.modules); "
        "sys.exit(1 if bad else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False).returncode == 0


@pytest.mark.slow
@pytest.mark.shared_data
def test_enroll_then_recognise_the_practitioner(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from faster_whisper import decode_audio

    import store
    from pipeline.diarize import diarize
    from pipeline.voiceprints import match_speaker

    real = ROOT.parent / "shared" / "eval-public" / "real-nl"
    # Enrol "nathalie" (speaker A, the practitioner of real_duo) from three separate clips of her voice.
    clips = [decode_audio(str(real / f"nathalie_{n}.wav")) for n in ("0141", "0294", "0515", "0581")]
    enrol_wav = tmp_path / "nathalie.wav"
    _write_wav(enrol_wav, np.concatenate([np.concatenate([c, np.zeros(8000, np.float32)]) for c in clips]))
    db = tmp_path / "t.duckdb"
    assert run_cli("enroll", "Nathalie", str(enrol_wav), "--db", str(db)) == 0
    assert "Stemafdruk van Nathalie opgeslagen" in capsys.readouterr().out
    result = diarize(decode_audio(str(real / "real_duo.wav")))
    with store.connect(db) as con:
        speaker = match_speaker(con, "nathalie", result.embeddings)
    # real_duo starts with speaker A, so A is S1.
    assert speaker == "S1"
    assert run_cli("enroll", "--list", "--db", str(db)) == 0
    assert "Nathalie" in capsys.readouterr().out
    assert run_cli("enroll", "Too Short", str(real / "nathalie_0141.wav"), "--db", str(db)) == 1


def _write_wav(path: Path, audio: np.ndarray) -> None:
    import wave

    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(16000)
        handle.writeframes((np.clip(audio, -1, 1) * 32767).astype(np.int16).tobytes())
