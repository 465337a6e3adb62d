"""What a team member may read and write beyond the session list: corrections, kept recordings, supervision
notes, the supervision page's record, and uploads — each checked here, in the store, against `store.team`'s
role filter, so no page can read or write around it by calling the plain store functions.

Why in the store and not in the pages: a page can forget a check (the first pages of listen, correct,
supervision and upload did, as the team-mode review found); a function that takes the `Viewer` and puts the
viewer's condition in the query itself cannot. `viewer=None` is single-user mode (`spiegel dashboard` without
`--team`): every call then does exactly what the plain store function does, and nothing is audited.

In team mode a session the member may not see is "not there" (`NotVisible`, the same sentence as an unknown
id: no probing which ids exist), and an action their role does not have is `NotAllowed`. Every write by a
team member — a correction, an undo, a note, an upload — gets an audit row in the write's own transaction
(the upload's after its command stored it), with the session id and never the text.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from core.corrections import Correction
from core.errors import UserError
from core.records import Session
from store import audio as kept_audio
from store import corrections, queries, supervision
from store.connection import connect, transaction
from store.loading import load_session
from store.team import VIA_DASHBOARD, Viewer, may_see, record, record_event

#: What each role may do with a session it may see (a trainer sees none, and may do nothing here).
#: read: the session and supervision pages; listen: the kept recording; correct: corrections and undo;
#: note: write supervision notes (everyone who may read the supervision page reads them); upload: add sessions.
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "practitioner": frozenset({"read", "listen", "correct", "upload"}),
    "supervisor": frozenset({"read", "listen", "note"}),
    "trainer": frozenset(),
}


#: How long the audit row of a stored upload waits for the database (the page's reads hold it briefly).
UPLOAD_AUDIT_WAIT_S = 30.0


class NotVisible(UserError):
    """The session is not this member's to see: said exactly as for an id that does not exist."""

    def __init__(self, session_id: str) -> None:
        super().__init__("error.store.no_session", session=session_id)


class NotAllowed(UserError):
    """The member's role may not do this (e.g. a supervisor correcting, a trainer uploading)."""

    def __init__(self, action: str) -> None:
        super().__init__("error.team.not_allowed", action=action)


def may(viewer: Viewer | None, action: str) -> bool:
    """Whether the member's role has `action` at all (single-user mode: everything)."""
    return viewer is None or action in ROLE_ACTIONS.get(viewer.role, frozenset())


def check(con: duckdb.DuckDBPyConnection, viewer: Viewer | None, session_id: str, action: str) -> None:
    """Raise unless `viewer` may do `action` on this session: the role first, then the row filter."""
    if viewer is None:
        return
    if not may(viewer, action):
        # a session they cannot even see stays unseen, whatever the action
        if not may_see(con, viewer, session_id):
            raise NotVisible(session_id)
        raise NotAllowed(action)
    if not may_see(con, viewer, session_id):
        raise NotVisible(session_id)


def visible(con: duckdb.DuckDBPyConnection, viewer: Viewer | None, session_id: str) -> bool:
    """Whether the session exists and (in team mode) may be read by `viewer`."""
    exists = con.execute("SELECT count(*) FROM sessions WHERE session_id = ?", [session_id]).fetchone()[0]
    if not exists:
        return False
    return viewer is None or (may(viewer, "read") and may_see(con, viewer, session_id))


def _audit(
    con: duckdb.DuckDBPyConnection, viewer: Viewer | None, event: str, session_id: str, detail: str
) -> None:
    if viewer is not None:
        record(con, event, viewer.username, VIA_DASHBOARD, session_id, detail)


# ---------------------------------------------------------------------------------------------- reading


def session_record(con: duckdb.DuckDBPyConnection, viewer: Viewer | None, session_id: str) -> Session | None:
    """The stored session as its record (supervision page, data downloads); None when not there for them."""
    if not visible(con, viewer, session_id):
        return None
    return load_session(con, session_id)


def correction_history(con: duckdb.DuckDBPyConnection, viewer: Viewer | None, session_id: str) -> list[dict]:
    """`corrections.history` of a session the member may read; empty when it is not there for them."""
    if not visible(con, viewer, session_id):
        return []
    return corrections.history(con, session_id)


def utterance_words(
    con: duckdb.DuckDBPyConnection, viewer: Viewer | None, session_id: str, idx: int
) -> list[str]:
    """`queries.utterance_words` of a session the member may read (what a cut's times would come from)."""
    if not visible(con, viewer, session_id):
        return []
    return queries.utterance_words(con, session_id, idx)


def notes_for(
    con: duckdb.DuckDBPyConnection, viewer: Viewer | None, session_id: str
) -> dict[str, supervision.Note]:
    """The supervision notes of a session the member may read (practitioners read their supervisor's)."""
    if not visible(con, viewer, session_id):
        return {}
    return supervision.notes_for(con, session_id)


def recording(db: str | Path | None, viewer: Viewer | None, session_id: str) -> tuple[bytes, str] | None:
    """The kept recording of a session the member may listen to; None otherwise (and when none was kept).

    The check is a short read of the database before the audio file is opened at all."""
    if viewer is not None:
        with connect(db, read_only=True) as con:
            if not (may(viewer, "listen") and visible(con, viewer, session_id)):
                return None
    return kept_audio.load(db, session_id)


# ---------------------------------------------------------------------------------------------- writing


def add_correction(
    con: duckdb.DuckDBPyConnection,
    viewer: Viewer | None,
    session_id: str,
    correction: Correction,
    retag_for: corrections.RetagFor,
) -> int:
    """`corrections.add`, by a member who may correct this session; in team mode the author is the login
    (not what was typed in the author field) and the change is audited."""
    check(con, viewer, session_id, "correct")
    if viewer is not None:
        correction = Correction(correction.kind, correction.value, correction.utterance_idx, viewer.username)
    retag = retag_for(corrections._language(con, session_id))  # the tagger loads before the write begins
    with transaction(con):
        correction_id = corrections.add(con, session_id, correction, lambda _language: retag)
        _audit(con, viewer, "correction", session_id, f"{correction.kind} {correction_id}")
    return correction_id


def undo_correction(
    con: duckdb.DuckDBPyConnection,
    viewer: Viewer | None,
    session_id: str,
    author: str,
    retag_for: corrections.RetagFor,
    correction_id: int | None = None,
) -> int | None:
    """`corrections.undo` (the latest, or the one named), by a member who may correct this session; audited
    in team mode."""
    check(con, viewer, session_id, "correct")
    retag = retag_for(corrections._language(con, session_id))
    with transaction(con):
        undone = corrections.undo(
            con, session_id, viewer.username if viewer else author, lambda _l: retag, correction_id
        )
        if undone is not None:
            _audit(con, viewer, "correction", session_id, f"undo {undone}")
    return undone


def save_note(
    con: duckdb.DuckDBPyConnection,
    viewer: Viewer | None,
    session_id: str,
    moment_key: str,
    kind: str,
    utterance_idx: int,
    start_s: float | None,
    note: str,
) -> bool:
    """`supervision.save_note`, by a member who may write notes on this session; audited in team mode."""
    check(con, viewer, session_id, "note")
    with transaction(con):
        changed = supervision.save_note(con, session_id, moment_key, kind, utterance_idx, start_s, note)
        if changed:
            _audit(con, viewer, "note", session_id, f"{kind} {'saved' if note.strip() else 'removed'}")
    return changed


def upload_practitioner(viewer: Viewer | None, typed: str | None) -> str | None:
    """The practitioner name an upload is stored under: what was typed in single-user mode; in team mode the
    member's own practitioner name, whatever was typed (a practitioner adds sessions to their own list only),
    and `NotAllowed` for a role without uploads."""
    if viewer is None:
        return typed
    if not may(viewer, "upload") or not viewer.practitioner:
        raise NotAllowed("upload")
    return viewer.practitioner


def record_upload(db: str | Path | None, viewer: Viewer | None, session_id: str | None, kind: str) -> None:
    """The audit row of a team member's stored upload (the command that stored it ran in its own process)."""
    if viewer is not None:
        record_event(
            db, "upload", viewer.username, VIA_DASHBOARD, session_id, kind, wait_s=UPLOAD_AUDIT_WAIT_S
        )
