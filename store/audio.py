"""Kept recordings (`spiegel process --keep-audio`): one file beside the database, encrypted like it.

Why a file of its own: a recording is large and the database is rewritten on every erasure (rewrite_file),
so the audio would make every `spiegel delete` copy every other recording; and the dashboard's short
read-only reads of the database should not carry megabytes. Why DuckDB again: the same encryption at rest
(`SPIEGEL_DB_KEY`, DuckDB's AES through httpfs, store/connection.py) and the same erasure (a fresh file with
only the live rows, swapped in), with no second crypto scheme to get wrong.

The file is `<database>.audio` (e.g. `gespreksspiegel.duckdb.audio`), mode 0600, one row per session: the
recording as Ogg/Opus bytes (what Chromium and Firefox play). It exists only once a recording was kept.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import duckdb

from core.errors import UserError
from store.connection import (
    KEY_ENV,
    _create_private,
    _open_waiting,
    _private_umask,
    lock_timeout_s,
    make_private,
    resolve_db_path,
    rewrite_file,
    wal_path,
)

log = logging.getLogger(__name__)

_SCHEMA = """CREATE TABLE IF NOT EXISTS audio (
    session_id VARCHAR PRIMARY KEY,
    mime       VARCHAR NOT NULL,
    duration_s DOUBLE,
    data       BLOB NOT NULL,
    kept_at    TIMESTAMP NOT NULL DEFAULT current_timestamp
)"""


def audio_path(db: str | Path | None) -> Path:
    """Where a database's kept recordings are: `<database file>.audio` beside it."""
    path = resolve_db_path(db)
    return path.with_name(path.name + ".audio")


@contextlib.contextmanager
def connect_audio(db: str | Path | None, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short connection to the audio file, encrypted with `SPIEGEL_DB_KEY` when it is set."""
    path = audio_path(db)
    key = os.environ.get(KEY_ENV) or None
    with _private_umask():
        if not read_only:
            _create_private(path)
        con = _open_waiting(path, read_only, key, lock_timeout_s())
        try:
            if not read_only:
                make_private(path)
                con.execute(_SCHEMA)
            yield con
        finally:
            con.close()


def keep(db: str | Path | None, session_id: str, data: bytes, mime: str, duration_s: float | None) -> None:
    """Store (or replace) a session's recording."""
    if not data:
        raise UserError("error.audio.keep_empty")
    with connect_audio(db) as con:
        con.execute(
            "INSERT OR REPLACE INTO audio (session_id, mime, duration_s, data) VALUES (?, ?, ?, ?)",
            [session_id, mime, duration_s, data],
        )
    log.info("kept the recording of session %s (%d bytes)", session_id, len(data))


def has(db: str | Path | None, session_id: str) -> bool:
    """Whether a recording of the session is kept (False when no recording was ever kept)."""
    if not audio_path(db).exists():
        return False
    with connect_audio(db, read_only=True) as con:
        return bool(
            con.execute("SELECT count(*) FROM audio WHERE session_id = ?", [session_id]).fetchone()[0]
        )


def load(db: str | Path | None, session_id: str) -> tuple[bytes, str] | None:
    """(bytes, mime type) of the session's kept recording, or None."""
    if not audio_path(db).exists():
        return None
    with connect_audio(db, read_only=True) as con:
        row = con.execute("SELECT data, mime FROM audio WHERE session_id = ?", [session_id]).fetchone()
    return (bytes(row[0]), str(row[1])) if row else None


def erase(db: str | Path | None, session_id: str) -> bool:
    """Erase a session's recording so no byte of it remains: the file is rewritten without it, or removed when
    it held nothing else. Returns whether there was one."""
    path = audio_path(db)
    if not path.exists():
        return False
    with connect_audio(db) as con:
        found = con.execute("SELECT count(*) FROM audio WHERE session_id = ?", [session_id]).fetchone()[0]
        if not found:
            return False
        con.execute("DELETE FROM audio WHERE session_id = ?", [session_id])
        left = con.execute("SELECT count(*) FROM audio").fetchone()[0]
        if left:
            rewrite_file(con, path)
    if not left:  # nothing else kept: overwrite, then remove the file (and its WAL)
        for candidate in (path, wal_path(path)):
            with contextlib.suppress(FileNotFoundError):
                size = candidate.stat().st_size
                with candidate.open("r+b") as stream:
                    stream.write(b"\0" * size)
                    stream.flush()
                    os.fsync(stream.fileno())
                candidate.unlink()
    log.info("erased the kept recording of session %s", session_id)
    return True


def rekey(db: str | Path | None, new_key: str | None) -> None:
    """`spiegel rekey` for the kept recordings: the audio file rewritten under the new key (if there is one)."""
    if not audio_path(db).exists():
        return
    with connect_audio(db) as con:
        rewrite_file(con, audio_path(db), key=new_key)
