"""Named read queries for the dashboard, the report and the speaker commands: the only SQL outside writes.

Each returns a DuckDB result (call `.df()` for a DataFrame, `.fetchall()` for rows) or plain values, so the
callers never hold an SQL string. The `session_metrics` view is queried in exactly one place: `metrics`.
"""

from __future__ import annotations

from typing import Any

import duckdb


def metrics(con: duckdb.DuckDBPyConnection, session_id: str | None = None) -> duckdb.DuckDBPyConnection:
    """Rows of the `session_metrics` view: every session's, or one session's (one row per role)."""
    if session_id is None:
        return con.execute("SELECT * FROM session_metrics ORDER BY session_id, role")
    return con.execute("SELECT * FROM session_metrics WHERE session_id = ? ORDER BY role", [session_id])


def metrics_by_role(con: duckdb.DuckDBPyConnection, session_id: str) -> dict[str, dict[str, Any]]:
    """One session's metrics as {role: {column: value}}."""
    cursor = metrics(con, session_id)
    columns = [d[0] for d in cursor.description]
    return {row[1]: dict(zip(columns, row, strict=True)) for row in cursor.fetchall()}


def sessions_overview(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """The columns the session lists show, one row per session (unordered: the caller sorts).

    `corrected_at` is NULL in a database written before corrections existed and opened read-only."""
    corrected = con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE table_name = 'sessions' AND column_name = 'corrected_at' "
        "AND database_name = current_database()"
    ).fetchone()[0]
    return con.execute(
        f"""SELECT session_id, recorded_at, created_at, practitioner, client_code, duration_s, has_times,
                  source_name, source_kind, language, asr_model, warnings, num_speakers, role_confidence,
                  {"corrected_at" if corrected else "CAST(NULL AS TIMESTAMP) AS corrected_at"}
           FROM sessions"""
    )


def session_row(con: duckdb.DuckDBPyConnection, session_id: str) -> duckdb.DuckDBPyConnection:
    """Every column of one session's row (none when the id is unknown)."""
    return con.execute("SELECT * FROM sessions WHERE session_id = ?", [session_id])


def speaker_roles(con: duckdb.DuckDBPyConnection, session_id: str) -> dict[str, tuple[str, str]]:
    """speaker → (role, role_source) as stored for a session."""
    rows = con.execute(
        "SELECT speaker, role, role_source FROM speakers WHERE session_id = ?", [session_id]
    ).fetchall()
    return {speaker: (role, source) for speaker, role, source in rows}


def role_decision(con: duckdb.DuckDBPyConnection, session_id: str) -> tuple[float | None, list[str]]:
    """(role confidence, warning codes) of a session."""
    row = con.execute(
        "SELECT role_confidence, warnings FROM sessions WHERE session_id = ?", [session_id]
    ).fetchone()
    return (None, []) if row is None else (row[0], list(row[1] or []))


def speaker_summary(
    con: duckdb.DuckDBPyConnection, session_id: str
) -> list[tuple[str, str, str, int, float]]:
    """(speaker, role, role_source, utterances, seconds of speech) per speaker of a session, by speaker."""
    rows = con.execute(
        """SELECT s.speaker, s.role, s.role_source, count(u.idx), coalesce(sum(u.end_s - u.start_s), 0)
           FROM speakers s LEFT JOIN utterances u ON u.session_id = s.session_id AND u.speaker = s.speaker
           WHERE s.session_id = ? GROUP BY ALL ORDER BY s.speaker""",
        [session_id],
    ).fetchall()
    return [(str(a), str(b), str(c), int(d), float(e)) for a, b, c, d, e in rows]


def cues_column(con: duckdb.DuckDBPyConnection, table: str = "utterances") -> str:
    """The select expression of `orientation_cues`: NULL (unknown) in a database written before the column
    existed and opened read-only, where the schema was not brought up to date (`table` is one of ours)."""
    present = con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE table_name = ? AND column_name = 'orientation_cues' "
        "AND database_name = current_database()",
        [table],
    ).fetchone()[0]
    return "orientation_cues" if present else "CAST(NULL AS VARCHAR[]) AS orientation_cues"


def session_utterances(con: duckdb.DuckDBPyConnection, session_id: str) -> duckdb.DuckDBPyConnection:
    """A session's utterances in order (idx, speaker, role, start_s, end_s, text, orientation, is_question,
    scale_value, orientation_cues)."""
    return con.execute(
        f"""SELECT idx, speaker, role, start_s, end_s, text, orientation, is_question, scale_value,
                  {cues_column(con)}
           FROM utterances WHERE session_id = ? ORDER BY idx""",
        [session_id],
    )


def session_tags(con: duckdb.DuckDBPyConnection, session_id: str) -> duckdb.DuckDBPyConnection:
    """A session's tags (utterance_idx, label, subtype, value, start_char, end_char, rule), in text order."""
    return con.execute(
        """SELECT utterance_idx, label, subtype, value, start_char, end_char, rule
           FROM tags WHERE session_id = ? ORDER BY utterance_idx, start_char, label""",
        [session_id],
    )


def revisions(con: duckdb.DuckDBPyConnection) -> dict[str, int] | None:
    """session id → revision (a new number at every write of that session); None when the database predates
    revisions."""
    try:
        rows = con.execute("SELECT session_id, revision FROM session_revisions").fetchall()
    except duckdb.CatalogException:
        return None
    return dict(rows)


def stored_sha256s(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The SHA-256 of every stored source: what a batch run skips."""
    return {row[0] for row in con.execute("SELECT source_sha256 FROM sessions").fetchall()}


def utterance_words(con: duckdb.DuckDBPyConnection, session_id: str, idx: int) -> list[str]:
    """The recognised words stored for one utterance, in order (empty without word times): whether a cut
    there gets its times from them (`core.splitting.timing`)."""
    rows = con.execute(
        "SELECT text FROM words WHERE session_id = ? AND utterance_idx = ? ORDER BY word_idx",
        [session_id, idx],
    ).fetchall()
    return [text for (text,) in rows]
