"""Corrections by hand in the store: the log, the machine's original beside it, undo, and the rebuilt session.

The first correction of a session copies its utterances, tags and speakers into `original_*`; from then on the
session's current rows are rebuilt from that original and the corrections not undone (`core.corrections.apply`)
at every change, in the change's own transaction, together with its stored figures (`refresh_metrics`). So
the figures, the dashboard, exports and reports all read the corrected version, a restart changes nothing,
and an undo is one more rebuild. The store cannot import the tagger (layers), so callers pass `retag_for`:
language → the tagger's `tag_conversation`.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable
from typing import Any

import duckdb
import pyarrow as pa

from core.corrections import (
    UTTERANCE_KINDS,
    Correction,
    Retag,
    apply,
    blocking,
    check,
    check_split,
    is_split,
    layout,
    order,
)
from core.errors import UserError
from core.records import Orientation, Role, Tag, TaggedUtterance, TagResult, Utterance
from core.splitting import parts, timing
from store.connection import transaction
from store.correction_layout import keep_layout, original_times, rewrite
from store.sessions import _TAG_SCHEMA, _bulk_insert, refresh_metrics, session_exists
from store.supervision import renumber_notes

log = logging.getLogger(__name__)

#: The tables of this module, erased with their session (store.sessions.delete_session).
TABLES = ("corrections", "original_tags", "original_utterances", "original_speakers")

RetagFor = Callable[[str], Retag]


def has_log(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the database has the corrections table: one written before it, opened read-only (the schema is
    applied on write connections only), has none, and then no session has been corrected."""
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'corrections' "
            "AND database_name = current_database()"
        ).fetchone()[0]
    )


def history(
    con: duckdb.DuckDBPyConnection, session_id: str, include_undone: bool = True
) -> list[dict[str, Any]]:
    """Every correction of a session in order: id, kind, utterance, value, author, when, undone when/by."""
    if not has_log(con):
        return []
    rows = con.execute(
        """SELECT correction_id, kind, utterance_idx, value, author, created_at, undone_at, undone_by
           FROM corrections WHERE session_id = ? AND (? OR undone_at IS NULL) ORDER BY correction_id""",
        [session_id, include_undone],
    ).fetchall()
    names = (
        "correction_id",
        "kind",
        "utterance_idx",
        "value",
        "author",
        "created_at",
        "undone_at",
        "undone_by",
    )
    out = []
    for row in rows:
        item = dict(zip(names, row, strict=True))
        item["value"] = json.loads(item["value"])
        out.append(item)
    counted = [_correction(h) for h in out if h["undone_at"] is None]
    number = {key: i for i, key in enumerate(_keys(con, session_id, counted))}
    by_id = {c.correction_id: c for c in counted}
    for item in out:
        # the stable key, and the number the utterance has now (None: a cut's part that was undone)
        item["key"] = item["utterance_idx"]
        item["utterance_idx"] = number.get(item["key"]) if item["key"] is not None else None
        standing = by_id.get(item["correction_id"])
        later = blocking(counted, standing) if standing else None
        item["blocked_by"] = later.correction_id if later else None
    return out


def _correction(item: dict[str, Any]) -> Correction:
    return Correction(
        kind=item["kind"],
        value=item["value"],
        utterance_idx=item.get("key", item["utterance_idx"]),
        author=item["author"],
        correction_id=item["correction_id"],
        created_at=item["created_at"],
    )


def active(con: duckdb.DuckDBPyConnection, session_id: str) -> list[Correction]:
    """The corrections that count (not undone), oldest first."""
    return [_correction(h) for h in history(con, session_id, include_undone=False)]


def summary(con: duckdb.DuckDBPyConnection, session_id: str) -> tuple[int, Any, str | None]:
    """(corrections that count, when the last was made, by whom): what exports and reports say."""
    if not has_log(con):
        return 0, None, None
    row = con.execute(
        """SELECT count(*), max(created_at), arg_max(author, correction_id) FROM corrections
           WHERE session_id = ? AND undone_at IS NULL""",
        [session_id],
    ).fetchone()
    return int(row[0]), row[1], row[2]


def refuse_if_corrected(con: duckdb.DuckDBPyConnection, session_id: str) -> None:
    """`spiegel roles` rewrites a session wholesale (a merge joins utterances, so their numbers change); on a
    session with corrections from the dashboard that counts would make their log point at other utterances."""
    if summary(con, session_id)[0]:
        raise UserError("error.correction.made_in_dashboard", session=session_id)


def forget_original(con: duckdb.DuckDBPyConnection, session_id: str) -> None:
    """Drop the kept original (only ever called when no correction counts): the next correction keeps the
    session as it is then, e.g. after `spiegel roles`."""
    for table in ("original_tags", "original_utterances", "original_speakers"):
        con.execute(f"DELETE FROM {table} WHERE session_id = ?", [session_id])


def _snapshot(con: duckdb.DuckDBPyConnection, session_id: str) -> None:
    """Copy the machine's version once, before its first correction (later calls change nothing)."""
    if con.execute("SELECT count(*) FROM original_utterances WHERE session_id = ?", [session_id]).fetchone()[
        0
    ]:
        keep_layout(con, session_id)  # a copy from before the times and words were kept beside it
        return
    con.execute(
        """INSERT INTO original_utterances BY NAME SELECT session_id, idx, speaker, role, text, orientation,
           is_question, scale_value, orientation_cues FROM utterances WHERE session_id = ?""",
        [session_id],
    )
    con.execute(
        "INSERT INTO original_tags SELECT session_id, utterance_idx, label, subtype, value, start_char, end_char, "
        "rule FROM tags WHERE session_id = ?",
        [session_id],
    )
    con.execute(
        "INSERT INTO original_speakers SELECT session_id, speaker, role, role_source FROM speakers "
        "WHERE session_id = ?",
        [session_id],
    )
    keep_layout(con, session_id)


def original(
    con: duckdb.DuckDBPyConnection, session_id: str
) -> tuple[list[TaggedUtterance], dict[str, tuple[str, str]]]:
    """The machine's version: its tagged utterances (with their times and words, kept beside it since a cut
    changes the current ones) and its speaker → (role, role_source); the current rows when never corrected."""
    snap = con.execute(
        "SELECT count(*) FROM original_utterances WHERE session_id = ?", [session_id]
    ).fetchone()[0]
    u_table, t_table, s_table = (
        ("original_utterances", "original_tags", "original_speakers")
        if snap
        else ("utterances", "tags", "speakers")
    )
    tags: dict[int, list[Tag]] = {}
    for idx, label, subtype, value, start_char, end_char, rule in con.execute(
        f"SELECT utterance_idx, label, subtype, value, start_char, end_char, rule FROM {t_table} "
        "WHERE session_id = ? ORDER BY utterance_idx, start_char, label",
        [session_id],
    ).fetchall():
        tags.setdefault(idx, []).append(Tag(label, subtype, value, start_char, end_char, rule))
    rows = con.execute(
        f"""SELECT idx, speaker, role, text, orientation, is_question, scale_value, orientation_cues
            FROM {u_table} WHERE session_id = ? ORDER BY idx""",
        [session_id],
    ).fetchall()
    times = original_times(con, session_id, bool(snap))
    tagged = [
        TaggedUtterance(
            Utterance(idx, speaker, Role(role), text, *times.get(idx, (None, None, ()))),
            TagResult(
                Orientation(orientation), tuple(tags.get(idx, ())), bool(is_q), scale, tuple(cues or ())
            ),
        )
        for idx, speaker, role, text, orientation, is_q, scale, cues in rows
    ]
    speakers = {
        s: (r, src)
        for s, r, src in con.execute(
            f"SELECT speaker, role, role_source FROM {s_table} WHERE session_id = ?",
            [session_id],
        ).fetchall()
    }
    return tagged, speakers


def _language(con: duckdb.DuckDBPyConnection, session_id: str) -> str:
    if not session_exists(con, session_id):
        raise UserError("error.store.no_session", session=session_id)
    return str(con.execute("SELECT language FROM sessions WHERE session_id = ?", [session_id]).fetchone()[0])


_CURRENT_SCHEMA = pa.schema(
    [
        ("idx", pa.int32()),
        ("speaker", pa.string()),
        ("role", pa.string()),
        ("text", pa.string()),
        ("orientation", pa.string()),
        ("is_question", pa.bool_()),
        ("scale_value", pa.float64()),
        ("orientation_cues", pa.list_(pa.string())),
    ]
)


def _rebuild(con: duckdb.DuckDBPyConnection, session_id: str, retag: Retag) -> None:
    """Current rows := original + active corrections; figures recomputed (the caller holds the transaction)."""
    base, speakers = original(con, session_id)
    corrections = active(con, session_id)
    roles = {s: Role(r) for s, (r, _src) in speakers.items()}
    tagged, current = apply(base, roles, corrections, retag)
    now = con.execute("SELECT count(*) FROM utterances WHERE session_id = ?", [session_id]).fetchone()[0]
    if len(tagged) != now or any(is_split(c) for c in corrections):
        rewrite(con, session_id, tagged)  # a cut stands or was just undone: new rows, times and words
    else:
        rows = [
            (
                t.utterance.idx,
                t.utterance.speaker,
                str(t.utterance.role),
                t.utterance.text,
                str(t.result.orientation),
                t.result.is_question,
                t.result.scale_value,
                list(t.result.orientation_cues),
            )
            for t in tagged
        ]
        columns = list(zip(*rows, strict=True)) if rows else [[] for _ in _CURRENT_SCHEMA]
        arrow = pa.Table.from_arrays(
            [pa.array(v, type=f.type) for v, f in zip(columns, _CURRENT_SCHEMA, strict=True)],
            schema=_CURRENT_SCHEMA,
        )
        con.register("_spiegel_current", arrow)
        try:
            con.execute(
                """UPDATE utterances SET speaker = c.speaker, role = c.role, text = c.text, orientation = c.orientation,
                       is_question = c.is_question, scale_value = c.scale_value, orientation_cues = c.orientation_cues
                   FROM _spiegel_current c WHERE utterances.session_id = ? AND utterances.idx = c.idx""",
                [session_id],
            )
        finally:
            con.unregister("_spiegel_current")
        con.execute("DELETE FROM tags WHERE session_id = ?", [session_id])
        tag_rows = [
            (session_id, t.utterance.idx, g.label, g.subtype, g.value, g.start_char, g.end_char, g.rule)
            for t in tagged
            for g in t.result.tags
        ]
        _bulk_insert(con, "tags", _TAG_SCHEMA, tag_rows)
    con.execute("DELETE FROM speakers WHERE session_id = ?", [session_id])
    con.executemany(
        "INSERT INTO speakers VALUES (?, ?, ?, ?)",
        [
            (session_id, s, role, source or speakers.get(s, (role, "auto"))[1])
            for s, (role, source) in current.items()
        ],
    )
    con.execute(
        "UPDATE sessions SET corrected_at = CASE WHEN ? THEN current_timestamp END WHERE session_id = ?",
        [bool(corrections), session_id],
    )
    refresh_metrics(con, [session_id])


def _keys(con: duckdb.DuckDBPyConnection, session_id: str, counted: list[Correction]) -> list[int]:
    """The stable key of each current utterance number (`core.corrections.order`)."""
    snap = con.execute(
        "SELECT count(*) FROM original_utterances WHERE session_id = ?", [session_id]
    ).fetchone()[0]
    table = "original_utterances" if snap else "utterances"
    ids = [
        i
        for (i,) in con.execute(
            f"SELECT idx FROM {table} WHERE session_id = ? ORDER BY idx", [session_id]
        ).fetchall()
    ]
    return order(ids, counted)


def add(con: duckdb.DuckDBPyConnection, session_id: str, correction: Correction, retag_for: RetagFor) -> int:
    """Store one correction (who/when beside the original) and rebuild the session, all in one transaction.

    `correction.utterance_idx` is the utterance's number as the page shows it now; the log keeps its stable
    key (a cut earlier in the session changes numbers, not keys), and supervision notes move with theirs. A cut gets how its times were found
    (`timing`: words or characters) beside its value. A correction that cannot apply is one sentence
    (UserError) and changes nothing. Returns its id.
    """
    retag = retag_for(_language(con, session_id))  # the tagger loads before the write begins
    base, speakers = original(con, session_id)
    current = {
        s
        for (s,) in con.execute("SELECT speaker FROM speakers WHERE session_id = ?", [session_id]).fetchall()
    }
    state = layout(base, {s: Role(r) for s, (r, _src) in speakers.items()}, active(con, session_id))
    position, value = correction.utterance_idx, dict(correction.value)
    if correction.kind in UTTERANCE_KINDS and not (
        isinstance(position, int) and 0 <= position < len(state.keys)
    ):
        raise UserError("error.correction.no_utterance", idx=position)
    key = state.keys[position] if correction.kind in UTTERANCE_KINDS else None
    keyed = dataclasses.replace(correction, utterance_idx=key, value=value)
    check(keyed, set(state.keys), current | set(speakers) | set(state.roles))
    if is_split(keyed):
        check_split(state, keyed)
        value["timing"] = timing(state.utterances[key], int(value["at"]))
        value["rest"] = parts(state.utterances[key].text, int(value["at"]))[1][:60]  # for the log's line
    with transaction(con):
        _snapshot(con, session_id)
        row = con.execute(
            """INSERT INTO corrections (session_id, utterance_idx, kind, value, author)
               VALUES (?, ?, ?, ?, ?) RETURNING correction_id""",
            [session_id, key, keyed.kind, json.dumps(value, ensure_ascii=False), keyed.author.strip()],
        ).fetchone()
        _rebuild(con, session_id, retag)
        renumber_notes(con, session_id, state.keys, _keys(con, session_id, active(con, session_id)))
    log.info("session %s: correction %d (%s) stored", session_id, row[0], correction.kind)
    return int(row[0])


def undo(
    con: duckdb.DuckDBPyConnection,
    session_id: str,
    author: str,
    retag_for: RetagFor,
    correction_id: int | None = None,
) -> int | None:
    """Take back a correction that counts (it stays in the log, marked undone by `author`): the latest, or
    the one named, which must not have a later change that counts on the same utterance or speaker (one
    sentence then, naming that change). Returns its id, or None when there is nothing to undo.
    """
    retag = retag_for(_language(con, session_id))
    counted = active(con, session_id)
    if not counted:
        return None
    target = counted[-1]
    if correction_id is not None:
        named = [c for c in counted if c.correction_id == correction_id]
        if not named:
            raise UserError("error.correction.not_standing")
        target = named[0]
        if later := blocking(counted, target):
            raise UserError(
                "error.correction.later_change", when=f"{later.created_at:%Y-%m-%d %H:%M}", who=later.author
            )
    with transaction(con):
        con.execute(
            "UPDATE corrections SET undone_at = current_timestamp, undone_by = ? WHERE correction_id = ?",
            [author.strip() or "?", target.correction_id],
        )
        before = _keys(con, session_id, counted)
        _rebuild(con, session_id, retag)
        renumber_notes(con, session_id, before, _keys(con, session_id, active(con, session_id)))
    log.info("session %s: correction %d undone", session_id, target.correction_id)
    return target.correction_id
