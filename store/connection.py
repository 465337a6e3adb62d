"""The DuckDB connection: one file, schema applied idempotently on every write connection.

DuckDB lets one process write or many read; an open connection blocks other processes (FINDINGS.md), so
callers open a short-lived connection through `connect()` and close it at once. With `SPIEGEL_DB_KEY` set the
file is encrypted at rest (AES, DuckDB's own format) through the httpfs extension's PyPI package.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path

import duckdb
from platformdirs import user_data_dir

from core.errors import UserError
from core.taxonomy import LABELS, QUESTION_LABELS


def render_schema(template: str, labels: Sequence[str] = LABELS) -> str:
    """schema.sql with its label lists (`/*@name@*/`) filled in from the taxonomy: a column per label."""
    parts = {
        "question_labels": ", ".join(f"'{label}'" for label in labels if label in QUESTION_LABELS),
        "label_counts": ",\n        ".join(
            f"count(*) FILTER (WHERE g.label = '{label}') AS label_count_{label}" for label in labels
        ),
        "label_count_columns": ",\n    ".join(
            f"coalesce(lc.label_count_{label}, 0) AS label_count_{label}" for label in labels
        ),
        "label_rate_columns": ",\n    ".join(
            f"coalesce(lc.label_count_{label}, 0) * 600.0 / nullif(r.duration_s, 0) AS label_rate_{label}"
            for label in labels
        ),
        "label_count_names": ", ".join(f"label_count_{label}" for label in labels),
    }
    for name, sql in parts.items():
        marker = f"/*@{name}@*/"
        if marker not in template:
            raise ValueError(f"schema.sql lacks the marker {marker}")
        template = template.replace(marker, sql)
    return template


SCHEMA_SQL = render_schema(resources.files("store").joinpath("sql/schema.sql").read_text(encoding="utf-8"))
TABLES = ("sessions", "utterances", "tags", "words", "speakers", "voiceprints")
#: Fingerprint of the metric definitions: when schema.sql or the taxonomy changes, stored figures are rebuilt.
METRICS_VERSION = hashlib.sha256(SCHEMA_SQL.encode("utf-8")).hexdigest()[:16]


def ensure_stored_metrics(con: duckdb.DuckDBPyConnection) -> None:
    """Create `session_metrics_stored` (and fill it for every session) when it is missing or outdated.

    A database written before the figures were stored, or with other metric definitions, is brought up to
    date once, on its first write connection; after that each write refreshes only its own session.
    """
    row = con.execute("SELECT value FROM schema_info WHERE key = 'metrics_version'").fetchone()
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'session_metrics_stored' "
        "AND database_name = current_database()"
    ).fetchone()[0]
    if exists and row is not None and row[0] == METRICS_VERSION:
        return
    with transaction(con):
        con.execute("DROP VIEW IF EXISTS session_metrics")
        con.execute("DROP TABLE IF EXISTS session_metrics_stored")
        con.execute("CREATE TABLE session_metrics_stored AS SELECT * FROM session_metrics_of(NULL)")
        con.execute("CREATE VIEW session_metrics AS SELECT * FROM session_metrics_stored")
        con.execute(
            "INSERT INTO session_revisions SELECT session_id, nextval('session_revision_seq') FROM sessions "
            "WHERE session_id NOT IN (SELECT session_id FROM session_revisions)"
        )
        con.execute("INSERT OR REPLACE INTO schema_info VALUES ('metrics_version', ?)", [METRICS_VERSION])


def default_db_path() -> Path:
    """`SPIEGEL_DB`, else `gespreksspiegel.duckdb` in the user's data directory."""
    env = os.environ.get("SPIEGEL_DB")
    if env:
        return Path(env).expanduser()
    return Path(user_data_dir("gespreksspiegel", appauthor=False)) / "gespreksspiegel.duckdb"


def resolve_db_path(db: str | Path | None) -> Path:
    return Path(db).expanduser() if db else default_db_path()


KEY_ENV = "SPIEGEL_DB_KEY"
#: Name of the attached database when the file is encrypted (plain files are opened directly).
ATTACHED = "spiegel"


def _httpfs_extension() -> Path:
    """The httpfs extension file from its PyPI package: DuckDB needs it to write encrypted files, offline."""
    try:
        root = Path(str(resources.files("duckdb_extension_httpfs")))
    except ModuleNotFoundError as error:
        raise UserError(
            "An encrypted database needs the package duckdb-extension-httpfs; run the setup command again."
        ) from error
    found = sorted(root.rglob(f"v{duckdb.__version__}/httpfs.duckdb_extension"))
    if not found:
        raise UserError(f"The installed duckdb-extension-httpfs does not match DuckDB {duckdb.__version__}.")
    return found[0]


def _open(path: Path, read_only: bool, key: str | None) -> duckdb.DuckDBPyConnection:
    """A plain file is opened directly; with a key it is attached encrypted (AES, DuckDB's own format)."""
    if not key:
        return duckdb.connect(str(path), read_only=read_only)
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False})
    try:
        con.execute(f"LOAD '{_httpfs_extension().as_posix()}'")
        quoted_path = str(path).replace("'", "''")
        quoted_key = key.replace("'", "''")
        mode = ", READ_ONLY" if read_only else ""
        con.execute(f"ATTACH '{quoted_path}' AS {ATTACHED} (ENCRYPTION_KEY '{quoted_key}'{mode})")
        con.execute(f"USE {ATTACHED}")
    except BaseException:
        con.close()
        raise
    return con


@contextlib.contextmanager
def connect(db: str | Path | None = None, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the database briefly. Writers create it and apply the schema; readers never create a file.

    With `SPIEGEL_DB_KEY` set the file is encrypted at rest; a wrong or missing key is one sentence.
    """
    path = resolve_db_path(db)
    key = os.environ.get(KEY_ENV) or None
    if read_only and not path.exists():
        raise UserError(f"The database {path} does not exist yet; process or import a recording first.")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = _open(path, read_only, key)
    except UserError:
        raise
    except duckdb.Error as error:
        raise UserError(_open_error(path, str(error), key)) from error
    try:
        if not read_only:
            con.execute(SCHEMA_SQL)
            ensure_stored_metrics(con)
        yield con
    finally:
        con.close()


def _open_error(path: Path, message: str, key: str | None) -> str:
    """Turn DuckDB's reasons for not opening a file into one sentence the user can act on."""
    lowered = message.lower()
    if "lock" in lowered:
        return (
            f"The database {path.name} is in use by another Gespreksspiegel program; close it and try again."
        )
    if "wrong encryption key" in lowered:
        return f"The database {path.name} could not be opened: the key in {KEY_ENV} is wrong."
    if "without a key" in lowered or ("encrypt" in lowered and not key):
        return f"The database {path.name} is encrypted; set {KEY_ENV} to its key."
    if "not encrypted" in lowered:
        return f"The database {path.name} is not encrypted; unset {KEY_ENV} to open it."
    return f"The database {path.name} could not be opened; it may be damaged or not a database."


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All statements inside commit together or not at all."""
    con.begin()
    try:
        yield con
    except BaseException:
        con.rollback()
        raise
    con.commit()
