"""Options checked before any work: exit 2 and one line for a usage error; clear sentences for bad input.

Before: `--speakers 0` → "processing failed unexpectedly (ValueError)" after transcribing; `--speakers 50` stored
17 speakers; `--recorded-at notadate` refused after the transcription with exit 1; `--db /nonexistent/dir/x`
created the folders; `export --out FILE` and `tag` on 1 MB text ended in tracebacks; an unreadable file gave
"processing failed unexpectedly (PermissionError)"; SIGTERM left Streamlit running.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO


def spiegel(*args: str, user: str | None = None, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pipeline", *args]
    if user:
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *command]
    return subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=timeout, check=False)


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


@pytest.fixture
def audio(tmp_path: Path) -> Path:
    """Any file: the usage checks must refuse before it is even opened."""
    path = tmp_path / "opname.wav"
    path.write_bytes(b"not decoded before the options are checked")
    return path


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--speakers", "0"], "--speakers: moet een heel getal van 1 tot en met 8 zijn, niet '0'"),
        (["--speakers", "-1"], "van 1 tot en met 8 zijn, niet '-1'"),
        (["--speakers", "50"], "van 1 tot en met 8 zijn, niet '50'"),
        (["--speakers", "twee"], "van 1 tot en met 8 zijn, niet 'twee'"),
        (["--recorded-at", "notadate"], "'notadate' is geen datum als 2026-09-14 (schrijf jaar-maand-dag)"),
        (["--recorded-at", "2026-02-30"], "(die dag bestaat niet)"),
        (["--max-hours", "0"], "--max-hours: moet een positief aantal uren zijn"),
        (["--db", "/nonexistent/dir/x.duckdb"], "de map /nonexistent/dir bestaat niet"),
    ],
)
def test_process_usage_errors_exit_2_in_one_line_before_any_work(audio, args, expected):
    started = time.monotonic()
    done = spiegel("process", str(audio), *args)
    assert done.returncode == 2
    line = one_line(done.stderr)
    assert expected in line and line.startswith("spiegel process:")
    assert time.monotonic() - started < 20  # nothing was transcribed
    assert not Path("/nonexistent").exists()


def test_import_date_and_db_checked_first(tmp_path):
    text = tmp_path / "g.txt"
    text.write_text("A: hallo\nB: dag\n", encoding="utf-8")
    done = spiegel("import", str(text), "--recorded-at", "gisteren")
    assert done.returncode == 2 and "'gisteren' is geen datum" in one_line(done.stderr)
    done = spiegel("import", str(text), "--db", str(tmp_path / "nee" / "x.duckdb"))
    assert done.returncode == 2 and "bestaat niet" in one_line(done.stderr)
    assert not (tmp_path / "nee").exists()


def test_export_out_an_existing_file(tmp_path):
    target = tmp_path / "bestaand.csv"
    target.write_text("mine", encoding="utf-8")
    done = spiegel("export", "--db", str(tmp_path / "x.duckdb"), "--format", "csv", "--out", str(target))
    assert done.returncode == 2 and "is een bestaand bestand, geen map" in one_line(done.stderr)
    assert target.read_text(encoding="utf-8") == "mine"
    done = spiegel("report", "abc", "--db", str(tmp_path / "x.duckdb"), "--out", str(tmp_path))
    assert done.returncode == 2 and "is een map" in one_line(done.stderr)


def test_unreadable_input_is_one_sentence():
    nobody = pwd.getpwnam("nobody").pw_uid
    tmp_path = Path(tempfile.mkdtemp(prefix="spiegel-perm-", dir="/tmp"))  # a folder `nobody` can reach
    tmp_path.chmod(0o777)
    secret = tmp_path / "geheim.txt"
    secret.write_text("A: hallo\nB: dag\n", encoding="utf-8")
    secret.chmod(0o600)
    audio = tmp_path / "geheim.wav"
    audio.write_bytes(b"RIFF....")
    audio.chmod(0o600)
    db = tmp_path / "s.duckdb"
    for command, path in (("import", secret), ("process", audio)):
        done = spiegel(command, str(path), "--db", str(db), "--no-progress", user=str(nobody))
        assert done.returncode == 1
        line = one_line(done.stderr)
        assert line == f"{path.name}: het bestand kan niet worden gelezen (geen toestemming).", line
    shutil.rmtree(tmp_path)


def test_tag_on_a_megabyte_of_text_is_refused_clearly(tmp_path):
    source = tmp_path / "groot.jsonl"
    source.write_text(
        json.dumps({"text": "Ik voel me beter. " * 60_000, "lang": "nl"}) + "\n", encoding="utf-8"
    )
    done = spiegel("tag", "--input", str(source), "--output", str(tmp_path / "uit.jsonl"))
    assert done.returncode == 1
    line = one_line(done.stderr)
    assert "1.080.000 tekens, meer dan de grens van 100.000" in line and "E088" not in line


def test_a_huge_transcript_is_refused_with_the_limit(tmp_path):
    big = tmp_path / "groot.txt"
    with big.open("w", encoding="utf-8") as handle:
        for i in range(260_000):
            handle.write(f"Spreker{i % 2}: dit is regel {i} van een veel te lang transcript.\n")
    assert big.stat().st_size > 10_000_000
    started = time.monotonic()
    done = spiegel("import", str(big), "--db", str(tmp_path / "s.duckdb"))
    assert done.returncode == 1
    assert "meer dan de grens van 10 MB" in one_line(done.stderr)
    assert time.monotonic() - started < 30


def test_sigterm_to_the_dashboard_leaves_no_streamlit(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = tmp_path / "s.duckdb"
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "dashboard", "--db", str(db), "--port", str(port)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, "the dashboard did not start"
                time.sleep(0.5)
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        assert children, "no Streamlit child found"
        proc.send_signal(signal.SIGTERM)  # only the spiegel process, as `kill PID` or a service manager does
        proc.wait(timeout=30)
        time.sleep(0.5)
        alive = [pid for pid in children if Path(f"/proc/{pid}").exists()]
        assert alive == [], "Streamlit is still running"
        with pytest.raises(urllib.error.URLError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        with __import__("contextlib").suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
