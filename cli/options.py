"""Options checked before any work: argparse types that refuse a bad value in one line, exit status 2.

Before, `--speakers 0` ended in "processing failed unexpectedly (ValueError)" after the whole transcription,
`--recorded-at notadate` was refused only after it (exit 1), and `--db /nonexistent/dir/x.duckdb` created
the folders. Each check here runs while the command line is parsed, before a file is opened.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import NoReturn

from cli.lang import t


class Parser(argparse.ArgumentParser):
    """argparse with a usage error in one line (exit 2), naming the command and where help is."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, t("cli.usage_error", prog=self.prog, message=message) + "\n")


MAX_SPEAKERS = 8


def speaker_count(text: str) -> int:
    """`--speakers`: 1–8 (diarization is built and tested for a counsellor with up to a family of seven)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_SPEAKERS:
        raise argparse.ArgumentTypeError(t("cli.option.speakers", most=MAX_SPEAKERS, value=text))
    return value


def session_date(text: str) -> str:
    """`--recorded-at`: a real calendar date, YYYY-MM-DD (optionally with a time after it)."""
    import datetime as dt

    try:
        return dt.date.fromisoformat(text[:10]).isoformat()
    except ValueError as error:
        reason = t("cli.option.no_such_day" if "range" in str(error) else "cli.option.date_order")
        raise argparse.ArgumentTypeError(t("cli.option.date", value=text, reason=reason)) from None


def _path_in_existing_folder(text: str, want_folder: bool, what: str) -> Path:
    """A path whose folder exists; a folder where a file is wanted (or the reverse) is refused."""
    path = Path(text).expanduser()
    if want_folder and path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(t("cli.option.file_not_folder", path=text))
    if not want_folder and path.is_dir():
        raise argparse.ArgumentTypeError(t("cli.option.folder_not_file", path=text, what=t(what)))
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(t("cli.option.no_folder", folder=path.parent))
    return path


def db_file(text: str) -> Path:
    """`--db`: the folder must exist (we create the file, never a tree of folders from a typo)."""
    return _path_in_existing_folder(text, want_folder=False, what="cli.option.what_db")


def positive_hours(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(t("cli.option.hours", value=text))
    return value


def new_output_folder(text: str) -> Path:
    """`export --out`: a folder (made if missing), never an existing file that would be overwritten."""
    return _path_in_existing_folder(text, want_folder=True, what="cli.option.what_folder")


def output_file(text: str) -> Path:
    """`report --out`: a file in an existing folder."""
    return _path_in_existing_folder(text, want_folder=False, what="cli.option.what_file")


def job_count(text: str) -> int:
    """`--jobs`: how many files are processed at a time, 1 or more."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(t("cli.option.jobs", value=text))
    return int(text)


def add_throughput_options(parser: argparse.ArgumentParser) -> None:
    """`--jobs` and `--device` of `spiegel process`."""
    parser.add_argument(
        "--jobs",
        type=job_count,
        default=1,
        metavar="N",
        help="process N files at a time, each worker on its share of the cores (default 1)",
    )
    parser.add_argument(
        "--device",
        choices=["auto", "cpu", "cuda"],
        default="auto",
        help="where Whisper runs: auto (a GPU when present, float16), cpu (int8) or cuda",
    )
