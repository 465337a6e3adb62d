"""`spiegel export`: every table and the metrics view to CSV, Parquet or JSON, or one session's own JSON.

Files go to a temporary folder beside the target first and are moved in only when all succeeded, so an
interrupted export never leaves a mix of old and new files.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from store.connection import TABLES, connect
from store.sessions import load_session

EXPORTED = (*TABLES, "session_metrics")
_COPY_OPTIONS = {
    "csv": "(FORMAT csv, HEADER true)",
    "parquet": "(FORMAT parquet)",
    "json": "(FORMAT json, ARRAY true)",
}


def export_all(db: Path | None, fmt: str, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".export-", dir=out_dir))
    written: list[Path] = []
    try:
        with connect(db, read_only=True) as con:
            for name in EXPORTED:
                target = staging / f"{name}.{fmt}"
                # Table names come from our own constant list; the path is bound as a literal by DuckDB.
                con.execute(f"COPY (SELECT * FROM {name}) TO '{target.as_posix()}' {_COPY_OPTIONS[fmt]}")
        for produced in sorted(staging.iterdir()):
            final = out_dir / produced.name
            produced.replace(final)
            written.append(final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written


def export_session(db: Path | None, session_id: str, out: Path) -> Path:
    """One session as the project's JSON transcript (`Session.to_json`), written atomically to `out`."""
    with connect(db, read_only=True) as con:
        record = load_session(con, session_id).to_json()
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
