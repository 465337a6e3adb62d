"""Start the dashboard: `streamlit run dashboard/server.py` in a child process, on this computer only.

server.py is the `st.App` around the pages of app.py (it answers page addresses so that no request fails).

`spiegel dashboard [--db DB] [--port PORT]` calls `run_dashboard`. The flags keep the data local and private:
the server listens on 127.0.0.1 only and Streamlit's usage statistics are switched off, whatever config files
the user has elsewhere.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import webbrowser
from pathlib import Path

from core.texts import user_text

APP = Path(__file__).resolve().parent / "app.py"
#: What `streamlit run` starts: the `st.App` that serves APP (dashboard/server.py).
SERVER = APP.with_name("server.py")
HOST = "127.0.0.1"


def dashboard_command(port: int = 8501) -> list[str]:
    """The exact command line the launcher runs (tests start the same one)."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(SERVER),
        "--server.port",
        str(port),
        "--server.address",
        HOST,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--global.developmentMode",
        "false",
        "--server.fileWatcherType",
        "none",
        "--server.runOnSave",
        "false",
        # no ⋮ menu: its items (print, settings, about) are fixed English and not needed here
        "--client.toolbarMode",
        "minimal",
        "--server.maxUploadSize",
        "2048",
    ]


#: Set only by `spiegel dashboard --team`: the user file; its presence is what switches the login on.
TEAM_USERS_ENV = "SPIEGEL_TEAM_USERS"


def dashboard_env(db_path: Path, users_file: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["SPIEGEL_DB"] = str(Path(db_path).expanduser().resolve())
    env.pop(TEAM_USERS_ENV, None)  # single-user unless asked for here, whatever the caller's environment
    if users_file is not None:
        env[TEAM_USERS_ENV] = str(Path(users_file).expanduser().resolve())
    env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    env["STREAMLIT_SERVER_ADDRESS"] = HOST
    return env


def wait_healthy(port: int, timeout_s: float = 60.0, proc: subprocess.Popen | None = None) -> bool:
    """Poll `/_stcore/health` until the server answers ok (False on timeout or when the process died)."""
    deadline = time.monotonic() + timeout_s
    url = f"http://{HOST}:{port}/_stcore/health"
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                return True
        time.sleep(0.3)
    return False


def stop(proc: subprocess.Popen, timeout_s: float = 10.0) -> int:
    """Ask the server to stop (SIGINT, like Ctrl-C), then terminate, then kill."""
    if proc.poll() is None:
        for sig, wait in ((signal.SIGINT, timeout_s), (signal.SIGTERM, 5.0)):
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(sig)
            try:
                return proc.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                continue
        proc.kill()
    return proc.wait()


def _exit_on(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def run_dashboard(
    db_path: Path, port: int = 8501, open_browser: bool = False, users_file: Path | None = None
) -> int:
    """Run the dashboard until it stops; returns its exit code (0 after Ctrl-C).

    With `users_file` (`--team`) every visitor logs in first (dashboard/auth.py).
    SIGTERM and SIGHUP (a service manager stopping us, a closed terminal) stop the Streamlit child too:
    before, `kill` on `spiegel dashboard` left the server running and listening.
    """
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, _exit_on)
    url = f"http://{HOST}:{port}/"
    print(user_text("cli.dashboard_url", url=url), file=sys.stderr)  # noqa: T201 (the command's one line)
    env = dashboard_env(db_path, users_file)
    proc = subprocess.Popen(dashboard_command(port), env=env, cwd=str(APP.parent))
    if open_browser:

        def _open() -> None:
            if wait_healthy(port, proc=proc):
                webbrowser.open(url)

        threading.Thread(target=_open, daemon=True).start()
    try:
        return proc.wait()
    except KeyboardInterrupt:
        # In a terminal the server got the same Ctrl-C and is already stopping; give it a moment first.
        try:
            proc.wait(timeout=3)
        except (subprocess.TimeoutExpired, KeyboardInterrupt):
            stop(proc)
        return 0
    finally:
        if proc.poll() is None:
            stop(proc)
