"""The DuckDB store: the connection, the schema, and every SQL statement as a named function.

Imports only `core`. Callers write `import store` and call `store.connect`, `store.save_session`,
`store.queries.metrics` ...; `store.export` writes every table to files.
"""

from store import audio, corrections, queries, supervision
from store.checkpoints import Checkpoint, checkpoint_path
from store.connection import (
    KEY_ENV,
    LOCK_TIMEOUT_ENV,
    SCHEMA_SQL,
    TABLES,
    DatabaseBusy,
    connect,
    default_db_path,
    rekey,
    resolve_db_path,
    rewriting,
    table_counts,
    transaction,
)
from store.loading import load_session
from store.pending import keep_pending, kept_instead, pending_files, save_or_keep
from store.sessions import (
    delete_session,
    erase_session,
    find_session_by_sha,
    find_sessions_by_sha,
    refresh_all_metrics,
    refresh_metrics,
    replace_content,
    save_session,
    save_sessions,
    session_exists,
    session_id_for,
)
from store.voiceprints import (
    delete_voiceprint,
    erase_voiceprint,
    list_voiceprints,
    load_voiceprint,
    save_voiceprint,
)

__all__ = [
    "KEY_ENV",
    "LOCK_TIMEOUT_ENV",
    "SCHEMA_SQL",
    "TABLES",
    "Checkpoint",
    "DatabaseBusy",
    "audio",
    "checkpoint_path",
    "connect",
    "corrections",
    "default_db_path",
    "delete_session",
    "delete_voiceprint",
    "erase_session",
    "erase_voiceprint",
    "find_session_by_sha",
    "find_sessions_by_sha",
    "keep_pending",
    "kept_instead",
    "list_voiceprints",
    "load_session",
    "load_voiceprint",
    "pending_files",
    "queries",
    "refresh_all_metrics",
    "refresh_metrics",
    "rekey",
    "replace_content",
    "resolve_db_path",
    "rewriting",
    "save_or_keep",
    "save_session",
    "save_sessions",
    "save_voiceprint",
    "session_exists",
    "session_id_for",
    "supervision",
    "table_counts",
    "transaction",
]
