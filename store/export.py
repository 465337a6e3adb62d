"""`spiegel export`: every table and the metrics view to CSV, Parquet or JSON, or one session's own JSON.

Files go to a temporary folder beside the target first and are moved in only when all succeeded, so an
interrupted export never leaves a mix of old and new files. The database is read into memory first and its
connection closed before anything is written, so an export holds the file for milliseconds, not for the
time the files take to write (a writer waiting meanwhile would otherwise be blocked).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import duckdb

from core.records import Session
from store.connection import SCHEMA_SQL, TABLES, connect, ensure_stored_metrics
from store.sessions import load_session, save_session

#: the corrections by hand go along (sessions.corrected_at says which sessions they changed)
EXPORTED = (*TABLES, "session_metrics", "corrections")
_COPY_OPTIONS = {
    "csv": "(FORMAT csv, HEADER true)",
    "parquet": "(FORMAT parquet)",
    "json": "(FORMAT json, ARRAY true)",
}


def read_tables(con: duckdb.DuckDBPyConnection, names: tuple[str, ...] = EXPORTED) -> dict[str, Any]:
    """Every exported table as an Arrow table in memory (table names come from our own constant list)."""
    return {name: con.execute(f"SELECT * FROM {name}").fetch_arrow_table() for name in names}


def write_tables(tables: dict[str, Any], fmt: str, out_dir: Path) -> list[Path]:
    """Write Arrow tables as `<name>.<fmt>` into `out_dir`, all or none (staged beside it first)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".export-", dir=out_dir))
    written: list[Path] = []
    try:
        writer = duckdb.connect(":memory:")
        try:
            for name, table in tables.items():
                target = staging / f"{name}.{fmt}"
                writer.register("exported", table)
                quoted = target.as_posix().replace("'", "''")
                writer.execute(f"COPY (SELECT * FROM exported) TO '{quoted}' {_COPY_OPTIONS[fmt]}")
                writer.unregister("exported")
        finally:
            writer.close()
        for produced in sorted(staging.iterdir()):
            final = out_dir / produced.name
            produced.replace(final)
            written.append(final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written


def export_all(db: Path | None, fmt: str, out_dir: Path) -> list[Path]:
    from store.corrections import has_log

    with connect(db, read_only=True) as con:
        # a database written before corrections existed, opened read-only, has no corrections table
        tables = read_tables(
            con, EXPORTED if has_log(con) else tuple(n for n in EXPORTED if n != "corrections")
        )
    return write_tables(tables, fmt, out_dir)


def load_all_sessions(db: Path | None) -> list[Session]:
    """Every stored session as records, oldest first (for a pseudonymised export)."""
    with connect(db, read_only=True) as con:
        ids = [
            row[0]
            for row in con.execute(
                "SELECT session_id FROM sessions ORDER BY created_at, session_id"
            ).fetchall()
        ]
        return [load_session(con, session_id) for session_id in ids]


def export_sessions(sessions: list[Session], fmt: str, out_dir: Path) -> list[Path]:
    """Export sessions given as records (already pseudonymised): stored in an in-memory database with the
    same schema, so every table and the metrics view come out as in a normal export (voiceprints empty)."""
    con = duckdb.connect(":memory:")
    try:
        con.execute(SCHEMA_SQL)
        ensure_stored_metrics(con)
        for session in sessions:
            save_session(con, session)
        tables = read_tables(con)
    finally:
        con.close()
    return write_tables(tables, fmt, out_dir)


def export_session(db: Path | None, session_id: str, out: Path) -> Path:
    """One session as the project's JSON transcript (`Session.to_json`), written atomically to `out`."""
    from store.corrections import summary

    with connect(db, read_only=True) as con:
        record = load_session(con, session_id).to_json()
        count, last_at, last_by = summary(con, session_id)
    if count:  # the record is the corrected version; say so (an import ignores this key)
        record["corrected"] = {"changes": count, "last_at": str(last_at), "last_by": last_by}
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, staged = tempfile.mkstemp(prefix=".session-", suffix=".json", dir=out.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(record, stream, ensure_ascii=False, indent=1)
        Path(staged).replace(out)
    except BaseException:
        Path(staged).unlink(missing_ok=True)
        raise
    return out
