"""Sessions in the store: written in one transaction each, read back into records.

A session is written in a single transaction: a crash, a Ctrl-C or any error leaves the database exactly as
it was. Every SQL string about sessions, utterances, tags, words and speakers lives here as a named function.
"""

from __future__ import annotations

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
    SessionMeta,
    Tag,
    TaggedUtterance,
    TagResult,
    Transcript,
    Utterance,
    Word,
)
from store.connection import TABLES, rewriting, transaction

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


def _speaker_rows(
    session_id: str, utterances: Sequence[TaggedUtterance], source: str
) -> list[tuple[str, str, str, str]]:
    roles: dict[str, str] = {}
    for t in utterances:
        roles.setdefault(t.utterance.speaker, str(t.utterance.role))
    return [(session_id, speaker, role, source) for speaker, role in roles.items()]


def save_transcript(
    con: duckdb.DuckDBPyConnection, transcript: Transcript, role_source: str = "auto"
) -> tuple[str, bool]:
    """Store a whole session in one transaction; returns (session_id, created).

    A recording already stored (same SHA-256) is not stored again: its id comes back with created=False.
    """
    meta = transcript.meta
    existing = find_session_by_sha(con, meta.source_sha256)
    if existing:
        return existing, False
    session_id = session_id_for(meta.source_sha256)
    has_times = any(t.utterance.start_s is not None for t in transcript.utterances)
    with transaction(con):
        con.execute(
            """INSERT INTO sessions (session_id, source_sha256, source_name, recorded_at, practitioner, client_code,
                   language, duration_s, asr_model, created_at, source_kind, has_times, asr_options, num_speakers,
                   role_confidence, warnings)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, current_timestamp, ?, ?, ?, ?, ?, ?)""",
            [
                session_id,
                meta.source_sha256,
                meta.source_name,
                _parse_date(meta.recorded_at),
                meta.practitioner,
                meta.client_code,
                meta.language,
                meta.duration_s,
                meta.asr_model,
                meta.source_kind,
                has_times,
                json.dumps(meta.asr_options),
                meta.num_speakers,
                meta.role_confidence,
                list(meta.warnings),
            ],
        )
        _insert_content(con, session_id, transcript.utterances)
        speaker_rows = _speaker_rows(session_id, transcript.utterances, role_source)
        if speaker_rows:
            con.executemany("INSERT INTO speakers VALUES (?, ?, ?, ?)", speaker_rows)
    log.info("stored session %s (%d utterances)", session_id, len(transcript.utterances))
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


def load_transcript(con: duckdb.DuckDBPyConnection, session_id: str) -> Transcript:
    """Read a stored session back into records (for re-tagging, reports and export)."""
    row = con.execute(
        """SELECT source_sha256, source_name, language, duration_s, asr_model, CAST(recorded_at AS VARCHAR),
                  practitioner, client_code, source_kind, role_confidence, num_speakers, warnings, asr_options
           FROM sessions WHERE session_id = ?""",
        [session_id],
    ).fetchone()
    if row is None:
        raise UserError(f"There is no session {session_id} in this database.")
    meta = SessionMeta(
        source_sha256=row[0],
        source_name=row[1],
        language=row[2],
        duration_s=row[3],
        asr_model=row[4],
        recorded_at=row[5],
        practitioner=row[6],
        client_code=row[7],
        source_kind=row[8],
        role_confidence=row[9],
        num_speakers=row[10],
        warnings=list(row[11] or []),
        asr_options=json.loads(row[12]) if row[12] else {},
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
    utterances = [
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
    return Transcript(meta, utterances)


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row counts per table: what tests compare before and after a failed write."""
    return {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}
