"""Many recordings unattended: `spiegel process DIR --jobs N`.

The parent reads once which recordings are stored already (by SHA-256) and the practitioner's voiceprint,
then hands files to N worker processes. Each worker loads Whisper, the voice encoder and the tagger once and
keeps them for all its files, on its share of the cores (`SPIEGEL_THREADS`). Workers only compute: they
return the finished session record, and the parent alone writes, one transaction per recording as soon as it
comes back. So no two processes ever hold the database (DuckDB allows one writer), a crash or Ctrl-C loses
only the files in flight, and a rerun skips what is stored. One overall progress bar (by file size, with ETA)
replaces the per-file bars; the summary at the end says stored / skipped / failed with each reason.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import store
from core.errors import UserError
from core.texts import text, user_lang
from pipeline.audio import file_sha256
from pipeline.process import Outcome, Prior, ProcessOptions, _keep, _save, _unexpected, transcribe_recording
from pipeline.transcribe import THREADS_ENV, cpu_threads

log = logging.getLogger(__name__)


def threads_per_job(jobs: int, cores: int | None = None) -> int:
    """The cores divided among the workers, at least one thread each."""
    return max(1, (cores or cpu_threads()) // max(1, jobs))


def _stored(options: ProcessOptions) -> tuple[set[str], Prior]:
    """SHA-256 of every stored recording and the named practitioner's voiceprint: one short read."""
    db_path = store.resolve_db_path(options.db)
    if not db_path.exists():
        return set(), Prior()
    with store.connect(db_path, read_only=True) as con:
        shas = store.queries.stored_sha256s(con)
        voiceprint = store.load_voiceprint(con, options.practitioner) if options.practitioner else None
    return shas, Prior(None, voiceprint)


def _init_worker(threads: int) -> None:
    os.environ[THREADS_ENV] = str(threads)
    os.environ["OMP_NUM_THREADS"] = str(threads)
    try:
        import torch

        torch.set_num_threads(threads)
    except ImportError:  # torch is only needed for diarization
        pass


def _work(path: Path, options: ProcessOptions, stored: frozenset[str], prior: Prior) -> tuple:
    """In a worker: (sha256, session or None when stored already, error or None, seconds)."""
    started = time.perf_counter()
    try:
        sha = file_sha256(path) if path.is_file() else ""
        if sha in stored:
            return sha, None, None, time.perf_counter() - started
        session = transcribe_recording(path, options, prior)
        return sha, session, None, time.perf_counter() - started
    except UserError as error:
        return "", None, str(error), time.perf_counter() - started
    except Exception as error:  # one sentence for the user; the details at -vv
        return "", None, _unexpected(path, error, started).error, time.perf_counter() - started


class _Overall:
    """One bar over all files, measured in bytes of audio so the ETA weighs long recordings more."""

    def __init__(self, files: Sequence[Path], enabled: bool) -> None:
        self._bar = None
        if enabled:
            from tqdm import tqdm

            total = sum(p.stat().st_size for p in files if p.is_file())
            self._bar = tqdm(
                total=max(total, 1),
                desc=text("cli.progress.files", user_lang(), files=len(files)),
                unit="B",
                unit_scale=True,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| [{elapsed}<{remaining}] {postfix}",
            )

    def done(self, path: Path, counts: dict[str, int]) -> None:
        if self._bar is not None:
            self._bar.update(path.stat().st_size if path.is_file() else 0)
            self._bar.set_postfix(counts, refresh=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def process_recordings(
    files: Sequence[Path],
    options: ProcessOptions,
    jobs: int = 1,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Process every file with `jobs` workers; the parent stores each result. Outcomes in input order."""
    if jobs < 1:
        raise UserError("error.jobs")
    stored, prior = _stored(options)
    worker_options = dataclasses.replace(options, progress=False)
    bar = _Overall(files, options.progress)
    outcomes: dict[int, Outcome] = {}
    lang = user_lang()
    names = {k: text(f"cli.progress.{k}", lang) for k in ("stored", "skipped", "failed")}
    counts = dict.fromkeys(names.values(), 0)
    threads = threads_per_job(jobs)
    context = multiprocessing.get_context("spawn")  # no forked copies of loaded models or open handles
    frozen = frozenset(stored)
    try:
        with concurrent.futures.ProcessPoolExecutor(
            max_workers=min(jobs, max(1, len(files))),
            mp_context=context,
            initializer=_init_worker,
            initargs=(threads,),
        ) as pool:
            futures = {
                pool.submit(_work, path, worker_options, frozen, prior): n for n, path in enumerate(files)
            }
            for future in concurrent.futures.as_completed(futures):
                n = futures[future]
                outcome = _finish(files[n], options, future.result(), stored)
                outcomes[n] = outcome
                key = "failed" if outcome.error else ("stored" if outcome.created else "skipped")
                counts[names[key]] += 1
                bar.done(files[n], counts)
                if on_outcome is not None:
                    on_outcome(outcome)
    finally:
        bar.close()
    return [outcomes[n] for n in range(len(files))]


def _finish(path: Path, options: ProcessOptions, result: tuple, stored: set[str]) -> Outcome:
    """In the parent: store a worker's session in one transaction (the only writer)."""
    sha, session, error, seconds = result
    if error:
        return Outcome(path, None, False, error=error, seconds=seconds)
    if session is None:
        with store.connect(options.db, read_only=True) as con:
            existing = store.find_session_by_sha(con, sha)
        _keep(path, options, existing)
        return Outcome(path, existing, created=False, seconds=seconds)
    try:
        session_id, created = _save(options, session)  # a locked database keeps the session for the next run
    except UserError as write_error:
        return Outcome(path, None, False, error=str(write_error), seconds=seconds)
    stored.add(sha)
    _keep(path, options, session_id)
    return Outcome(path, session_id, created, seconds=seconds)
