"""Sessions written to the store: one transaction per call, rows in as Arrow tables (`store.loading` reads).

A session, or a batch of them (`save_sessions`, for `spiegel import` of a folder), is written in a single
transaction: a crash, a Ctrl-C or any error leaves the database exactly as it was. Every table's rows go in
as one Arrow table in one statement (row-by-row `executemany` cost more than the rest of a write). Every SQL
string that writes sessions, utterances, tags, words and speakers lives here as a named function.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from core.errors import UserError
from core.records import Session, TaggedUtterance
from store.connection import rewriting, transaction
from store.loading import RECORD_KEYS
from store.supervision import delete_notes

log = logging.getLogger(__name__)
#: store/corrections.py's tables (named here too: that module imports this one).
_CORRECTION_TABLES = ("corrections", "original_tags", "original_utterances", "original_speakers")
#: Every table holding a session's rows (its hand corrections and the machine's original beside them too).
_SESSION_TABLES = (*_CORRECTION_TABLES, "tags", "words", "utterances", "speakers", "session_shares")


def session_id_for(sha256: str) -> str:
    """Stable, short, link-friendly id: the same recording always gets the same id."""
    return sha256[:12]


def find_session_by_sha(con: duckdb.DuckDBPyConnection, sha256: str) -> str | None:
    row = con.execute("SELECT session_id FROM sessions WHERE source_sha256 = ?", [sha256]).fetchone()
    return row[0] if row else None


def _parse_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError as error:
        raise UserError("error.db.date", value=value) from error


_SESSION_SCHEMA = pa.schema(
    [
        ("session_id", pa.string()),
        ("source_sha256", pa.string()),
        ("source_name", pa.string()),
        ("recorded_at", pa.date32()),
        ("practitioner", pa.string()),
        ("client_code", pa.string()),
        ("language", pa.string()),
        ("duration_s", pa.float64()),
        ("asr_model", pa.string()),
        ("source_kind", pa.string()),
        ("has_times", pa.bool_()),
        ("asr_options", pa.string()),
        ("num_speakers", pa.int32()),
        ("role_confidence", pa.float64()),
        ("warnings", pa.list_(pa.string())),
        ("record", pa.string()),
    ]
)
_SPEAKER_SCHEMA = pa.schema(
    [
        ("session_id", pa.string()),
        ("speaker", pa.string()),
        ("role", pa.string()),
        ("role_source", pa.string()),
    ]
)
_UTTERANCE_SCHEMA = pa.schema(
    [
        ("session_id", pa.string()),
        ("idx", pa.int32()),
        ("speaker", pa.string()),
        ("role", pa.string()),
        ("start_s", pa.float64()),
        ("end_s", pa.float64()),
        ("text", pa.string()),
        ("orientation", pa.string()),
        ("is_question", pa.bool_()),
        ("scale_value", pa.float64()),
        ("orientation_cues", pa.list_(pa.string())),
    ]
)
_TAG_SCHEMA = pa.schema(
    [
        ("session_id", pa.string()),
        ("utterance_idx", pa.int32()),
        ("label", pa.string()),
        ("subtype", pa.string()),
        ("value", pa.float64()),
        ("start_char", pa.int32()),
        ("end_char", pa.int32()),
        ("rule", pa.string()),
    ]
)
_WORD_SCHEMA = pa.schema(
    [
        ("session_id", pa.string()),
        ("utterance_idx", pa.int32()),
        ("word_idx", pa.int32()),
        ("start_s", pa.float64()),
        ("end_s", pa.float64()),
        ("text", pa.string()),
        ("probability", pa.float64()),
    ]
)


def _bulk_insert(con: duckdb.DuckDBPyConnection, table: str, schema: pa.Schema, rows: list[tuple]) -> None:
    """Insert rows as one Arrow table in one statement, by column name (so a column added later never shifts)."""
    if not rows:
        return
    columns = list(zip(*rows, strict=True))
    arrow = pa.Table.from_arrays(
        [pa.array(values, type=f.type) for values, f in zip(columns, schema, strict=True)], schema=schema
    )
    con.register("_spiegel_rows", arrow)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _spiegel_rows")
    finally:
        con.unregister("_spiegel_rows")


def _insert_content(
    con: duckdb.DuckDBPyConnection, contents: Sequence[tuple[str, Sequence[TaggedUtterance]]]
) -> None:
    """Utterances, tags and words of sessions, (session_id, utterances) each (the caller holds the transaction)."""
    utterance_rows = [
        (
            session_id,
            t.utterance.idx,
            t.utterance.speaker,
            str(t.utterance.role),
            t.utterance.start_s,
            t.utterance.end_s,
            t.utterance.text,
            str(t.result.orientation),
            t.result.is_question,
            t.result.scale_value,
            list(t.result.orientation_cues),
        )
        for session_id, utterances in contents
        for t in utterances
    ]
    tag_rows = [
        (session_id, t.utterance.idx, g.label, g.subtype, g.value, g.start_char, g.end_char, g.rule)
        for session_id, utterances in contents
        for t in utterances
        for g in t.result.tags
    ]
    word_rows = [
        (session_id, t.utterance.idx, i, w.start, w.end, w.text, w.probability)
        for session_id, utterances in contents
        for t in utterances
        for i, w in enumerate(t.utterance.words)
    ]
    _bulk_insert(con, "utterances", _UTTERANCE_SCHEMA, utterance_rows)
    _bulk_insert(con, "tags", _TAG_SCHEMA, tag_rows)
    _bulk_insert(con, "words", _WORD_SCHEMA, word_rows)


def refresh_metrics(con: duckdb.DuckDBPyConnection, session_ids: Sequence[str]) -> None:
    """Recompute the stored figures of these sessions and give each a new revision (caller holds the transaction).

    Only the named sessions are computed: the cost of a write does not grow with the size of the database.
    Ids no longer in `sessions` lose their figures and revision.
    """
    ids = list(session_ids)
    if not ids:
        return
    con.execute("DELETE FROM session_metrics_stored WHERE list_contains(?, session_id)", [ids])
    con.execute("INSERT INTO session_metrics_stored SELECT * FROM session_metrics_of(?)", [ids])
    con.execute("DELETE FROM session_revisions WHERE list_contains(?, session_id)", [ids])
    con.execute(
        "INSERT INTO session_revisions SELECT session_id, nextval('session_revision_seq') FROM sessions "
        "WHERE list_contains(?, session_id)",
        [ids],
    )


def refresh_all_metrics(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute every session's stored figures in one pass (bulk loads, benchmarks, repairs)."""
    with transaction(con):
        con.execute("DELETE FROM session_metrics_stored")
        con.execute("INSERT INTO session_metrics_stored SELECT * FROM session_metrics_of(NULL)")
        con.execute("DELETE FROM session_revisions")
        con.execute(
            "INSERT INTO session_revisions SELECT session_id, nextval('session_revision_seq') FROM sessions"
        )


def _speaker_rows(session_id: str, session: Session) -> list[tuple[str, str, str, str]]:
    roles: dict[str, str] = {}
    for u in session.utterances:
        roles.setdefault(u.speaker, str(u.role))
    sources = dict(session.roles.sources) if session.roles else {}
    return [(session_id, speaker, role, sources.get(speaker, "auto")) for speaker, role in roles.items()]


def save_session(con: duckdb.DuckDBPyConnection, session: Session) -> tuple[str, bool]:
    """Store a whole session in one transaction; returns (session_id, created).

    A recording already stored (same SHA-256) is not stored again: its id comes back with created=False.
    """
    return save_sessions(con, [session])[0]


def find_sessions_by_sha(con: duckdb.DuckDBPyConnection, sha256s: Sequence[str]) -> dict[str, str]:
    """sha256 → session id of those already stored (one query for a whole batch of files)."""
    rows = con.execute(
        "SELECT source_sha256, session_id FROM sessions WHERE list_contains(?, source_sha256)",
        [list(sha256s)],
    ).fetchall()
    return dict(rows)


def _session_row(session_id: str, session: Session) -> tuple[Any, ...]:
    """The sessions row (created_at is the database's default). The record is the JSON of the session
    without its utterances: those are rows of their own, and serialising them only to drop them was a tenth
    of the write."""
    as_json = dataclasses.replace(session, utterances=(), results=()).to_json()
    record = {key: as_json[key] for key in RECORD_KEYS}
    return (
        session_id,
        session.source_sha256,
        session.source_name,
        _parse_date(session.recorded_at),
        session.practitioner,
        session.client_code,
        session.language,
        session.duration_s,
        session.asr_model,
        session.source_kind,
        session.has_times,
        json.dumps(dict(session.asr.options) if session.asr else {}),
        session.num_speakers,
        session.role_confidence,
        list(session.warnings),
        json.dumps(record),
    )


def save_sessions(con: duckdb.DuckDBPyConnection, sessions: Sequence[Session]) -> list[tuple[str, bool]]:
    """Store sessions in one transaction (all or none); returns (session_id, created) for each, in order.

    Recordings already stored, or given twice, are stored once. Rows go in as Arrow tables, one statement per
    table for the whole batch, and the stored figures are computed for the batch's sessions only.
    """
    existing = find_sessions_by_sha(con, [s.source_sha256 for s in sessions])
    results: list[tuple[str, bool]] = []
    new: list[tuple[str, Session]] = []
    for session in sessions:
        if session.source_sha256 in existing:
            results.append((existing[session.source_sha256], False))
            continue
        session_id = session_id_for(session.source_sha256)
        existing[session.source_sha256] = session_id
        new.append((session_id, session))
        results.append((session_id, True))
    if not new:
        return results
    session_rows = [_session_row(session_id, session) for session_id, session in new]
    with transaction(con):
        _bulk_insert(con, "sessions", _SESSION_SCHEMA, session_rows)
        _insert_content(con, [(session_id, session.tagged) for session_id, session in new])
        speaker_rows = [row for session_id, session in new for row in _speaker_rows(session_id, session)]
        _bulk_insert(con, "speakers", _SPEAKER_SCHEMA, speaker_rows)
        refresh_metrics(con, [session_id for session_id, _ in new])
    for session_id, session in new:
        log.info("stored session %s (%d utterances)", session_id, len(session.utterances))
    return results


#: The columns of a sessions row that `replace_content` may set.
_UPDATABLE = {"role_confidence", "num_speakers", "warnings", "practitioner", "client_code", "recorded_at"}


def replace_content(
    con: duckdb.DuckDBPyConnection,
    session_id: str,
    utterances: Sequence[TaggedUtterance],
    speaker_roles: dict[str, tuple[str, str]] | None = None,
    session_updates: dict[str, Any] | None = None,
) -> None:
    """Swap a session's utterances/tags/words (after a role correction or re-tagging) in one transaction.

    `speaker_roles` maps speaker → (role, role_source); `session_updates` sets columns of the sessions row.
    """
    if not session_exists(con, session_id):
        raise UserError("error.store.no_session", session=session_id)
    with transaction(con):
        for table, key in (("tags", "session_id"), ("words", "session_id"), ("utterances", "session_id")):
            con.execute(f"DELETE FROM {table} WHERE {key} = ?", [session_id])
        _insert_content(con, [(session_id, utterances)])
        if speaker_roles is not None:
            con.execute("DELETE FROM speakers WHERE session_id = ?", [session_id])
            con.executemany(
                "INSERT INTO speakers VALUES (?, ?, ?, ?)",
                [(session_id, spk, role, source) for spk, (role, source) in speaker_roles.items()],
            )
        for column, value in (session_updates or {}).items():
            if column not in _UPDATABLE:
                raise ValueError(f"not an updatable session column: {column}")
            con.execute(f"UPDATE sessions SET {column} = ? WHERE session_id = ?", [value, session_id])
        refresh_metrics(con, [session_id])


def session_exists(con: duckdb.DuckDBPyConnection, session_id: str) -> bool:
    return con.execute("SELECT count(*) FROM sessions WHERE session_id = ?", [session_id]).fetchone()[0] > 0


def delete_session(con: duckdb.DuckDBPyConnection, session_id: str) -> None:
    """Delete every row of a session and checkpoint. The bytes stay in free blocks: `erase_session` erases."""
    if not session_exists(con, session_id):
        raise UserError("error.store.no_session", session=session_id)
    with transaction(con):
        for table in (*_SESSION_TABLES, "sessions"):
            con.execute(f"DELETE FROM {table} WHERE session_id = ?", [session_id])
        delete_notes(con, session_id)
        refresh_metrics(con, [session_id])
    con.execute("CHECKPOINT")


def erase_session(db: str | Path | None, session_id: str) -> None:
    """`spiegel delete`: the session's rows go, then the file is rewritten so no byte of its text remains."""
    from store.audio import erase as erase_audio

    with rewriting(db) as con:
        delete_session(con, session_id)
    erase_audio(db, session_id)  # its kept recording, if any (store/audio.py)
    log.info("erased session %s", session_id)
