"""The machine's times and words beside a corrected session, and rewriting its rows when a cut changed them.

Why a module of its own: a cut inside an utterance (`core.corrections.is_split`) is the one correction that
changes how many utterances a session has and where each begins and ends, so the original's times and words
must be kept beside it (`original_utterances.start_s/end_s/words`), and the current rows are then written
anew instead of updated in place. store/corrections.py calls these inside its own transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from core.records import TaggedUtterance, Word
from store.loading import load_session
from store.sessions import _insert_content


def keep_layout(con: duckdb.DuckDBPyConnection, session_id: str) -> None:
    """Copy times and words into the kept original while the current rows still have its layout (as many
    utterances: only a cut adds one); a copy made before the columns existed is filled this way too."""
    same = con.execute(
        """SELECT (SELECT count(*) FROM utterances WHERE session_id = $1)
                = (SELECT count(*) FROM original_utterances WHERE session_id = $1)""",
        [session_id],
    ).fetchone()[0]
    if not same:
        return
    con.execute(
        """UPDATE original_utterances o SET start_s = u.start_s, end_s = u.end_s, words = coalesce(
               (SELECT list({'start_s': w.start_s, 'end_s': w.end_s, 'text': w.text, 'probability': w.probability}
                       ORDER BY w.word_idx)
                FROM words w WHERE w.session_id = u.session_id AND w.utterance_idx = u.idx), [])
           FROM utterances u
           WHERE o.session_id = $1 AND u.session_id = o.session_id AND u.idx = o.idx AND o.words IS NULL""",
        [session_id],
    )


def original_times(
    con: duckdb.DuckDBPyConnection, session_id: str, snapshot: bool
) -> dict[int, tuple[float | None, float | None, tuple[Word, ...]]]:
    """idx → (start, end, words) of the machine's version (the current rows when never corrected)."""
    if snapshot:
        rows = con.execute(
            """SELECT o.idx, coalesce(o.start_s, u.start_s), coalesce(o.end_s, u.end_s), o.words
               FROM original_utterances o LEFT JOIN utterances u ON u.session_id = o.session_id AND u.idx = o.idx
               WHERE o.session_id = ?""",
            [session_id],
        ).fetchall()
        return {
            idx: (
                start,
                end,
                tuple(
                    Word(w["start_s"], w["end_s"], w["text"], w["probability"] or 1.0) for w in words or ()
                ),
            )
            for idx, start, end, words in rows
        }
    return {u.idx: (u.start_s, u.end_s, u.words) for u in load_session(con, session_id).utterances}


def rewrite(con: duckdb.DuckDBPyConnection, session_id: str, tagged: Sequence[TaggedUtterance]) -> None:
    """Write the session's utterances, tags and words anew (their number or times changed: a cut)."""
    for table in ("tags", "words", "utterances"):
        con.execute(f"DELETE FROM {table} WHERE session_id = ?", [session_id])
    _insert_content(con, [(session_id, list(tagged))])
