"""Marks added to a stored session after it was made: a warning code the pipeline could not know.

`spiegel demo` marks its sample recordings `synthetic_voices` (they are spoken by espeak-ng, which Whisper
hears poorly), so every page that shows a session's warnings says so; the code lives in `sessions.warnings`
like the pipeline's own codes and is shown in words from the text catalogue (`warning.synthetic_voices`).
"""

from __future__ import annotations

import duckdb

from store.connection import transaction
from store.sessions import refresh_metrics


def add_warning(con: duckdb.DuckDBPyConnection, session_id: str, code: str) -> bool:
    """Add `code` to the session's warnings (once); True when the session exists. The session gets a new
    revision, so a running dashboard shows the mark at once."""
    with transaction(con):
        found = con.execute(
            "UPDATE sessions SET warnings = list_append(warnings, ?) "
            "WHERE session_id = ? AND NOT list_contains(warnings, ?) RETURNING session_id",
            [code, session_id, code],
        ).fetchall()
        if found:
            refresh_metrics(con, [session_id])
        exists = con.execute("SELECT count(*) FROM sessions WHERE session_id = ?", [session_id]).fetchone()
    return bool(exists and exists[0])
