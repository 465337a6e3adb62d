"""`spiegel dashboard` says where the dashboard is in one line, in the user's language (it was Dutch-only,
hard-coded in dashboard/launch.py): Dutch by default, English with `--lang en`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

import pytest

from tests.conftest import REPO


def _first_line(tmp_path, *extra: str) -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "SPIEGEL_LANG"}
    db = str(tmp_path / "s.duckdb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "dashboard", "--db", db, "--port", str(port), *extra],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline().rstrip("\n")  # printed before Streamlit starts
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return line.replace(str(port), "PORT")


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ((), "Gespreksspiegel-dashboard: http://127.0.0.1:PORT/  (stoppen: Ctrl-C)"),
        (("--lang", "en"), "Gespreksspiegel dashboard: http://127.0.0.1:PORT/  (stop: Ctrl-C)"),
    ],
)
def test_the_launch_line_is_in_the_user_language(tmp_path, extra: tuple[str, ...], expected: str) -> None:
    assert _first_line(tmp_path, *extra) == expected
