"""The database file and the data folder are readable by the user only (0600 / 0700); so are exports.

Before: the data folder was 0755 and the database, its WAL and every export 0644 (umask 022), readable by
every account on a shared practice computer.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import store
from tests.conftest import REPO
from tests.trust.records import session


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_library_writes_are_private_whatever_the_umask(tmp_path):
    previous = os.umask(0o022)
    try:
        db = tmp_path / "nieuw" / "s.duckdb"
        with store.connect(db) as con:
            store.save_session(con, session("Modus"))
            wal = db.with_name(db.name + ".wal")
            assert not wal.exists() or mode(wal) == 0o600
        assert mode(db) == 0o600 and mode(db.parent) == 0o700
        open_db = tmp_path / "open.duckdb"
        with store.connect(open_db):
            pass
        open_db.chmod(0o644)  # a file from an older version
        with store.connect(open_db):
            pass
        assert mode(open_db) == 0o600
    finally:
        os.umask(previous)


def test_cli_default_data_folder_database_and_exports_are_private(tmp_path):
    home = tmp_path / "home"
    (home / ".local" / "share").mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPIEGEL_DB", "XDG_"))}
    env["HOME"] = str(home)
    transcript = tmp_path / "g.txt"
    transcript.write_text("Sanne: Wat ging goed?\nK: Het slapen.\n", encoding="utf-8")

    def run(*args: str) -> str:
        done = subprocess.run(
            ["sh", "-c", 'umask 022 && exec "$@"', "sh", sys.executable, "-m", "pipeline", *args],
            capture_output=True,
            text=True,
            cwd=REPO,
            env=env,
            check=False,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stderr

    stderr = run("import", str(transcript), "--practitioner", "Sanne")
    folder = home / ".local" / "share" / "gespreksspiegel"
    db = folder / "gespreksspiegel.duckdb"
    assert mode(folder) == 0o700 and mode(db) == 0o600
    run("export", "--format", "csv", "--out", str(tmp_path / "uit"))
    assert {mode(p) for p in (tmp_path / "uit").iterdir()} == {0o600}
    session_id = stderr.split("sessie ")[1].split()[0]
    run("report", session_id, "--out", str(tmp_path / "verslag.md"))
    assert mode(tmp_path / "verslag.md") == 0o600
