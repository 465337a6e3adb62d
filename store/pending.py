"""Sessions that could not be saved: kept in a recovery file beside the database, stored by the next writer.

When another program holds the database for longer than the lock timeout, the work of a `spiegel process`
run (minutes of transcription) must not be thrown away. `keep_pending` writes the finished session into
`<db>.pending-<session_id>.duckdb` — a small database with the same schema, encrypted with the same key when
`SPIEGEL_DB_KEY` is set, mode 0600 — and every later write connection (`store.connect`) moves the sessions of
such files into the database and removes the files.
"""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb

from core.errors import UserError
from core.records import Session
from core.texts import user_text
from store.connection import (
    KEY_ENV,
    SCHEMA_SQL,
    _open,
    _private_umask,
    _quote,
    ensure_stored_metrics,
    make_private,
    resolve_db_path,
    transaction,
    wal_path,
)

log = logging.getLogger(__name__)

#: Tables with a `session_id` column, in the order their rows are moved.
SESSION_TABLES = ("sessions", "utterances", "tags", "words", "speakers")


def pending_files(path: Path) -> list[Path]:
    """Recovery files of the database at `path`, oldest name first."""
    if not path.parent.exists():
        return []
    return sorted(path.parent.glob(f"{path.name}.pending-*.duckdb"))


def keep_pending(db: str | Path | None, session: Session) -> Path:
    """Write one finished session into its own recovery file; returns the file."""
    import os

    from store.sessions import save_session, session_id_for

    path = resolve_db_path(db)
    target = path.with_name(f"{path.name}.pending-{session_id_for(session.source_sha256)}.duckdb")
    key = os.environ.get(KEY_ENV) or None
    with _private_umask():
        con = _open(target, False, key)
        try:
            con.execute(SCHEMA_SQL)
            ensure_stored_metrics(con)
            save_session(con, session)
            con.execute("CHECKPOINT")
        finally:
            con.close()
    make_private(target)
    log.warning(user_text("log.pending.kept", name=target.name))
    return target


def save_or_keep(db: str | Path | None, session: Session) -> tuple[str, bool]:
    """Store a finished session; when the database stays locked past the timeout, keep it in a recovery
    file and say so in one sentence (the work of a whole transcription is never thrown away)."""
    from store.connection import DatabaseBusy, connect
    from store.sessions import save_session

    try:
        with connect(db) as con:
            return save_session(con, session)
    except DatabaseBusy as error:
        raise kept_instead(db, session, error) from error


def kept_instead(db: str | Path | None, session: Session, busy: UserError) -> UserError:
    """Keep a session the locked database could not take in a recovery file; returns the sentence saying so
    (`spiegel import` says it per file of a batch that met the lock)."""
    kept = keep_pending(db, session)
    return UserError("error.db.kept", name=session.source_name, error=busy, kept=kept.name)


def absorb_pending(con: duckdb.DuckDBPyConnection, path: Path, key: str | None) -> int:
    """Move the sessions of every recovery file into the open database; returns how many were stored."""
    stored = 0
    for pending in pending_files(path):
        options = f"ENCRYPTION_KEY '{_quote(key)}', READ_ONLY" if key else "READ_ONLY"
        try:
            con.execute(f"ATTACH '{_quote(str(pending))}' AS spiegel_pending ({options})")
        except duckdb.Error as error:  # a wrong key or a damaged file: keep it, say so, store the rest
            log.warning(user_text("log.pending.unreadable", name=pending.name, kind=type(error).__name__))
            continue
        try:
            new_ids = [
                row[0]
                for row in con.execute(
                    "SELECT session_id FROM spiegel_pending.sessions WHERE source_sha256 NOT IN "
                    "(SELECT source_sha256 FROM sessions)"
                ).fetchall()
            ]
            with transaction(con):
                for table in SESSION_TABLES:
                    # Table names come from our own constant list.
                    con.execute(
                        f"INSERT INTO {table} BY NAME SELECT * FROM spiegel_pending.{table} "
                        "WHERE session_id IN (SELECT unnest(?::VARCHAR[]))",
                        [new_ids],
                    )
        finally:
            con.execute("DETACH spiegel_pending")
        for leftover in (pending, wal_path(pending)):
            leftover.unlink(missing_ok=True)
        stored += len(new_ids)
        log.info("stored %d session(s) from recovery file %s", len(new_ids), pending.name)
    return stored
