"""`spiegel process DIR --jobs N`: workers compute, the parent writes; a rerun skips what is stored."""

from __future__ import annotations

import duckdb
import pytest

from pipeline.many import threads_per_job
from pipeline.transcribe import cuda_devices, resolve_device
from tests.conftest import run_spiegel


def test_threads_are_split_among_the_workers():
    assert threads_per_job(1, cores=8) == 8
    assert threads_per_job(3, cores=8) == 2
    assert threads_per_job(4, cores=2) == 1


def test_device_auto_takes_the_cpu_without_a_gpu_and_float16_on_a_gpu(monkeypatch):
    monkeypatch.setattr("pipeline.transcribe.cuda_devices", lambda: 0)
    assert resolve_device("auto") == ("cpu", "int8")
    assert resolve_device("cpu") == ("cpu", "int8")
    monkeypatch.setattr("pipeline.transcribe.cuda_devices", lambda: 1)
    assert resolve_device("auto") == ("cuda", "float16")
    assert resolve_device("cuda") == ("cuda", "float16")


@pytest.mark.skipif(cuda_devices() > 0, reason="this machine has a GPU")
def test_device_cuda_without_a_gpu_is_refused_before_any_work(tmp_path):
    result = run_spiegel(
        "process", str(tmp_path / "x.wav"), "--db", str(tmp_path / "d.duckdb"), "--device", "cuda"
    )
    assert result.returncode != 0
    assert "geen CUDA-GPU" in result.stderr
    assert not (tmp_path / "d.duckdb").exists()


def test_jobs_must_be_positive(tmp_path):
    result = run_spiegel("process", str(tmp_path), "--db", str(tmp_path / "d.duckdb"), "--jobs", "0")
    assert result.returncode != 0
    assert "--jobs" in result.stderr


@pytest.mark.slow
def test_two_workers_store_every_file_once_and_a_rerun_skips_them(sample_audio, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("nl_eerste_gesprek.wav", "nl_vervolggesprek.wav"):
        (folder / name).write_bytes((sample_audio / name).read_bytes())
    (folder / "kapot.wav").write_bytes(b"RIFF not audio")
    db = tmp_path / "spiegel.duckdb"
    first = run_spiegel("process", str(folder), "--db", str(db), "--jobs", "2", "--no-progress")
    assert first.returncode == 1, first.stderr  # the broken file fails, the others are stored
    assert "3 bestanden: 2 opgeslagen, 0 overgeslagen (al opgeslagen), 1 mislukt." in first.stderr
    assert "kapot.wav" in first.stderr
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM sessions").fetchone()[0] == 2
    assert con.execute("SELECT count(DISTINCT session_id) FROM session_metrics").fetchone()[0] == 2
    con.close()
    again = run_spiegel("process", str(folder), "--db", str(db), "--jobs", "2", "--no-progress")
    assert "3 bestanden: 0 opgeslagen, 2 overgeslagen (al opgeslagen), 1 mislukt." in again.stderr
