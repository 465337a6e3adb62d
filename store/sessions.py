"""Sessions in the store: written in one transaction each, read back into records.

A session is written in a single transaction: a crash, a Ctrl-C or any error leaves the database exactly as
it was. Every SQL string about sessions, utterances, tags, words and speakers lives here as a named function.
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

from core.errors import UserError
from core.records import (
    Orientation,
    Role,
    Session,
    Tag,
    TaggedUtterance,
    TagResult,
    Utterance,
    Word,
)
from store.connection import TABLES, rewriting, transaction
from store.queries import speaker_roles

log = logging.getLogger(__name__)


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
        raise UserError(f"The date {value!r} is not a date like 2026-09-14.") from error


def _insert_content(
    con: duckdb.DuckDBPyConnection, session_id: str, utterances: Sequence[TaggedUtterance]
) -> None:
    """Utterances, tags and words of one session (the caller holds the transaction)."""
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
        )
        for t in utterances
    ]
    tag_rows = [
        (session_id, t.utterance.idx, g.label, g.subtype, g.value, g.start_char, g.end_char, g.rule)
        for t in utterances
        for g in t.result.tags
    ]
    word_rows = [
        (session_id, t.utterance.idx, i, w.start, w.end, w.text, w.probability)
        for t in utterances
        for i, w in enumerate(t.utterance.words)
    ]
    if utterance_rows:
        con.executemany("INSERT INTO utterances VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", utterance_rows)
    if tag_rows:
        con.executemany("INSERT INTO tags VALUES (?, ?, ?, ?, ?, ?, ?, ?)", tag_rows)
    if word_rows:
        con.executemany("INSERT INTO words VALUES (?, ?, ?, ?, ?, ?, ?)", word_rows)


#: The parts of `Session.to_json()` kept in `sessions.record` (the rest has columns or tables of its own).
#: Roles and their sources are in the `speakers` table; the role confidence has a column.
_RECORD_KEYS = ("audio", "asr", "speech", "diarization", "provenance")


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
    existing = find_session_by_sha(con, session.source_sha256)
    if existing:
        return existing, False
    session_id = session_id_for(session.source_sha256)
    as_json = session.to_json()
    record = {key: as_json[key] for key in _RECORD_KEYS}
    with transaction(con):
        con.execute(
            """INSERT INTO sessions (session_id, source_sha256, source_name, recorded_at, practitioner, client_code,
                   language, duration_s, asr_model, created_at, source_kind, has_times, asr_options, num_speakers,
                   role_confidence, warnings, record)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, current_timestamp, ?, ?, ?, ?, ?, ?, ?)""",
            [
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
            ],
        )
        _insert_content(con, session_id, session.tagged)
        speaker_rows = _speaker_rows(session_id, session)
        if speaker_rows:
            con.executemany("INSERT INTO speakers VALUES (?, ?, ?, ?)", speaker_rows)
    log.info("stored session %s (%d utterances)", session_id, len(session.utterances))
    return session_id, True


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
        raise UserError(f"There is no session {session_id} in this database.")
    with transaction(con):
        for table, key in (("tags", "session_id"), ("words", "session_id"), ("utterances", "session_id")):
            con.execute(f"DELETE FROM {table} WHERE {key} = ?", [session_id])
        _insert_content(con, session_id, utterances)
        if speaker_roles is not None:
            con.execute("DELETE FROM speakers WHERE session_id = ?", [session_id])
            con.executemany(
                "INSERT INTO speakers VALUES (?, ?, ?, ?)",
                [(session_id, spk, role, source) for spk, (role, source) in speaker_roles.items()],
            )
        for column, value in (session_updates or {}).items():
            if column not in {
                "role_confidence",
                "num_speakers",
                "warnings",
                "practitioner",
                "client_code",
                "recorded_at",
            }:
                raise ValueError(f"not an updatable session column: {column}")
            con.execute(f"UPDATE sessions SET {column} = ? WHERE session_id = ?", [value, session_id])


def session_exists(con: duckdb.DuckDBPyConnection, session_id: str) -> bool:
    return con.execute("SELECT count(*) FROM sessions WHERE session_id = ?", [session_id]).fetchone()[0] > 0


def delete_session(con: duckdb.DuckDBPyConnection, session_id: str) -> None:
    """Delete every row of a session and checkpoint. The bytes stay in free blocks: `erase_session` erases."""
    if not session_exists(con, session_id):
        raise UserError(f"There is no session {session_id} in this database.")
    with transaction(con):
        for table in ("tags", "words", "utterances", "speakers", "sessions"):
            con.execute(f"DELETE FROM {table} WHERE session_id = ?", [session_id])
    con.execute("CHECKPOINT")


def erase_session(db: str | Path | None, session_id: str) -> None:
    """`spiegel delete`: the session's rows go, then the file is rewritten so no byte of its text remains."""
    with rewriting(db) as con:
        delete_session(con, session_id)
    log.info("erased session %s", session_id)


def load_session(con: duckdb.DuckDBPyConnection, session_id: str) -> Session:
    """Read a stored session back into its record (for re-tagging, reports, export and the dashboard)."""
    row = con.execute(
        """SELECT source_sha256, source_name, language, CAST(recorded_at AS VARCHAR), practitioner, client_code,
                  source_kind, num_speakers, warnings, role_confidence, record
           FROM sessions WHERE session_id = ?""",
        [session_id],
    ).fetchone()
    if row is None:
        raise UserError(f"There is no session {session_id} in this database.")
    sha, name, language, recorded_at, practitioner, client_code, kind, speakers, warnings, confidence, rec = (
        row
    )
    words: dict[int, list[Word]] = {}
    for idx, start, end, text, prob in con.execute(
        "SELECT utterance_idx, start_s, end_s, text, probability FROM words WHERE session_id = ? "
        "ORDER BY utterance_idx, word_idx",
        [session_id],
    ).fetchall():
        words.setdefault(idx, []).append(Word(start, end, text, prob if prob is not None else 1.0))
    tags: dict[int, list[Tag]] = {}
    for idx, label, subtype, value, start_char, end_char, rule in con.execute(
        "SELECT utterance_idx, label, subtype, value, start_char, end_char, rule FROM tags WHERE session_id = ? "
        "ORDER BY utterance_idx, start_char, label",
        [session_id],
    ).fetchall():
        tags.setdefault(idx, []).append(Tag(label, subtype, value, start_char, end_char, rule))
    tagged = [
        TaggedUtterance(
            Utterance(idx, speaker, Role(role), text, start, end, tuple(words.get(idx, ()))),
            TagResult(Orientation(orientation), tuple(tags.get(idx, ())), bool(is_q), scale),
        )
        for idx, speaker, role, start, end, text, orientation, is_q, scale in con.execute(
            "SELECT idx, speaker, role, start_s, end_s, text, orientation, is_question, scale_value "
            "FROM utterances WHERE session_id = ? ORDER BY idx",
            [session_id],
        ).fetchall()
    ]
    record = json.loads(rec) if rec else {}
    stored_roles = speaker_roles(con, session_id)
    roles = {speaker: Role(role) for speaker, (role, _source) in stored_roles.items()}
    sources = {speaker: source for speaker, (_role, source) in stored_roles.items()}
    data = {
        "source": {"name": name, "sha256": sha, "kind": kind},
        "meta": {
            "language": language,
            "recorded_at": recorded_at,
            "practitioner": practitioner,
            "client_code": client_code,
        },
        **{key: record.get(key) for key in _RECORD_KEYS},
        "roles": {"roles": roles, "sources": sources, "confidence": confidence} if roles else None,
        "num_speakers": speakers,
        "warnings": list(warnings or []),
        "utterances": [],
    }
    session = Session.from_json(data)
    return dataclasses.replace(
        session,
        utterances=tuple(t.utterance for t in tagged),
        results=tuple(t.result for t in tagged),
    )


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row counts per table: what tests compare before and after a failed write."""
    return {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}
