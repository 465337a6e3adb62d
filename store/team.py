"""Team mode in the store: who may see which session, shares, the audit log, and the trainer's cohort figures.

Every read for a team member goes through a `Viewer`, and the filter is a WHERE clause of the query itself:
a practitioner's queries return only rows of sessions stored under their practitioner name, a supervisor's
only rows of sessions shared with them, a trainer's session queries return nothing at all. The dashboard
never receives a row it may not show, so no widget has to hide one. The trainer's only read is
`cohort_figures`: per pseudonymised practitioner and month, counts and means — no session ids, no client
codes, no dates finer than a month, no text.

The audit log (`audit_log`) records logins, failed logins, shares, exports, reports and deletions with the
actor and the session id, never utterance text, client codes or file names; a team member's corrections,
supervision notes and uploads too (store/access.py, where those reads and writes are checked).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from core.errors import UserError
from store.audio import erase as erase_audio
from store.connection import connect, resolve_db_path, rewriting, transaction
from store.queries import cues_column
from store.sessions import delete_session, session_exists

VIA_DASHBOARD = "dashboard"
VIA_CLI = "cli"
EVENTS = (
    "login",
    "login_failed",
    "login_locked",
    "logout",
    "share",
    "unshare",
    "export",
    "report",
    "delete",
    "user_added",
    "user_removed",
    "correction",
    "note",
    "upload",
)


@dataclass(frozen=True)
class Viewer:
    """A logged-in team member, as the queries see them (role: practitioner, supervisor or trainer)."""

    username: str
    role: str
    practitioner: str | None = None


def _scope(viewer: Viewer) -> tuple[str, list[Any]]:
    """The WHERE condition on `sessions s` that selects what `viewer` may see, and its parameters."""
    if viewer.role == "practitioner" and viewer.practitioner:
        return "s.practitioner = ?", [viewer.practitioner]
    if viewer.role == "supervisor":
        return "s.session_id IN (SELECT sh.session_id FROM session_shares sh WHERE sh.username = ?)", [
            viewer.username
        ]
    return "FALSE", []  # trainers (and anything unknown) see no session


def visible_sessions(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> duckdb.DuckDBPyConnection:
    """The session list's columns (as `queries.sessions_overview`) for the sessions `viewer` may see."""
    where, params = _scope(viewer)
    return con.execute(
        f"""SELECT s.session_id, s.recorded_at, s.created_at, s.practitioner, s.client_code, s.duration_s,
                   s.has_times, s.source_name, s.source_kind, s.language, s.asr_model, s.warnings,
                   s.num_speakers, s.role_confidence
            FROM sessions s WHERE {where}""",
        params,
    )


def visible_metrics(
    con: duckdb.DuckDBPyConnection, viewer: Viewer, session_id: str | None = None
) -> duckdb.DuckDBPyConnection:
    """`session_metrics` rows of the sessions `viewer` may see (one session's when `session_id` is given)."""
    where, params = _scope(viewer)
    one = "" if session_id is None else " AND s.session_id = ?"
    return con.execute(
        f"""SELECT m.* FROM session_metrics m JOIN sessions s ON s.session_id = m.session_id
            WHERE {where}{one} ORDER BY m.session_id, m.role""",
        params + ([] if session_id is None else [session_id]),
    )


def may_see(con: duckdb.DuckDBPyConnection, viewer: Viewer, session_id: str) -> bool:
    where, params = _scope(viewer)
    row = con.execute(
        f"SELECT count(*) FROM sessions s WHERE s.session_id = ? AND {where}",
        [session_id, *params],
    ).fetchone()
    return bool(row and row[0])


def visible_session(
    con: duckdb.DuckDBPyConnection, viewer: Viewer, session_id: str
) -> tuple[duckdb.DuckDBPyConnection, ...] | None:
    """(row, utterances, tags) of one session as `queries` gives them, or None when `viewer` may not see it.

    Each of the three queries carries the viewer's condition itself, so a session shared away between them
    yields empty results rather than rows.
    """
    where, params = _scope(viewer)
    allowed = f"session_id IN (SELECT s.session_id FROM sessions s WHERE s.session_id = ? AND {where})"
    row = con.execute(f"SELECT * FROM sessions WHERE {allowed}", [session_id, *params]).df()
    if row.empty:
        return None
    utterances = con.execute(
        f"""SELECT idx, speaker, role, start_s, end_s, text, orientation, is_question, scale_value,
                   {cues_column(con)}
            FROM utterances WHERE {allowed} ORDER BY idx""",
        [session_id, *params],
    ).df()
    tags = con.execute(
        f"""SELECT utterance_idx, label, subtype, value, start_char, end_char, rule
            FROM tags WHERE {allowed} ORDER BY utterance_idx, start_char, label""",
        [session_id, *params],
    ).df()
    return row, utterances, tags


def cohort_figures(con: duckdb.DuckDBPyConnection, secret: str) -> duckdb.DuckDBPyConnection:
    """The trainer's figures: per pseudonymised practitioner and month, nothing that names a session.

    `practitioner` is `P-` and six hex digits of SHA-256(secret, name): stable for one user file, not
    reversible by hashing known names without the secret. `ratio` is the time-based solution-talk ratio of
    the whole session, or the count-based one for sessions without times (as the session list shows it).
    """
    return con.execute(
        """WITH per_session AS (
               SELECT 'P-' || substr(sha256(? || '|' || coalesce(s.practitioner, '')), 1, 6) AS practitioner,
                      date_trunc('month', coalesce(s.recorded_at, CAST(s.created_at AS DATE))) AS month,
                      CASE WHEN s.has_times AND a.solution_talk_ratio IS NOT NULL THEN a.solution_talk_ratio
                           ELSE a.solution_talk_ratio_count END AS ratio,
                      p.talk_share AS practitioner_talk_share,
                      p.question_share AS practitioner_question_share,
                      coalesce(p.label_count_compliment, 0) AS compliments
               FROM sessions s
               JOIN session_metrics a ON a.session_id = s.session_id AND a.role = 'all'
               JOIN session_metrics p ON p.session_id = s.session_id AND p.role = 'practitioner'
           )
           SELECT practitioner, CAST(month AS DATE) AS month, count(*) AS sessions,
                  avg(ratio) AS mean_ratio, avg(practitioner_talk_share) AS mean_talk_share,
                  avg(practitioner_question_share) AS mean_question_share,
                  avg(compliments) AS compliments_per_session
           FROM per_session GROUP BY ALL ORDER BY practitioner, month""",
        [secret],
    )


def practitioner_session_count(con: duckdb.DuckDBPyConnection, practitioner: str) -> int:
    """How many sessions are stored under a practitioner name (a new login's name is checked against it)."""
    return con.execute("SELECT count(*) FROM sessions WHERE practitioner = ?", [practitioner]).fetchone()[0]


# ------------------------------------------------------------------------------------------------- shares


def share(con: duckdb.DuckDBPyConnection, session_id: str, username: str, actor: str) -> bool:
    """Share a session with a supervisor; False when it was already shared with them. Audited."""
    if not session_exists(con, session_id):
        raise UserError("error.store.no_session", session=session_id)
    with transaction(con):
        before = con.execute(
            "SELECT count(*) FROM session_shares WHERE session_id = ? AND username = ?",
            [session_id, username],
        ).fetchone()[0]
        con.execute(
            "INSERT OR IGNORE INTO session_shares (session_id, username) VALUES (?, ?)",
            [session_id, username],
        )
        record(con, "share", actor, VIA_CLI, session_id, username)
    return not before


def unshare(con: duckdb.DuckDBPyConnection, session_id: str, username: str, actor: str) -> bool:
    """Stop sharing; False when it was not shared with them. Audited."""
    with transaction(con):
        gone = con.execute(
            "DELETE FROM session_shares WHERE session_id = ? AND username = ? RETURNING session_id",
            [session_id, username],
        ).fetchall()
        record(con, "unshare", actor, VIA_CLI, session_id, username)
    return bool(gone)


def shares_of(con: duckdb.DuckDBPyConnection, username: str | None = None) -> list[tuple[str, str, Any]]:
    """(session_id, username, shared_at) of every share, or of one user's."""
    sql = "SELECT session_id, username, shared_at FROM session_shares"
    params: list[Any] = []
    if username is not None:
        sql += " WHERE username = ?"
        params.append(username)
    try:
        return con.execute(sql + " ORDER BY username, session_id", params).fetchall()
    except duckdb.CatalogException:  # written before team mode existed: nothing shared yet
        return []


def forget_user(con: duckdb.DuckDBPyConnection, username: str, actor: str) -> int:
    """A removed login's shares go with it (a later login of the same name starts with none). Audited."""
    with transaction(con):
        gone = con.execute("DELETE FROM session_shares WHERE username = ? RETURNING session_id", [username])
        count = len(gone.fetchall())
        record(con, "user_removed", actor, VIA_CLI, None, username)
    return count


# -------------------------------------------------------------------------------------------------- audit


def os_account() -> str:
    """The computer account running a command, for the audit log: from the login's environment, else the
    numeric uid. Not `getpass.getuser()`'s password-database lookup, which asks nscd over a socket (the
    offline trace counts that as a connection, tests/e2e/test_offline.py)."""
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return f"uid {os.getuid()}"


def record(
    con: duckdb.DuckDBPyConnection,
    event: str,
    actor: str | None,
    via: str,
    session_id: str | None = None,
    detail: str | None = None,
) -> None:
    """Add one row to the audit log (inside the caller's transaction when there is one)."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    con.execute(
        "INSERT INTO audit_log (event, actor, via, session_id, detail) VALUES (?, ?, ?, ?, ?)",
        [event, actor, via, session_id, detail],
    )


#: One audit write at a time from this process: DuckDB refuses a write connection while another thread of
#: the same process has the file open read-only (and the reverse); store.connect waits that out.
_WRITE = threading.Lock()


def record_event(
    db: str | Path | None,
    event: str,
    actor: str | None,
    via: str,
    session_id: str | None = None,
    detail: str | None = None,
    wait_s: float | None = None,
) -> None:
    """Open the database for writing, add one audit row, close. Never creates a database."""
    path = resolve_db_path(db)
    if not path.exists():
        raise UserError("error.db.missing", path=path)
    with _WRITE, connect(path, wait_s=wait_s) as con:
        record(con, event, actor, via, session_id, detail)


def recent_failures(con: duckdb.DuckDBPyConnection, username: str, minutes: int) -> int:
    """Failed logins of `username` since their last good one, in the last `minutes` minutes (the login's
    lock-out); 0 for a database last written before team mode existed."""
    try:
        return _recent_failures(con, username, minutes)
    except duckdb.CatalogException:
        return 0


def _recent_failures(con: duckdb.DuckDBPyConnection, username: str, minutes: int) -> int:
    return con.execute(
        "SELECT count(*) FROM audit_log WHERE event = 'login_failed' AND actor = ? "
        "AND logged_at > current_timestamp::TIMESTAMP - to_minutes(CAST(? AS BIGINT)) "
        "AND id > coalesce((SELECT max(id) FROM audit_log WHERE event = 'login' AND actor = ?), -1)",
        [username, minutes, username],
    ).fetchone()[0]


def audit_rows(
    con: duckdb.DuckDBPyConnection, event: str | None = None, limit: int | None = None
) -> list[tuple[Any, ...]]:
    """(logged_at, event, actor, via, session_id, detail), newest first; one kind of event or all."""
    sql = "SELECT logged_at, event, actor, via, session_id, detail FROM audit_log"
    params: list[Any] = []
    if event:
        sql += " WHERE event = ?"
        params.append(event)
    sql += " ORDER BY id DESC"
    if limit:
        sql += " LIMIT ?"
        params.append(limit)
    try:
        return con.execute(sql, params).fetchall()
    except duckdb.CatalogException:  # a database last written before team mode existed: nothing audited yet
        return []


def erase_session_audited(db: str | Path | None, session_id: str, actor: str) -> None:
    """`spiegel delete`: erase the session (as store.erase_session: its rows, then its kept recording) and
    record it in the same rewritten file."""
    with rewriting(db) as con:
        delete_session(con, session_id)
        record(con, "delete", actor, VIA_CLI, session_id)
    erase_audio(db, session_id)  # its kept recording, if any (store/audio.py)


@contextlib.contextmanager
def reading(db: str | Path | None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short read-only connection (audit listing, share listing); a missing database is one sentence."""
    with connect(db, read_only=True) as con:
        yield con
