"""`spiegel export`: every table and the metrics view to CSV, Parquet or JSON, written atomically.

Files go to a temporary folder beside the target first and are moved in only when all succeeded, so an
interrupted export never leaves a mix of old and new files. The database is read into memory first and its
connection closed before anything is written, so an export holds the file for milliseconds, not for the
time the files take to write (a writer waiting meanwhile would otherwise be blocked).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import duckdb

from store.connection import TABLES, connect

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
            # Table names come from our own constant list.
            tables = {name: con.execute(f"SELECT * FROM {name}").fetch_arrow_table() for name in EXPORTED}
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
