"""Transcripts in batches: `spiegel import FILES_OR_FOLDERS`.

One run opens one write connection (at its first write: the schema is checked and recovery files are stored
once, not per batch) and keeps it to the end. Per batch of files: one query for
which are stored already (by SHA-256), then parsing and tagging (the tagger is built once per run, spaCy
analyses each utterance once), then one write transaction for the whole batch with the rows inserted as
Arrow tables (`store.save_sessions`). A batch's outcomes are handed out only after its commit, so whatever
is reported stored is stored, whatever happens to the batches after it.

With `jobs` > 1 the parsing and tagging of a batch's files runs in that many worker processes (spawned once
per run, each loading the tagger once); the parent alone reads and writes the database, as before. Tagging is
most of an import's CPU time, so on two cores two workers nearly halve a large folder's wall time; for a few
files the workers' start-up (the tagger, a few seconds each) costs more than it saves.

Bench (bench/bench_import.py, RESULTS.md "Importing transcripts"): per-file connections, a schema run per
write, row-by-row inserts, spaCy twice per utterance and torch loaded at start-up made imports slower than
the tagger itself.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import multiprocessing
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType

import duckdb

import store
from core.errors import UserError
from core.records import Provenance, Session
from core.texts import user_text
from pipeline import stages
from pipeline.audio import check_readable, file_sha256
from pipeline.importers import check_transcript_size, read_transcript
from pipeline.process import (
    Outcome,
    ProcessOptions,
    _unexpected,
    resume_session,
    session_record_in,
    transcript_from_file,
)

log = logging.getLogger(__name__)

#: Transcripts tagged and stored per write transaction: the memory held at once, and what a crash can cost.
IMPORT_BATCH = 50


class _Writer:
    """A batch's write connection, opened when the batch writes and released when it has committed.

    The duplicate check before that reads through a short read-only connection, so the database is held
    only while a batch writes (a second or so for 50 transcripts): the dashboard, which cannot open a file
    another process holds for writing, reads again between batches instead of being locked out for the
    whole run. While another program holds the database past the lock timeout, `connection` raises
    `DatabaseBusy`; the next batch tries again (the lock may be free by then)."""

    def __init__(self, db: Path | None) -> None:
        self.db = db
        self._stack = contextlib.ExitStack()
        self._con: duckdb.DuckDBPyConnection | None = None

    def connection(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            self._con = self._stack.enter_context(store.connect(self.db))
        return self._con

    def stored(self, sha256s: Sequence[str]) -> dict[str, str]:
        """sha256 → session id of the files stored already (the open connection, else a short read)."""
        if self._con is not None:
            return store.find_sessions_by_sha(self._con, sha256s)
        if not store.resolve_db_path(self.db).exists():
            return {}
        try:
            with store.connect(self.db, read_only=True, wait_s=5.0) as con:
                return store.find_sessions_by_sha(con, sha256s)
        except store.DatabaseBusy:  # a long writer: the duplicate check is repeated when saving
            log.warning(user_text("log.db.busy_stored"))
            return {}

    def release(self) -> None:
        """Close the write connection (after a batch committed); the next write opens a new one."""
        self._stack.close()
        self._stack = contextlib.ExitStack()
        self._con = None

    def __enter__(self) -> _Writer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stack.close()


def import_transcripts(
    paths: Sequence[Path], options: ProcessOptions, batch: int = IMPORT_BATCH, jobs: int = 1
) -> list[Outcome]:
    """Import transcripts in batches; one outcome per path, in order (see `import_batches`)."""
    return [outcome for outcomes in import_batches(paths, options, batch, jobs) for outcome in outcomes]


def import_batches(
    paths: Sequence[Path], options: ProcessOptions, batch: int = IMPORT_BATCH, jobs: int = 1
) -> Iterator[list[Outcome]]:
    """The outcomes of each batch of `paths`, in order, each list handed out once its batch is committed.

    A batch is stored in one transaction; when that write fails, its sessions are stored one by one, so one
    bad session never costs the others. The provenance (library versions, rule-file hashes) is the same for
    every file of a run and is computed once. `jobs` > 1: the files are parsed and tagged by that many worker
    processes (never more than there are files).
    """
    if jobs < 1:
        raise UserError("error.jobs")
    provenance = stages.provenance(None, options.patterns)
    with contextlib.ExitStack() as stack:
        tag: _TagMany = _tag_here
        workers = min(jobs, len(paths))
        if workers > 1:
            pool = stack.enter_context(
                concurrent.futures.ProcessPoolExecutor(
                    max_workers=workers,
                    mp_context=multiprocessing.get_context("spawn"),  # no forked database handles
                )
            )
            tag = _pooled(pool)
        writer = stack.enter_context(_Writer(options.db))
        for first in range(0, len(paths), batch):
            outcomes = _import_batch(paths[first : first + batch], options, writer, provenance, tag)
            writer.release()
            yield outcomes


#: One file to parse and tag: (path, its session record when it is the project's JSON, its SHA-256).
_Job = tuple[Path, Session | None, str]
#: What became of it: the session, or the one sentence for the user.
_Tagged = tuple[Session | None, str | None]
_TagMany = Callable[[Sequence[_Job], ProcessOptions, Provenance], list[_Tagged]]


def _tag_one(job: _Job, options: ProcessOptions, provenance: Provenance) -> _Tagged:
    """Parse and tag one transcript (in this process or a worker): never raises."""
    path, record, sha = job
    started = time.perf_counter()
    try:
        session = (
            resume_session(record, options, provenance)
            if record
            else transcript_from_file(path, options, sha256=sha, provenance=provenance)
        )
        return session, None
    except UserError as error:
        return None, str(error)
    except Exception as error:
        return None, _unexpected(path, error, started).error


def _tag_here(jobs: Sequence[_Job], options: ProcessOptions, provenance: Provenance) -> list[_Tagged]:
    return [_tag_one(job, options, provenance) for job in jobs]


def _pooled(pool: concurrent.futures.Executor) -> _TagMany:
    def tag(jobs: Sequence[_Job], options: ProcessOptions, provenance: Provenance) -> list[_Tagged]:
        n = len(jobs)
        return list(pool.map(_tag_one, jobs, [options] * n, [provenance] * n))

    return tag


def _source_sha(path: Path) -> tuple[Session | None, str]:
    record = session_record_in(path)
    return record, record.source_sha256 if record else file_sha256(path)


def _import_batch(
    paths: Sequence[Path],
    options: ProcessOptions,
    writer: _Writer,
    provenance: Provenance,
    tag: _TagMany = _tag_here,
) -> list[Outcome]:
    outcomes: dict[int, Outcome] = {}
    started: dict[int, float] = {}
    pending: list[tuple[int, Path, Session | None, str]] = []
    for n, path in enumerate(paths):
        started[n] = time.perf_counter()
        try:
            if path.is_file():
                check_readable(path)
                check_transcript_size(path)
                record, sha = _source_sha(path)
                pending.append((n, path, record, sha))
            else:
                read_transcript(path)  # names the problem (missing, a folder) in one sentence
        except UserError as error:
            outcomes[n] = Outcome(path, None, False, error=str(error))
        except Exception as error:
            outcomes[n] = _unexpected(path, error, started[n])
    known = writer.stored([sha for *_, sha in pending]) if pending else {}
    todo = []
    for n, path, record, sha in pending:
        if sha in known:
            outcomes[n] = Outcome(path, known[sha], created=False, seconds=time.perf_counter() - started[n])
        else:
            todo.append((n, (path, record, sha)))
    ready: list[tuple[int, Path, Session]] = []
    for (n, (path, _, _)), (session, error) in zip(
        todo, tag([job for _, job in todo], options, provenance), strict=True
    ):
        if session is not None:
            ready.append((n, path, session))
        else:
            outcomes[n] = Outcome(path, None, False, error=error, seconds=time.perf_counter() - started[n])
    for n, outcome in _store(ready, options, writer, started).items():
        outcomes[n] = outcome
    return [outcomes[n] for n in range(len(paths))]


def _store(
    ready: Sequence[tuple[int, Path, Session]],
    options: ProcessOptions,
    writer: _Writer,
    started: dict[int, float],
) -> dict[int, Outcome]:
    """Write a batch's sessions in one transaction; if that fails, each on its own (its error is its own).

    A database still locked past the timeout keeps each session in a recovery file (`store.kept_instead`)."""
    if not ready:
        return {}
    sessions = [session for _, _, session in ready]
    try:
        con = writer.connection()
    except store.DatabaseBusy as busy:
        return {n: _kept(path, options, session, busy, started[n]) for n, path, session in ready}
    try:
        saved: list[tuple[str, bool] | Exception] = list(store.save_sessions(con, sessions))
    except Exception as error:  # one session spoils the batch: store them one by one
        log.debug("batch write failed, storing one by one", exc_info=error)
        saved = [_save_one(con, session) for session in sessions]
    outcomes: dict[int, Outcome] = {}
    for (n, path, session), result in zip(ready, saved, strict=True):
        if isinstance(result, UserError):  # e.g. a date in the file that is no date: named with its file
            error = UserError("error.import.not_stored", name=path.name, error=result)
            outcomes[n] = Outcome(path, None, False, error=str(error))
        elif isinstance(result, Exception):
            outcomes[n] = _unexpected(path, result, started[n])
        else:
            session_id, created = result
            store.Checkpoint(options.db, session.source_sha256, "").remove()  # a partial transcript, if any
            outcomes[n] = Outcome(path, session_id, created, seconds=time.perf_counter() - started[n])
    return outcomes


def _save_one(con: duckdb.DuckDBPyConnection, session: Session) -> tuple[str, bool] | Exception:
    try:
        return store.save_session(con, session)
    except Exception as error:
        return error


def _kept(path: Path, options: ProcessOptions, session: Session, busy: UserError, started: float) -> Outcome:
    try:
        return Outcome(path, None, False, error=str(store.kept_instead(options.db, session, busy)))
    except Exception as error:
        return _unexpected(path, error, started)
