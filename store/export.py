"""`spiegel export`: every table and the metrics view to CSV, Parquet or JSON, or one session's own JSON.

Files go to a temporary folder beside the target first and are moved in only when all succeeded, so an
interrupted export never leaves a mix of old and new files. The database is read into memory first and its
connection closed before anything is written, so an export holds the file for milliseconds, not for the
time the files take to write (a writer waiting meanwhile would otherwise be blocked).
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from core.records import Session
from store.connection import SCHEMA_SQL, TABLES, connect, ensure_stored_metrics
from store.loading import load_session
from store.sessions import save_session

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


def _select(table: Any, fmt: str) -> str:
    """The COPY query of one table. In CSV a list or struct column (`scale_answers`, `warnings`) is written as
    JSON text: DuckDB's own CSV form of it looks like a Python repr, which no CSV reader can parse back."""
    if fmt != "csv":
        return "SELECT * FROM exported"
    nested = [
        field.name
        for field in table.schema
        if pa.types.is_nested(field.type)  # list, struct, map
    ]
    if not nested:
        return "SELECT * FROM exported"
    replaced = ", ".join(f'to_json("{name}") AS "{name}"' for name in nested)
    return f"SELECT * REPLACE ({replaced}) FROM exported"


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
                writer.execute(f"COPY ({_select(table, fmt)}) TO '{quoted}' {_COPY_OPTIONS[fmt]}")
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


def session_json(session: Session) -> bytes:
    """One session as the project's JSON transcript (`Session.to_json`): `spiegel import` reads it back."""
    return json.dumps(session.to_json(), ensure_ascii=False, indent=1).encode("utf-8")


#: Columns of a session's CSV: one row per utterance; `labels` is JSON (label, subtype, value, rule per tag),
#: `orientation_cues` a JSON list of the orientation's strongest cues (feature names, strongest first).
SESSION_CSV_COLUMNS = (
    "idx",
    "speaker",
    "role",
    "start_s",
    "end_s",
    "text",
    "orientation",
    "is_question",
    "scale_value",
    "labels",
    "orientation_cues",
)


def session_csv(session: Session) -> bytes:
    """One session's utterances with their tags as CSV (UTF-8 with BOM, so spreadsheet programs read it)."""
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(SESSION_CSV_COLUMNS)
    for item in session.tagged:
        u, r = item.utterance, item.result
        labels = [{"label": g.label, "subtype": g.subtype, "value": g.value, "rule": g.rule} for g in r.tags]
        row = [u.idx, u.speaker, str(u.role), u.start_s, u.end_s, u.text, str(r.orientation), r.is_question]
        cues = json.dumps(list(r.orientation_cues), ensure_ascii=False)
        writer.writerow([*row, r.scale_value, json.dumps(labels, ensure_ascii=False), cues])
    return ("\ufeff" + stream.getvalue()).encode("utf-8")


def export_session(db: Path | None, session_id: str, out: Path) -> Path:
    """One session as the project's JSON transcript (`session_json`), written atomically to `out`; a corrected
    session says so (an import ignores the `corrected` key)."""
    from store.corrections import summary

    with connect(db, read_only=True) as con:
        session = load_session(con, session_id)
        count, last_at, last_by = summary(con, session_id)
    content = session_json(session)
    if count:
        record = json.loads(content)
        record["corrected"] = {"changes": count, "last_at": str(last_at), "last_by": last_by}
        content = json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8")
    return write_atomic(out, content)


def write_atomic(out: Path, content: bytes) -> Path:
    """Write a file whole or not at all: staged beside `out` (same file system), then renamed over it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, staged = tempfile.mkstemp(prefix=f".{out.stem}-", suffix=out.suffix, dir=out.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        Path(staged).replace(out)
    except BaseException:
        Path(staged).unlink(missing_ok=True)
        raise
    return out
