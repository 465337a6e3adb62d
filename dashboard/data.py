"""Read-only, short-lived, cached reads of the Gespreksspiegel database for the dashboard.

Every read opens the database read-only through `store.connect`, runs its queries and closes it at
once: an open DuckDB connection blocks `spiegel process` in another process (FINDINGS.md). Results are cached
with `st.cache_data` keyed on the database path plus the size and modification time of the file and its WAL,
so a newly stored session shows up on the next page load while unchanged data is never read twice.
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
from store import connect, default_db_path, load_session, queries
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
    cause = error.__cause__
    return "in use" in str(error) or (isinstance(cause, duckdb.IOException) and "lock" in str(cause).lower())


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
                raise DbUnavailable("busy", str(error)) from error
            if not path.exists():
                raise DbUnavailable("missing", str(path)) from error
            raise DbUnavailable("error", str(error)) from error
        with stack:
            yield con
        return


def _current() -> tuple[str, tuple[int, ...]]:
    path = db_path()
    version = db_version(path)
    if version is None:
        raise DbUnavailable("missing", str(path))
    return str(path), version


# --------------------------------------------------------------------------------------------- sessions list
@st.cache_data(show_spinner=False, max_entries=8)
def _sessions(db: str, version: tuple[int, ...]) -> pd.DataFrame:
    with reader(db) as con:
        sessions = queries.sessions_overview(con).df()
        metrics = queries.metrics(con).df()
    return _with_metrics(sessions, metrics)


def _with_metrics(sessions: pd.DataFrame, metrics: pd.DataFrame) -> pd.DataFrame:
    """One row per session: metric columns suffixed by role (`talk_share__practitioner`, ...)."""
    frame = sessions.copy()
    for role in ROLES:
        part = metrics[metrics["role"] == role].drop(
            columns=["role", "has_times", "duration_s"], errors="ignore"
        )
        part = part.rename(columns={c: f"{c}__{role}" for c in part.columns if c != "session_id"})
        frame = frame.merge(part, on="session_id", how="left")
    frame["recorded_at"] = pd.to_datetime(frame["recorded_at"]).dt.date
    frame["created_at"] = pd.to_datetime(frame["created_at"])
    frame["date"] = [
        rec if rec is not None and rec == rec else (cre.date() if pd.notna(cre) else None)
        for rec, cre in zip(frame["recorded_at"], frame["created_at"], strict=True)
    ]
    frame["ratio"], frame["ratio_is_count"] = (
        zip(*(_ratio(row) for row in frame.to_dict("records")), strict=True) if len(frame) else ([], [])
    )
    frame["scale_values"] = [
        _scale_values(v) for v in frame.get("scale_answers__client", pd.Series([None] * len(frame)))
    ]
    frame["warnings"] = [
        list(w) if w is not None and not isinstance(w, float) else [] for w in frame["warnings"]
    ]
    frame["sort_key"] = pd.to_datetime(pd.Series(frame["date"], dtype="object"))
    frame = frame.sort_values(["sort_key", "created_at"], ascending=[False, False], na_position="last")
    return frame.drop(columns=["sort_key"]).reset_index(drop=True)


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
    """All sessions, newest first (recorded_at, then created_at), with metric columns per role."""
    db, version = _current()
    return _sessions(db, version)


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
    with reader(db) as con:
        row = queries.session_row(con, session_id).df()
        if row.empty:
            return None
        record = load_session(con, session_id)
        metrics = queries.metrics(con, session_id).df()
    meta = row.iloc[0].to_dict()
    warnings = meta.get("warnings")
    meta["warnings"] = [str(w) for w in warnings] if warnings is not None else []
    meta["recorded_at"] = record.recorded_at
    utterances = pd.DataFrame(
        [
            {
                "idx": u.utterance.idx,
                "speaker": u.utterance.speaker,
                "role": str(u.utterance.role),
                "start_s": u.utterance.start_s,
                "end_s": u.utterance.end_s,
                "text": u.utterance.text,
                "orientation": str(u.result.orientation),
                "is_question": u.result.is_question,
                "scale_value": u.result.scale_value,
            }
            for u in record.tagged
        ],
        columns=[
            "idx",
            "speaker",
            "role",
            "start_s",
            "end_s",
            "text",
            "orientation",
            "is_question",
            "scale_value",
        ],
    )
    tags = pd.DataFrame(
        [
            {
                "utterance_idx": u.utterance.idx,
                "label": g.label,
                "subtype": g.subtype,
                "value": g.value,
                "start_char": g.start_char,
                "end_char": g.end_char,
                "rule": g.rule,
            }
            for u in record.tagged
            for g in u.result.tags
        ],
        columns=["utterance_idx", "label", "subtype", "value", "start_char", "end_char", "rule"],
    )
    by_role = {r["role"]: r for r in metrics.to_dict("records")}
    return SessionView(meta=meta, metrics=by_role, utterances=utterances, tags=tags)


def session(session_id: str) -> SessionView | None:
    db, version = _current()
    return _session(db, version, session_id)


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
