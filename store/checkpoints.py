"""Decoded chunks of a recording in progress, kept beside the database so that a killed run resumes.

Transcribing a three-hour recording takes the better part of an hour on a laptop; a crash, a closed lid or
a SIGKILL must not throw that away. The batched decoder (pipeline/batched.py) hands every finished chunk to
`Checkpoint.add`, which commits it to `<db>.partial-<sha256[:16]>.duckdb`: a small DuckDB file, encrypted
with `SPIEGEL_DB_KEY` when it is set (it holds transcript text), mode 0600. A later run of the same recording
with the same decoding options (`fingerprint`) decodes only the chunks not in it. The file is removed once
the session is stored. A checkpoint that cannot be read (another key, damaged) is ignored, never trusted.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path

import duckdb

from core.records import Segment, Word
from core.texts import user_text
from store.connection import (
    KEY_ENV,
    _create_private,
    _open,
    _private_umask,
    make_private,
    resolve_db_path,
    wal_path,
)

log = logging.getLogger(__name__)

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS chunks (fingerprint VARCHAR, start_s DOUBLE, end_s DOUBLE, segments VARCHAR)"
)


def checkpoint_path(db: str | Path | None, sha256: str) -> Path:
    path = resolve_db_path(db)
    return path.with_name(f"{path.name}.partial-{sha256[:16]}.duckdb")


def _to_json(segments: list[Segment]) -> str:
    return json.dumps(
        [
            [s.start, s.end, s.text, [[w.start, w.end, w.text, w.probability] for w in s.words]]
            for s in segments
        ]
    )


def _from_json(text: str) -> list[Segment]:
    return [
        Segment(start, end, words_text, tuple(Word(*w) for w in words))
        for start, end, words_text, words in json.loads(text)
    ]


class Checkpoint:
    """The chunks of one recording decoded so far; one connection held while the run writes."""

    def __init__(self, db: str | Path | None, sha256: str, fingerprint: str) -> None:
        self.path = checkpoint_path(db, sha256)
        self.fingerprint = fingerprint
        self._con: duckdb.DuckDBPyConnection | None = None

    def load(self) -> dict[tuple[float, float], list[Segment]]:
        """Chunks (start, end rounded to 0.01 s) → their segments, from an earlier run with the same options."""
        if not self.path.exists():
            return {}
        try:
            con = self._connection()
            rows = con.execute(
                "SELECT start_s, end_s, segments FROM chunks WHERE fingerprint = ?", [self.fingerprint]
            ).fetchall()
        except (duckdb.Error, ValueError) as error:  # another key, a damaged file: start from zero
            log.warning(user_text("log.checkpoint.unused", name=self.path.name, kind=type(error).__name__))
            self._close()
            return {}
        return {(round(a, 2), round(b, 2)): _from_json(text) for a, b, text in rows}

    def add(self, start: float, end: float, segments: list[Segment]) -> None:
        """Commit one finished chunk (durable before the next is decoded)."""
        try:
            con = self._connection()
            con.execute("DELETE FROM chunks WHERE fingerprint <> ?", [self.fingerprint])
            con.execute(
                "INSERT INTO chunks VALUES (?, ?, ?, ?)",
                [self.fingerprint, round(start, 2), round(end, 2), _to_json(segments)],
            )
            con.execute("CHECKPOINT")
        except duckdb.Error as error:  # a full disk must not stop the transcription itself
            log.warning(user_text("log.checkpoint.unwritten", kind=type(error).__name__))

    def remove(self) -> None:
        """The session is stored: the partial transcript goes."""
        self._close()
        for leftover in (self.path, wal_path(self.path)):
            leftover.unlink(missing_ok=True)

    def _connection(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            key = os.environ.get(KEY_ENV) or None
            with _private_umask():
                _create_private(self.path)
                self._con = _open(self.path, False, key)
            make_private(self.path)
            self._con.execute(_SCHEMA)
        return self._con

    def close(self) -> None:
        """The run ends (the file stays until `remove`)."""
        self._close()

    def _close(self) -> None:
        if self._con is not None:
            with contextlib.suppress(duckdb.Error):
                self._con.close()
            self._con = None
