"""Voiceprints in the store: table `voiceprints(name, embedding FLOAT[], created_at)` from sql/schema.sql.

Names match case-insensitively; embeddings are stored as unit vectors (cosine similarity is then a dot product).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import numpy as np

from store.connection import rewriting, transaction


def save_voiceprint(con: duckdb.DuckDBPyConnection, name: str, embedding: Sequence[float]) -> None:
    """Store (or replace) the voiceprint of `name`, scaled to length 1."""
    array = np.asarray(embedding, dtype=np.float32).reshape(-1)
    vector = [float(x) for x in array / max(float(np.linalg.norm(array)), 1e-9)]
    with transaction(con):
        con.execute("DELETE FROM voiceprints WHERE lower(name) = lower(?)", [name])
        con.execute("INSERT INTO voiceprints (name, embedding) VALUES (?, ?)", [name, vector])


def load_voiceprint(con: duckdb.DuckDBPyConnection, name: str) -> np.ndarray | None:
    row = con.execute("SELECT embedding FROM voiceprints WHERE lower(name) = lower(?)", [name]).fetchone()
    return None if row is None else np.asarray(row[0], dtype=np.float32)


def list_voiceprints(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(name, created_at) of every enrolled voice, by name."""
    rows = con.execute("SELECT name, CAST(created_at AS VARCHAR) FROM voiceprints ORDER BY name").fetchall()
    return [(str(n), str(c)) for n, c in rows]


def delete_voiceprint(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Remove a voiceprint; False when there was none."""
    if load_voiceprint(con, name) is None:
        return False
    con.execute("DELETE FROM voiceprints WHERE lower(name) = lower(?)", [name])
    con.execute("CHECKPOINT")
    return True


def erase_voiceprint(db: str | Path | None, name: str) -> bool:
    """Remove a voiceprint and rewrite the file so the embedding is gone from its bytes; False when none."""
    with rewriting(db) as con:
        if not delete_voiceprint(con, name):
            return False
    return True
