"""Supervision notes: a supervisor's note per moment of a session (table `supervision_notes`, schema.sql's
last block). Every SQL string about notes is here; the dashboard page writes through `save_note`, the report
reads through `notes_for`.

A note is a few sentences a supervisor types about a moment; it is as private as the transcript, so it is
never logged, and `spiegel delete` removes it with the session (`delete_notes`, called by `delete_session`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import duckdb

from core.errors import UserError
from store.connection import transaction

log = logging.getLogger(__name__)

#: The longest note kept: a note is a remark for the supervision meeting, not a document.
MAX_NOTE_CHARS = 4000


@dataclass(frozen=True)
class Note:
    """One stored note, with where its moment was when the note was written."""

    moment_key: str
    kind: str
    utterance_idx: int
    start_s: float | None
    note: str


def notes_for(con: duckdb.DuckDBPyConnection, session_id: str) -> dict[str, Note]:
    """moment key → note of one session; empty for a database written before notes existed (read-only
    connections cannot add the table, and such a database simply has no notes)."""
    try:
        rows = con.execute(
            """SELECT moment_key, kind, utterance_idx, start_s, note FROM supervision_notes
               WHERE session_id = ? ORDER BY utterance_idx, moment_key""",
            [session_id],
        ).fetchall()
    except duckdb.CatalogException:
        return {}
    return {row[0]: Note(row[0], row[1], int(row[2]), row[3], row[4]) for row in rows}


def save_note(
    con: duckdb.DuckDBPyConnection,
    session_id: str,
    moment_key: str,
    kind: str,
    utterance_idx: int,
    start_s: float | None,
    note: str,
) -> bool:
    """Store (or replace) the note on one moment; an empty note removes it. True when something changed."""
    text = note.strip()
    if len(text) > MAX_NOTE_CHARS:
        raise UserError("error.note.too_long", most=MAX_NOTE_CHARS)
    exists = con.execute("SELECT count(*) FROM sessions WHERE session_id = ?", [session_id]).fetchone()[0]
    if not exists:
        raise UserError("error.store.no_session", session=session_id)
    before = notes_for(con, session_id).get(moment_key)
    if (before.note if before else "") == text:
        return False
    with transaction(con):
        if text:
            con.execute(
                """INSERT OR REPLACE INTO supervision_notes
                   (session_id, moment_key, kind, utterance_idx, start_s, note, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, current_timestamp)""",
                [session_id, moment_key, kind, utterance_idx, start_s, text],
            )
        else:
            con.execute(
                "DELETE FROM supervision_notes WHERE session_id = ? AND moment_key = ?",
                [session_id, moment_key],
            )
    log.info("supervision note %s on session %s", "saved" if text else "removed", session_id)
    return True


def delete_notes(con: duckdb.DuckDBPyConnection, session_id: str) -> None:
    """Every note of a session (inside the caller's transaction: part of erasing the session)."""
    con.execute("DELETE FROM supervision_notes WHERE session_id = ?", [session_id])


def renumber_notes(
    con: duckdb.DuckDBPyConnection, session_id: str, before: list[int], after: list[int]
) -> None:
    """Keep each note on its utterance when a cut (or undoing one) renumbers the utterances after it.

    `before` and `after` are the stable utterance keys in page order (`store.corrections`); a note's
    `utterance_idx` and the number in its moment key move with its key. A note on a part that no longer
    exists (a cut undone) moves to the utterance it was cut from; two notes that land on one moment are
    joined, so no note is lost. Runs inside the caller's transaction.
    """
    if before == after:
        return
    try:
        rows = con.execute(
            """SELECT moment_key, kind, utterance_idx, start_s, note, updated_at FROM supervision_notes
               WHERE session_id = ? ORDER BY updated_at, moment_key""",
            [session_id],
        ).fetchall()
    except duckdb.CatalogException:
        return
    if not rows:
        return
    where = {key: i for i, key in enumerate(after)}
    moved: dict[str, list] = {}
    for moment_key, kind, idx, start_s, note, updated_at in rows:
        new_idx = idx
        if 0 <= idx < len(before):
            back = next((k for k in reversed(before[: idx + 1]) if k in where), None)
            new_idx = where[back] if back is not None else idx
        name, _, number = moment_key.rpartition(":")
        new_key = (
            f"{name}:{new_idx}"
            if name and number.lstrip("-").isdigit() and int(number) == idx
            else moment_key
        )
        if new_key in moved:
            moved[new_key][4] += "\n\n" + note
            continue
        moved[new_key] = [new_key, kind, new_idx, start_s, note, updated_at]
    con.execute("DELETE FROM supervision_notes WHERE session_id = ?", [session_id])
    con.executemany(
        """INSERT INTO supervision_notes (session_id, moment_key, kind, utterance_idx, start_s, note, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        [[session_id, *row] for row in moved.values()],
    )
