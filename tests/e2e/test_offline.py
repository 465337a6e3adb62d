"""Nothing leaves the machine: every command under `strace -f -e trace=network`, in a fresh HOME.

Fails on any connect/sendto/sendmsg to an address that is not loopback, on any DNS query (port 53, or the
name-service cache socket that a host lookup tries first), and on any telemetry file under HOME. Before the
fix (core/offline.py), `spiegel process` sent DNS queries for `mobile.events.data.microsoft.com` and
onnxruntime wrote `~/.cache/Microsoft/DeveloperTools/.onnxruntime/{deviceid,onnxruntime.db}`.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from models.resolve import model_cache_dir

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("strace") is None, reason="strace is not installed (setup.sh installs it)"
    ),
]

_CALL = re.compile(r"\b(connect|sendto|sendmsg|sendmmsg)\((.*)")
_INET = re.compile(r'sa_family=AF_INET6?, sin6?_port=htons\((\d+)\).*?"([0-9a-fA-F:.]+)"')
_LOOPBACK = re.compile(r"^(127\.|::1$|::ffff:127\.)")


def offending_calls(trace: str) -> list[str]:
    """Trace lines that reach beyond loopback or look up a host name."""
    bad = []
    for line in trace.splitlines():
        call = _CALL.search(line)
        if not call:
            continue
        args = call.group(2)
        if "/var/run/nscd/socket" in args or "/run/systemd/resolve" in args:
            bad.append(line)
            continue
        inet = _INET.search(args)
        if inet is None:
            continue
        port, address = int(inet.group(1)), inet.group(2)
        if port == 53 or not _LOOPBACK.match(address):
            bad.append(line)
    return bad


def test_the_trace_parser_catches_what_was_seen_before_the_fix():
    before = (
        '5457  connect(9, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.255.255.53")}, 16) = 0\n'
        '5456  connect(8, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT\n'
        '77  connect(3, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:db8::1", &sin6_addr), sin6_scope_id=0}, 28) = -1\n'
        '78  connect(3, {sa_family=AF_INET, sin_port=htons(8501), sin_addr=inet_addr("127.0.0.1")}, 16) = 0\n'
    )
    bad = offending_calls(before)
    assert len(bad) == 3 and "127.0.0.1" not in "".join(bad)


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPIEGEL_", "XDG_"))}
    env.update(
        HOME=str(home),
        SPIEGEL_MODEL_DIR=str(model_cache_dir()),  # the joined bundled model, not copied again
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def _traced(trace: Path, *args: str) -> list[str]:
    return ["strace", "-f", "-qq", "-e", "trace=network", "-o", str(trace), *args]


def _spiegel(trace: Path, env: dict[str, str], *args: str, timeout: int = 900) -> str:
    done = subprocess.run(
        _traced(trace, sys.executable, "-m", "pipeline", *args),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _browse(urls: list[tuple[str, str]]) -> None:
    """Open each page in headless chromium (outside the trace) so the server runs the page scripts."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        for url, expected in urls:
            page.goto(url)
            page.get_by_text(expected).first.wait_for(state="attached", timeout=90_000)
            time.sleep(1)
        browser.close()


def _wait_http(port: int, timeout_s: float = 120) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError("the dashboard did not start")


def test_no_command_sends_anything_or_leaves_telemetry(tmp_path, sample_audio):
    home = tmp_path / "home"
    home.mkdir()
    env = _env(home)
    db = tmp_path / "db.duckdb"
    traces: dict[str, Path] = {}

    traces["process"] = tmp_path / "process.trace"
    _spiegel(
        traces["process"],
        env,
        "process",
        str(sample_audio / "one_speaker.wav"),
        "--db",
        str(db),
        "--no-progress",
    )

    transcript = tmp_path / "gesprek.txt"
    transcript.write_text(
        "Sanne: Wat gaat er beter sinds vorige week?\nK: Ik slaap weer wat beter.\n"
        "Sanne: Hoe heb je dat voor elkaar gekregen?\nK: Ik ga eerder naar bed.\n",
        encoding="utf-8",
    )
    traces["import"] = tmp_path / "import.trace"
    stderr = _spiegel(
        traces["import"], env, "import", str(transcript), "--db", str(db), "--practitioner", "Sanne"
    )
    session_id = re.search(r"sessie (\w+)", stderr).group(1)

    traces["export"] = tmp_path / "export.trace"
    _spiegel(
        traces["export"], env, "export", "--db", str(db), "--format", "csv", "--out", str(tmp_path / "out")
    )
    traces["report"] = tmp_path / "report.trace"
    _spiegel(
        traces["report"],
        env,
        "report",
        session_id,
        "--db",
        str(db),
        "--format",
        "html",
        "--out",
        str(tmp_path / "r.html"),
    )

    traces["dashboard"] = tmp_path / "dashboard.trace"
    port = _free_port()
    proc = subprocess.Popen(
        _traced(
            traces["dashboard"],
            sys.executable,
            "-m",
            "pipeline",
            "dashboard",
            "--db",
            str(db),
            "--port",
            str(port),
        ),
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_http(port)
        base = f"http://127.0.0.1:{port}"
        _browse(
            [
                (f"{base}/", "Sanne"),
                (f"{base}/session?id={session_id}", "eerder naar bed"),
                (f"{base}/cohort", "Sanne"),
            ]
        )
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # the spiegel command and its Streamlit child, as Ctrl-C does
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    for name, trace in traces.items():
        text = trace.read_text()
        assert "bind(" in text or name != "dashboard", "the trace did not follow the Streamlit server"
        assert offending_calls(text) == [], f"{name} reached the network: {offending_calls(text)[:3]}"
    written = sorted(str(p.relative_to(home)) for p in home.rglob("*") if p.is_file())
    telemetry = [
        p for p in written if re.search(r"microsoft|onnxruntime|telemetry|deviceid|analytics", p, re.I)
    ]
    assert telemetry == [], telemetry
