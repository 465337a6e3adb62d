"""`spiegel import` of many files: batches in one transaction each, bad files isolated, limits up front."""

from __future__ import annotations

import duckdb
import pytest

from core.errors import UserError
from pipeline.importers import check_transcript_size
from pipeline.imports import import_transcripts
from pipeline.process import ProcessOptions


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
