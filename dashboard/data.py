"""Read-only, short-lived, cached reads of the Gespreksspiegel database for the dashboard.

Every read opens the database read-only through `store.connect`, runs its queries and closes it at
once: an open DuckDB connection blocks `spiegel process` in another process (FINDINGS.md). Results are cached
with `st.cache_data`. The keys come from the store's revisions: every write of a session gives that session a
new revision number. When the file's size or mtime changes the revisions are read again (one small query);
the session list is keyed on the highest revision and the count, each session page on that session's own
revision, so storing one session invalidates the list and that session's page, never the pages of the others.
The figures themselves are stored per session at write time (`session_metrics_stored`): the list is one scan.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from core.errors import UserError
from core.taxonomy import LABELS
from dashboard.i18n import current_lang
from store import DatabaseBusy, connect, default_db_path, queries
from tagger.rules import builtin_rule_lines

ROLES = ("practitioner", "client", "all")
# Labels in the order the dashboard lists them (taxonomy.md); labels added later are appended.
LABEL_ORDER = LABELS  # taxonomy.md order, from the one table in core/taxonomy.py


class DbUnavailable(Exception):
    """The database cannot be read now: `kind` is 'missing', 'busy' or 'error'."""

    def __init__(self, kind: str, message: str = "") -> None:
        super().__init__(message or kind)
        self.kind = kind


def db_path() -> Path:
    """The database the launcher named (`SPIEGEL_DB`), else the user's default database."""
    return default_db_path().expanduser().resolve()


def db_version(path: Path) -> tuple[int, int, int, int] | None:
    """Size and mtime of the file and its WAL: the cache key part that changes when anything is written."""
    try:
        main = path.stat()
    except OSError:
        return None
    try:
        wal = path.with_name(path.name + ".wal").stat()
        wal_key = (wal.st_mtime_ns, wal.st_size)
    except OSError:
        wal_key = (0, 0)
    return (main.st_mtime_ns, main.st_size, *wal_key)


def _is_lock_error(error: BaseException) -> bool:
    # by type, not by words: the message is in the user's language
    cause = error.__cause__
    return isinstance(error, DatabaseBusy) or (
        isinstance(cause, duckdb.IOException) and "lock" in str(cause).lower()
    )


@contextlib.contextmanager
def reader(db: str, attempts: int = 4, pause_s: float = 0.4) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection, retried briefly while a writer holds the file."""
    path = Path(db)
    if not path.exists():
        raise DbUnavailable("missing", str(path))
    for attempt in range(attempts):
        stack = contextlib.ExitStack()
        try:
            con = stack.enter_context(connect(path, read_only=True, wait_s=pause_s))
        except UserError as error:
            if _is_lock_error(error) and attempt < attempts - 1:
                time.sleep(pause_s)
                continue
            if _is_lock_error(error):
                raise DbUnavailable("busy", error.message(current_lang())) from error
            if not path.exists():
                raise DbUnavailable("missing", str(path)) from error
            raise DbUnavailable("error", error.message(current_lang())) from error
        with stack:
            yield con
        return


def _current() -> tuple[str, tuple[int, ...]]:
    path = db_path()
    version = db_version(path)
    if version is None:
        raise DbUnavailable("missing", str(path))
    return str(path), version


@st.cache_data(show_spinner=False, max_entries=2)
def _revisions(db: str, version: tuple[int, ...]) -> dict[str, int] | None:
    """session id → revision, read again only when the file changed; None for a database without revisions."""
    with reader(db) as con:
        return queries.revisions(con)


def list_key() -> tuple[str, tuple[int, ...]]:
    """(database, key of the session list): changes when any session is stored, changed or erased."""
    db, version = _current()
    revisions = _revisions(db, version)
    if revisions is None:  # written before revisions existed: the file's own version is the key
        return db, version
    return db, (max(revisions.values(), default=0), len(revisions))


def session_key(session_id: str) -> tuple[str, tuple[int, ...]]:
    """(database, key of one session): changes only when that session is written."""
    db, version = _current()
    revisions = _revisions(db, version)
    if revisions is None:
        return db, version
    return db, (revisions.get(session_id, -1),)


# --------------------------------------------------------------------------------------------- sessions list
# A resource cache, not a data cache: st.cache_data would pickle the 10,000-row frame on every page (over a
# second); this hands every page the same frame, which pages only filter into new frames, never change in place.
@st.cache_resource(show_spinner=False, max_entries=2)
def _sessions(db: str, version: tuple[int, ...]) -> pd.DataFrame:
    with reader(db) as con:
        sessions = queries.sessions_overview(con).df()
        metrics = queries.metrics(con).df()
    return _with_metrics(sessions, metrics)


def _with_metrics(sessions: pd.DataFrame, metrics: pd.DataFrame) -> pd.DataFrame:
    """One row per session: metric columns suffixed by role (`talk_share__practitioner`, ...)."""
    parts = []
    for role in ROLES:
        part = metrics[metrics["role"] == role].drop(
            columns=["role", "has_times", "duration_s"], errors="ignore"
        )
        part = part.rename(columns={c: f"{c}__{role}" for c in part.columns if c != "session_id"})
        parts.append(part.set_index("session_id"))
    frame = sessions.join(pd.concat(parts, axis=1), on="session_id", how="left")
    frame["recorded_at"] = pd.to_datetime(frame["recorded_at"]).dt.date
    frame["created_at"] = pd.to_datetime(frame["created_at"])
    frame["date"] = [
        rec if rec is not None and rec == rec else (cre.date() if pd.notna(cre) else None)
        for rec, cre in zip(frame["recorded_at"], frame["created_at"], strict=True)
    ]
    frame["ratio"], frame["ratio_is_count"] = _ratios(frame)
    frame["scale_values"] = [
        _scale_values(v) for v in frame.get("scale_answers__client", pd.Series([None] * len(frame)))
    ]
    frame["warnings"] = [
        list(w) if w is not None and not isinstance(w, float) else [] for w in frame["warnings"]
    ]
    frame["sort_key"] = pd.to_datetime(pd.Series(frame["date"], dtype="object"))
    frame = frame.sort_values(["sort_key", "created_at"], ascending=[False, False], na_position="last")
    return frame.drop(columns=["sort_key"]).reset_index(drop=True)


def _ratios(frame: pd.DataFrame, role: str = "all") -> tuple[pd.Series, pd.Series]:
    """`_ratio` for every row at once (the session list has thousands of rows)."""
    missing = pd.Series([None] * len(frame), index=frame.index, dtype="float64")
    timed = frame.get(f"solution_talk_ratio__{role}", missing).astype("float64")
    counted = frame.get(f"solution_talk_ratio_count__{role}", missing).astype("float64")
    has_times = frame["has_times"].fillna(False).astype(bool)
    use_timed = has_times & timed.notna()
    value = timed.where(use_timed, counted)
    is_count = ~use_timed & (counted.notna() | ~has_times)
    return value.astype(object).where(value.notna(), None), is_count


def _ratio(row: dict[str, Any], role: str = "all") -> tuple[float | None, bool]:
    """Time-based solution-talk ratio, or the count-based one (flagged) when the session has no times."""
    timed = row.get(f"solution_talk_ratio__{role}")
    if bool(row.get("has_times")) and timed is not None and timed == timed:
        return float(timed), False
    counted = row.get(f"solution_talk_ratio_count__{role}")
    if counted is not None and counted == counted:
        return float(counted), True
    return None, not bool(row.get("has_times"))


def ratio_for(row: dict[str, Any], role: str) -> tuple[float | None, bool]:
    return _ratio(row, role)


def _scale_values(answers: Any) -> list[dict[str, Any]]:
    if answers is None or isinstance(answers, float):
        return []
    out = []
    for item in list(answers):
        if isinstance(item, dict) and item.get("value") is not None:
            out.append(
                {"idx": item.get("idx"), "value": float(item["value"]), "subtype": item.get("subtype")}
            )
    return out


def sessions() -> pd.DataFrame:
    """All sessions, newest first (recorded_at, then created_at), with metric columns per role.

    In team mode only those the logged-in member may see, filtered by the store's queries (dashboard/auth.py).
    """
    from dashboard import auth

    if auth.team_mode():
        return auth.sessions()
    db, key = list_key()
    return _sessions(db, key)


def label_columns(frame: pd.DataFrame, role: str = "all") -> list[str]:
    """Labels that have a count column, in taxonomy order."""
    prefix, suffix = "label_count_", f"__{role}"
    found = [
        c[len(prefix) : -len(suffix)] for c in frame.columns if c.startswith(prefix) and c.endswith(suffix)
    ]
    return [x for x in LABEL_ORDER if x in found] + sorted(x for x in found if x not in LABEL_ORDER)


# --------------------------------------------------------------------------------------------- one session
@dataclass(frozen=True)
class SessionView:
    """Everything the session page shows, as plain picklable values."""

    meta: dict[str, Any]
    metrics: dict[str, dict[str, Any]]
    utterances: (
        pd.DataFrame
    )  # idx, speaker, role, start_s, end_s, text, orientation, is_question, scale_value
    tags: pd.DataFrame  # utterance_idx, label, subtype, value, start_char, end_char, rule


@st.cache_data(show_spinner=False, max_entries=32)
def _session(db: str, version: tuple[int, ...], session_id: str) -> SessionView | None:
    """One session's row, figures, utterances and tags (not its word times: the page does not show them)."""
    with reader(db) as con:
        row = queries.session_row(con, session_id).df()
        if row.empty:
            return None
        metrics = queries.metrics(con, session_id).df()
        utterances = queries.session_utterances(con, session_id).df()
        tags = queries.session_tags(con, session_id).df()
    return session_view(row, metrics, utterances, tags)


def session_view(
    row: pd.DataFrame, metrics: pd.DataFrame, utterances: pd.DataFrame, tags: pd.DataFrame
) -> SessionView:
    """The page's values from the store's results (here, and for a team member in dashboard/auth.py)."""
    meta = row.iloc[0].to_dict()
    warnings = meta.get("warnings")
    meta["warnings"] = [str(w) for w in warnings] if warnings is not None else []
    recorded = meta.get("recorded_at")
    meta["recorded_at"] = (
        str(pd.Timestamp(recorded).date()) if recorded is not None and recorded == recorded else None
    )
    meta.pop("record", None)
    by_role = {r["role"]: r for r in metrics.to_dict("records")}
    return SessionView(meta=meta, metrics=by_role, utterances=utterances, tags=tags)


def session(session_id: str) -> SessionView | None:
    """One session's page values; None when unknown, or in team mode when this member may not see it."""
    from dashboard import auth

    if auth.team_mode():
        return auth.session(session_id)
    db, key = session_key(session_id)
    return _session(db, key, session_id)


# --------------------------------------------------------------------------------------------- rule notes
@st.cache_data(show_spinner=False, max_entries=4)
def _rules(lang: str) -> dict[str, dict[str, str]]:
    """Note and pattern of every built-in rule, read through the tagger (not from its files by path)."""
    rules: dict[str, dict[str, str]] = {}
    for _file, _line, obj in builtin_rule_lines(lang):
        if isinstance(obj, dict) and isinstance(obj.get("id"), str) and not obj.get("disable"):
            pattern = obj.get("pattern")
            if isinstance(pattern, list) and all(isinstance(p, str) for p in pattern):
                pattern = " | ".join(pattern)
            rules[obj["id"]] = {
                "note": str(obj.get("note") or ""),
                "pattern": pattern if isinstance(pattern, str) else "",
            }
    return rules


def rule_info(rule_id: str, lang: str) -> dict[str, str]:
    """The note and pattern of a tagging rule of the built-in rules (empty when unknown)."""
    return _rules(lang).get(rule_id, {})
