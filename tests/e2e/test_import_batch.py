"""`spiegel import` of many files: batches in one transaction each, bad files isolated, limits up front."""

from __future__ import annotations

import json
import subprocess
import sys

import duckdb
import pytest

from core.errors import UserError
from core.records import TRANSCRIPT_FORMAT
from pipeline.importers import check_transcript_size
from pipeline.imports import import_transcripts
from pipeline.process import ProcessOptions
from tests.conftest import REPO, run_spiegel


def _write(folder, n: int) -> list:
    paths = []
    for i in range(n):
        path = folder / f"gesprek-{i}.txt"
        path.write_text(
            f"Sanne: Wat gaat er goed sinds vorige week, nummer {i}?\nKlant: Ik slaap beter.\n",
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def test_batches_store_every_good_file_and_name_the_bad_one(tmp_path):
    paths = _write(tmp_path, 5)
    bad = tmp_path / "kapot.txt"
    bad.write_text("geen sprekers hier, alleen tekst zonder dubbele punt\n", encoding="utf-8")
    paths.insert(2, bad)
    options = ProcessOptions(db=tmp_path / "s.duckdb", language="nl", practitioner="Sanne", progress=False)
    outcomes = import_transcripts(paths, options, batch=2)
    assert [o.path for o in outcomes] == paths
    assert [bool(o.error) for o in outcomes] == [False, False, True, False, False, False]
    assert all(o.created for o in outcomes if not o.error)
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM sessions").fetchone()[0] == 5
    assert con.execute("SELECT count(DISTINCT session_id) FROM session_metrics").fetchone()[0] == 5
    con.close()
    again = import_transcripts(paths, options, batch=50)
    assert [o.created for o in again if not o.error] == [False] * 5


def test_the_same_file_twice_in_one_batch_is_stored_once(tmp_path):
    (path,) = _write(tmp_path, 1)
    copy = tmp_path / "kopie.txt"
    copy.write_bytes(path.read_bytes())
    options = ProcessOptions(db=tmp_path / "s.duckdb", language="nl", practitioner="Sanne", progress=False)
    first, second = import_transcripts([path, copy], options)
    assert first.created and not second.created and first.session_id == second.session_id


def test_a_transcript_over_the_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    big = tmp_path / "groot.txt"
    big.write_text("Sanne: hallo\n" * 2000, encoding="utf-8")
    check_transcript_size(big)  # far below the real limit
    monkeypatch.setattr("pipeline.importers.MAX_TRANSCRIPT_BYTES", 1000)
    with pytest.raises(UserError, match="meer dan de grens"):
        check_transcript_size(big)


#: The tables that hold a session's rows (created_at and revisions differ between runs by nature).
_COMPARED = ("sessions", "utterances", "tags", "words", "speakers", "session_metrics_stored")


def _rows_only_in_one(first, second) -> dict[str, int]:
    """Per table: rows in one database and not in the other (every column but created_at)."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{first}' AS a (READ_ONLY)")
        con.execute(f"ATTACH '{second}' AS b (READ_ONLY)")
        differing = {}
        for table in _COMPARED:
            columns = ", ".join(
                f'"{name}"'
                for (name,) in con.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE database_name = 'a' AND table_name = ? "
                    "AND column_name <> 'created_at'",
                    [table],
                ).fetchall()
            )
            differing[table] = sum(
                con.execute(
                    f"SELECT count(*) FROM (SELECT {columns} FROM {x}.{table} EXCEPT ALL "
                    f"SELECT {columns} FROM {y}.{table})"
                ).fetchone()[0]
                for x, y in (("a", "b"), ("b", "a"))
            )
        return differing
    finally:
        con.close()


def test_one_run_with_bad_files_in_the_middle_stores_the_good_ones_complete(tmp_path):
    """A folder in one `spiegel import` run: a file that cannot be read and one that fails while its batch is
    written sit between good ones. The good ones are stored exactly as an import of them alone stores them,
    each bad one is said in its own sentence, and nothing of the bad ones is in the database."""
    good, mixed = tmp_path / "goed", tmp_path / "gemengd"
    good.mkdir()
    mixed.mkdir()
    for i in range(4):
        text = (
            f"Sanne: Wat gaat er goed sinds vorige week, nummer {i}?\nKlant: Ik slaap beter.\n"
            f"Sanne: Op een schaal van 0 tot 10, waar sta je nu?\nKlant: Een {i + 4}.\n"
        )
        for folder in (good, mixed):
            (folder / f"gesprek-{i}.txt").write_text(text, encoding="utf-8")
    # Read fine, tagged fine, refused by the store: the batch's write fails and is retried file by file.
    (mixed / "gesprek-1b.json").write_text(
        json.dumps(
            {
                "format": TRANSCRIPT_FORMAT,
                "meta": {"recorded_at": "volgende week"},
                "utterances": [
                    {"speaker": "Sanne", "text": "Wat werkt er al?"},
                    {"speaker": "Klant", "text": "Wandelen helpt."},
                ],
            }
        ),
        encoding="utf-8",
    )
    (mixed / "gesprek-2a.txt").write_text(
        "geen sprekers, alleen tekst zonder dubbele punt\n", encoding="utf-8"
    )

    reference, db = tmp_path / "alleen-goed.duckdb", tmp_path / "gemengd.duckdb"
    clean = run_spiegel(
        "import", str(good), "--db", str(reference), "--practitioner", "Sanne", "--no-progress"
    )
    assert clean.returncode == 0, clean.stderr
    result = run_spiegel("import", str(mixed), "--db", str(db), "--practitioner", "Sanne", "--no-progress")

    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 7, result.stderr  # one per file and the summary
    assert "Traceback" not in result.stderr
    assert sum("opgeslagen als sessie" in line for line in lines) == 4
    assert any(
        line.startswith("gesprek-1b.json is niet opgeslagen: De datum 'volgende week' is geen datum")
        for line in lines
    ), result.stderr
    assert any(line.startswith("gesprek-2a.txt, regel 1: verwacht 'Naam: tekst'") for line in lines)
    assert lines[-1] == "6 bestanden: 4 opgeslagen, 0 overgeslagen (al opgeslagen), 2 mislukt."

    assert _rows_only_in_one(reference, db) == dict.fromkeys(_COMPARED, 0)
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = {name for (name,) in con.execute("SELECT source_name FROM sessions").fetchall()}
        texts = {text for (text,) in con.execute("SELECT text FROM utterances").fetchall()}
    finally:
        con.close()
    assert names == {f"gesprek-{i}.txt" for i in range(4)}
    assert not texts & {
        "Wat werkt er al?",
        "Wandelen helpt.",
        "geen sprekers, alleen tekst zonder dubbele punt",
    }


_MODULES_LOADED = """
import sys
from cli.main import main
code = main(sys.argv[1:])
heavy = ("torch", "faster_whisper", "ctranslate2", "onnxruntime", "resemblyzer", "streamlit")
print(code, "spacy" in sys.modules, [name for name in heavy if name in sys.modules])
import torch  # still importable afterwards, for a diarizer in the same process
print(torch.__name__)
"""


def test_an_import_loads_neither_torch_nor_the_speech_libraries(tmp_path):
    (path,) = _write(tmp_path, 1)
    done = subprocess.run(
        [sys.executable, "-c", _MODULES_LOADED, "import", str(path), "--db", str(tmp_path / "s.duckdb")],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["0 True []", "torch"], done.stderr


def _rows(db) -> list[tuple]:
    """Everything an import decides, without ids and times: per session its utterances, roles, orientation
    and labels, in order."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            """SELECT s.source_sha256, u.idx, u.text, u.role, u.orientation,
                      (SELECT string_agg(t.label || ':' || t.rule, ',' ORDER BY t.start_char, t.label, t.rule)
                         FROM tags t WHERE t.session_id = u.session_id AND t.utterance_idx = u.idx)
               FROM sessions s JOIN utterances u USING (session_id)
               ORDER BY s.source_sha256, u.idx"""
        ).fetchall()
    finally:
        con.close()


def test_two_workers_store_what_one_process_stores(tmp_path):
    """`spiegel import DIR --jobs 2`: the files are tagged in two spawned workers, the parent writes; the
    database holds exactly what a one-process import writes, and a bad file is still named."""
    folder = tmp_path / "in"
    folder.mkdir()
    _write(folder, 5)
    (folder / "kapot.txt").write_text("geen sprekers, geen dubbele punt\n", encoding="utf-8")
    for jobs, name in ((1, "een.duckdb"), (2, "twee.duckdb")):
        done = run_spiegel(
            "import", str(folder), "--db", str(tmp_path / name), "--practitioner", "Sanne",
            "--language", "nl", "--jobs", str(jobs),
        )  # fmt: skip
        assert done.returncode == 1, done.stderr  # one input failed, the others are stored
        assert "kapot.txt" in done.stderr
    one, two = _rows(tmp_path / "een.duckdb"), _rows(tmp_path / "twee.duckdb")
    assert len({r[0] for r in one}) == 5
    assert one == two
