"""The DuckDB connection: one file, schema applied idempotently on every write connection.

DuckDB lets one process write or many read; an open connection blocks other processes (FINDINGS.md), so
callers open a short-lived connection through `connect()` and close it at once. When another program holds
the file, `connect()` waits: it retries with back-off for up to `SPIEGEL_LOCK_TIMEOUT` seconds (default 60),
says once that it is waiting, and only then raises `DatabaseBusy`. With `SPIEGEL_DB_KEY` set the file is
encrypted at rest (AES, DuckDB's own format) through the httpfs extension's PyPI package.

The database file is readable by its user only (0600) and a data folder we create is 0700.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import time
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path

import duckdb
from platformdirs import user_data_dir

from core.errors import UserError
from core.taxonomy import LABELS, QUESTION_LABELS
from core.texts import user_text

log = logging.getLogger(__name__)


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


def default_data_dir() -> Path:
    """The user's data folder for Gespreksspiegel (database, joined model); kept at mode 0700."""
    return Path(user_data_dir("gespreksspiegel", appauthor=False))


def default_db_path() -> Path:
    """`SPIEGEL_DB`, else `gespreksspiegel.duckdb` in the user's data directory."""
    env = os.environ.get("SPIEGEL_DB")
    if env:
        return Path(env).expanduser()
    return default_data_dir() / "gespreksspiegel.duckdb"


def resolve_db_path(db: str | Path | None) -> Path:
    return Path(db).expanduser() if db else default_db_path()


KEY_ENV = "SPIEGEL_DB_KEY"
#: Seconds a command waits for another program to free the database before giving up.
LOCK_TIMEOUT_ENV = "SPIEGEL_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT_S = 60.0


class DatabaseBusy(UserError):
    """Another program held the database for longer than the lock timeout."""


def lock_timeout_s() -> float:
    """`SPIEGEL_LOCK_TIMEOUT` in seconds (0 = do not wait), default 60."""
    raw = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_LOCK_TIMEOUT_S
    try:
        value = float(raw)
    except ValueError:
        raise UserError("error.db.lock_timeout", env=LOCK_TIMEOUT_ENV, value=raw) from None
    if value < 0:
        raise UserError("error.db.lock_negative", env=LOCK_TIMEOUT_ENV)
    return value


def _quote(text: str) -> str:
    return text.replace("'", "''")


#: Name of the attached database when the file is encrypted (plain files are opened directly).
ATTACHED = "spiegel"


def _httpfs_extension() -> Path:
    """The httpfs extension file from its PyPI package: DuckDB needs it to write encrypted files, offline."""
    try:
        root = Path(str(resources.files("duckdb_extension_httpfs")))
    except ModuleNotFoundError as error:
        raise UserError("error.db.no_httpfs") from error
    found = sorted(root.rglob(f"v{duckdb.__version__}/httpfs.duckdb_extension"))
    if not found:
        raise UserError("error.db.httpfs_version", version=duckdb.__version__)
    return found[0]


def _open(path: Path, read_only: bool, key: str | None) -> duckdb.DuckDBPyConnection:
    """A plain file is opened directly; with a key it is attached encrypted (AES, DuckDB's own format)."""
    if not key:
        return duckdb.connect(str(path), read_only=read_only)
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False})
    try:
        con.execute(f"LOAD '{_httpfs_extension().as_posix()}'")
        mode = ", READ_ONLY" if read_only else ""
        con.execute(f"ATTACH '{_quote(str(path))}' AS {ATTACHED} (ENCRYPTION_KEY '{_quote(key)}'{mode})")
        con.execute(f"USE {ATTACHED}")
    except BaseException:
        con.close()
        raise
    return con


def _is_lock_error(error: BaseException) -> bool:
    """Another process holds the file, or another thread of ours has it open in the other mode (the
    dashboard writing an audit row while a page reads): both pass when that connection closes."""
    text = str(error).lower()
    if "different configuration" in text:
        return True
    return "lock" in text and ("conflicting" in text or "could not set" in text)


def _open_waiting(path: Path, read_only: bool, key: str | None, wait_s: float) -> duckdb.DuckDBPyConnection:
    """Open, retrying with back-off (50 ms doubling to 1 s) while another process holds the lock."""
    deadline = time.monotonic() + wait_s
    pause = 0.05
    said = False
    while True:
        try:
            return _open(path, read_only, key)
        except duckdb.Error as error:
            remaining = deadline - time.monotonic()
            if not _is_lock_error(error):
                raise _open_error(path, str(error), key) from error
            if remaining <= 0:
                raise DatabaseBusy("error.db.busy", name=path.name, seconds=f"{wait_s:.0f}") from error
            if not said:
                log.warning(user_text("log.db.waiting", name=path.name, seconds=f"{wait_s:.0f}"))
                said = True
            time.sleep(min(pause, remaining))
            pause = min(pause * 2, 1.0)


def _create_private(path: Path) -> None:
    """The data folder (0700) when missing, and our own default data folder always 0700; the file itself is
    created by DuckDB under umask 077. A folder the user chose with `--db` is left as the user made it."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    if path.parent == default_data_dir() and path.parent.stat().st_mode & 0o077:
        path.parent.chmod(0o700)


def make_private(path: Path) -> None:
    """Database, WAL and recovery files: readable and writable by their user only."""
    for candidate in (path, wal_path(path)):
        with contextlib.suppress(FileNotFoundError):
            if candidate.stat().st_mode & 0o077:
                candidate.chmod(0o600)


def wal_path(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


@contextlib.contextmanager
def _private_umask() -> Iterator[None]:
    """New files (database, WAL) get mode 0600 from the start, not after a chmod."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


@contextlib.contextmanager
def connect(
    db: str | Path | None = None, read_only: bool = False, wait_s: float | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the database briefly. Writers create it and apply the schema; readers never create a file.

    Waits up to `wait_s` (default `SPIEGEL_LOCK_TIMEOUT`, 60 s) while another process holds the file. Writers
    also store sessions that an earlier run could not save (`store.pending`). With `SPIEGEL_DB_KEY` set the
    file is encrypted at rest; a wrong or missing key is one sentence.
    """
    path = resolve_db_path(db)
    key = os.environ.get(KEY_ENV) or None
    if read_only and not path.exists():
        raise UserError("error.db.missing_yet", path=path)
    wait = lock_timeout_s() if wait_s is None else wait_s
    with _private_umask():
        if not read_only:
            _create_private(path)
        con = _open_waiting(path, read_only, key, wait)
        try:
            if not read_only:
                make_private(path)
                con.execute(SCHEMA_SQL)
                ensure_stored_metrics(con)
                from store.pending import absorb_pending

                absorb_pending(con, path, key)
            yield con
        finally:
            con.close()


def _open_error(path: Path, message: str, key: str | None) -> UserError:
    """Turn DuckDB's reasons for not opening a file into one sentence the user can act on."""
    lowered = message.lower()
    if "wrong encryption key" in lowered:
        return UserError("error.db.wrong_key", name=path.name, env=KEY_ENV)
    if "without a key" in lowered or ("encrypt" in lowered and not key):
        return UserError("error.db.needs_key", name=path.name, env=KEY_ENV)
    if "not encrypted" in lowered:
        return UserError("error.db.not_encrypted", name=path.name, env=KEY_ENV)
    return UserError("error.db.damaged", name=path.name)


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All statements inside commit together or not at all.

    Inside another `transaction` on the same connection it joins that one (DuckDB has no nested
    transactions): a store function that writes in its own transaction can then be wrapped by one that adds
    a row beside it (store/access.py: a correction and its audit row commit together)."""
    if id(con) in _IN_TRANSACTION:  # already in one: the outer transaction commits or rolls back
        yield con
        return
    con.begin()  # (a failed BEGIN inside a transaction would abort it: hence the set, not a try)
    _IN_TRANSACTION.add(id(con))
    try:
        yield con
    except BaseException:
        con.rollback()
        raise
    else:
        con.commit()
    finally:
        _IN_TRANSACTION.discard(id(con))


#: Connections (by id) inside a `transaction` now; each connection is used by one thread at a time.
_IN_TRANSACTION: set[int] = set()


# ------------------------------------------------------------------------------------------------ rewriting


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_SAME_KEY = object()


def rewrite_file(con: duckdb.DuckDBPyConnection, path: Path, key: object = _SAME_KEY) -> None:
    """Copy the live data into a fresh file and swap it in atomically, so no deleted byte survives.

    DuckDB keeps deleted strings in the file's free blocks even after CHECKPOINT (FINDINGS.md); only a fresh
    file holds nothing but the live rows. The fresh file is encrypted with the same key when one is set. The
    swap happens while `con` still holds the lock on the old file, so no other writer can slip in between;
    `con` must be closed right after and not used again. `key` (for `spiegel rekey`) encrypts the fresh
    file with another key, or not at all with None.
    """
    if key is _SAME_KEY:
        key = os.environ.get(KEY_ENV) or None
    if key and not os.environ.get(KEY_ENV):  # a plain connection has not loaded the extension yet
        con.execute(f"LOAD '{_httpfs_extension().as_posix()}'")
    fresh = path.with_name(f".{path.name}.{os.getpid()}.rewrite")
    for leftover in (fresh, wal_path(fresh)):
        leftover.unlink(missing_ok=True)
    source = con.execute("SELECT current_database()").fetchone()[0]
    options = f" (ENCRYPTION_KEY '{_quote(str(key))}')" if key else ""
    con.execute("CHECKPOINT")
    try:
        with _private_umask():
            con.execute(f"ATTACH '{_quote(str(fresh))}' AS spiegel_fresh{options}")
            try:
                con.execute(f'COPY FROM DATABASE "{source}" TO spiegel_fresh')
            finally:
                con.execute("DETACH spiegel_fresh")
        _fsync(fresh)
        fresh.replace(path)
        wal_path(path).unlink(missing_ok=True)  # checkpointed above: an old WAL holds nothing live
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    finally:
        for leftover in (fresh, wal_path(fresh)):
            leftover.unlink(missing_ok=True)


@contextlib.contextmanager
def rewriting(db: str | Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A write connection to an existing database whose changes end with the file rewritten (erasure).

    Never creates a database: a missing file is one sentence.
    """
    path = resolve_db_path(db)
    if not path.exists():
        raise UserError("error.db.nothing_to_delete", path=path)
    with connect(path) as con:
        yield con
        rewrite_file(con, path)


def rekey(db: str | Path | None, new_key: str | None) -> Path:
    """`spiegel rekey`: the database rewritten under `new_key` (None: unencrypted), swapped in atomically.

    The current key comes from `SPIEGEL_DB_KEY` as for every command; recovery files are stored first.
    """
    path = resolve_db_path(db)
    if not path.exists():
        raise UserError("error.db.missing", path=path)
    with connect(path) as con:
        rewrite_file(con, path, key=new_key)
    from store.audio import rekey as rekey_audio  # the kept recordings move to the new key too

    rekey_audio(path, new_key)
    return path


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row counts per table: what tests compare before and after a failed write."""
    return {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}
