"""Sessions read back from the store into their records (re-tagging, reports, export, the dashboard).

The read side of `store.sessions`, which writes them: a session's row, utterances, tags, words and speakers
become one `Session` again, equal to the one that was stored.
"""

from __future__ import annotations

import dataclasses
import json

import duckdb

from core.errors import UserError
from core.records import Orientation, Role, Session, Tag, TaggedUtterance, TagResult, Utterance, Word
from store.queries import cues_column, speaker_roles

#: The parts of `Session.to_json()` kept in `sessions.record` (the rest has columns or tables of its own).
#: Roles and their sources are in the `speakers` table; the role confidence has a column.
RECORD_KEYS = ("audio", "asr", "speech", "diarization", "provenance")


def load_session(con: duckdb.DuckDBPyConnection, session_id: str) -> Session:
    """Read a stored session back into its record (for re-tagging, reports, export and the dashboard)."""
    row = con.execute(
        """SELECT source_sha256, source_name, language, CAST(recorded_at AS VARCHAR), practitioner, client_code,
                  source_kind, num_speakers, warnings, role_confidence, record
           FROM sessions WHERE session_id = ?""",
        [session_id],
    ).fetchone()
    if row is None:
        raise UserError("error.store.no_session", session=session_id)
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
            TagResult(
                Orientation(orientation), tuple(tags.get(idx, ())), bool(is_q), scale, tuple(cues or ())
            ),
        )
        for idx, speaker, role, start, end, text, orientation, is_q, scale, cues in con.execute(
            "SELECT idx, speaker, role, start_s, end_s, text, orientation, is_question, scale_value, "
            f"{cues_column(con)} FROM utterances WHERE session_id = ? ORDER BY idx",
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
        **{key: record.get(key) for key in RECORD_KEYS},
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
