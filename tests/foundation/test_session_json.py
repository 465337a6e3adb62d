"""The session record's JSON is the transcript format: export a stored session, import it, get it back.

`spiegel import` of that JSON enters at the tag stage, so no speech model is loaded: the import runs in a child
process that checks faster-whisper was never imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import store
from core.records import (
    AsrInfo,
    AudioFacts,
    DiarizationInfo,
    Provenance,
    Role,
    Session,
    SpeakerTurn,
    Utterance,
    Word,
)
from pipeline import stages
from pipeline.process import load_tagger
from tests.conftest import REPO
from tests.records import rows_close

LINES = [
    ("S1", "Goedemiddag, fijn dat je er bent. Wat wil je dat er anders is na dit gesprek?", 0.0, 4.1),
    ("S2", "Ik wil weer beter slapen.", 4.6, 6.0),
    ("S1", "Op een schaal van 0 tot 10, waar sta je nu?", 6.4, 9.0),
    ("S2", "Een zes, denk ik.", 9.5, 10.6),
    ("S1", "Knap dat je toch elke dag naar je werk gaat.", 11.0, 13.2),
]


def processed_session() -> Session:
    """A session as the audio stages leave it (every part of the record filled), tagged by the real tagger."""
    utterances = tuple(
        Utterance(
            i,
            spk,
            Role.OTHER,
            text,
            a,
            b,
            tuple(Word(a + k * 0.3, a + k * 0.3 + 0.25, f" w{k}", 0.9) for k in range(3)),
        )
        for i, (spk, text, a, b) in enumerate(LINES)
    )
    session = Session(
        source_name="gesprek.m4a",
        source_sha256="d" * 64,
        language="nl",
        recorded_at="2026-09-14",
        practitioner="Sanne",
        client_code="K-017",
        audio=AudioFacts(14.0, 16_000, 1),
        asr=AsrInfo("base-bundled", "nl", {"beam_size": 5, "temperature": [0.0, 0.2]}),
        speech=((0.0, 4.1), (4.6, 6.0), (6.4, 13.2)),
        diarization=DiarizationInfo(
            2,
            tuple(SpeakerTurn(a, b, spk) for spk, _, a, b in LINES),
            {"window_s": 1.5},
            ("overlapping_speech",),
        ),
        utterances=utterances,
        num_speakers=2,
        warnings=("overlapping_speech",),
        provenance=Provenance("0.1.0", "base-bundled", (), {"faster-whisper": "1.2.1"}),
    )
    return stages.tag(session, load_tagger("nl", ()))


def test_record_to_json_and_back_is_the_same_record() -> None:
    session = processed_session()
    assert session.roles is not None and session.roles.roles["S1"] == Role.PRACTITIONER
    assert any(r.tags for r in session.results)
    again = Session.from_json(json.loads(json.dumps(session.to_json())))
    assert again == session


def test_export_then_import_gives_the_same_session_without_whisper(tmp_path: Path) -> None:
    first, second = tmp_path / "first.duckdb", tmp_path / "second.duckdb"
    with store.connect(first) as con:
        session_id, _ = store.save_session(con, processed_session())
    exported = tmp_path / "sessie.json"
    code = (
        "import sys; from cli.main import main; rc = main(sys.argv[1:]); "
        "sys.exit(rc or (7 if {'faster_whisper', 'ctranslate2'} & set(sys.modules) else 0))"
    )

    def spiegel(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", code, *args], cwd=REPO, capture_output=True, text=True, check=False
        )

    done = spiegel("export", "--db", str(first), "--session", session_id, "--out", str(exported))
    assert done.returncode == 0, done.stderr
    assert json.loads(exported.read_text(encoding="utf-8"))["version"] == 2
    done = spiegel("import", str(exported), "--db", str(second), "--no-progress")
    assert done.returncode == 0, done.stderr  # 7 would mean a speech model library was imported
    assert f"opgeslagen als sessie {session_id}" in done.stderr
    with store.connect(first, read_only=True) as a, store.connect(second, read_only=True) as b:
        assert store.load_session(b, session_id) == store.load_session(a, session_id)
        assert rows_close(store.queries.metrics(b).fetchall(), store.queries.metrics(a).fetchall())
        assert store.queries.speaker_roles(b, session_id) == store.queries.speaker_roles(a, session_id)
    # The same recording again (its SHA-256 travels in the record): not stored twice.
    done = spiegel("import", str(exported), "--db", str(second), "--no-progress")
    assert done.returncode == 0 and "al opgeslagen" in done.stderr


def test_a_run_of_several_files_builds_the_tagger_once(tmp_path: Path) -> None:
    """Batches as passes: the tagger (like Whisper, `load_whisper`) is built once per run, not per file."""
    from cli.main import main
    from tagger.api import _load

    files = []
    for n in range(3):
        path = tmp_path / f"gesprek{n}.txt"
        path.write_text(f"Sanne: Wat gaat er al goed, {n}?\nEva: Ik slaap beter.\n", encoding="utf-8")
        files.append(str(path))
    _load.cache_clear()
    assert main(["import", *files, "--db", str(tmp_path / "t.duckdb"), "--language", "nl"]) == 0
    info = _load.cache_info()
    assert info.misses == 1 and info.hits >= 2
