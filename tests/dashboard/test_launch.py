"""`run_dashboard` serves the app on 127.0.0.1 and stops cleanly on Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from conftest import FixtureDb

from dashboard.launch import wait_healthy

ROOT = Path(__file__).resolve().parents[2]


def test_run_dashboard_serves_and_stops_on_ctrl_c(fixture_db: FixtureDb, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = (
        "import sys; from pathlib import Path; from dashboard.launch import run_dashboard; "
        f"sys.exit(run_dashboard(Path({str(fixture_db.path)!r}), port={port}))"
    )
    log = (tmp_path / "launch.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=str(ROOT),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert wait_healthy(port, timeout_s=120, proc=proc), (tmp_path / "launch.log").read_text()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            assert response.status == 200
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole foreground group
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
    output = (tmp_path / "launch.log").read_text()
    assert f"http://127.0.0.1:{port}/" in output
    assert "Traceback" not in output
