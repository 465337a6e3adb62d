"""The DuckDB store: the connection, the schema, and every SQL statement as a named function.

Imports only `core`. Callers write `import store` and call `store.connect`, `store.save_session`,
`store.queries.metrics` ...; `store.export` writes every table to files.
"""

from store import queries
from store.connection import (
    KEY_ENV,
    SCHEMA_SQL,
    TABLES,
    connect,
    default_db_path,
    resolve_db_path,
    transaction,
)
from store.sessions import (
    delete_session,
    find_session_by_sha,
    find_sessions_by_sha,
    load_session,
    refresh_all_metrics,
    refresh_metrics,
    replace_content,
    save_session,
    save_sessions,
    session_exists,
    session_id_for,
    table_counts,
)
from store.voiceprints import delete_voiceprint, list_voiceprints, load_voiceprint, save_voiceprint

__all__ = [
    "KEY_ENV",
    "SCHEMA_SQL",
    "TABLES",
    "connect",
    "default_db_path",
    "delete_session",
    "delete_voiceprint",
    "find_session_by_sha",
    "find_sessions_by_sha",
    "list_voiceprints",
    "load_session",
    "load_voiceprint",
    "queries",
    "refresh_all_metrics",
    "refresh_metrics",
    "replace_content",
    "resolve_db_path",
    "save_session",
    "save_sessions",
    "save_voiceprint",
    "session_exists",
    "session_id_for",
    "table_counts",
    "transaction",
]
