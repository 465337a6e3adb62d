"""The `spiegel` command. Argument parsing only; the work lives in the modules it calls.

Heavy libraries (faster-whisper, spaCy, torch, Streamlit) are imported inside the command functions, so
`spiegel --help` answers at once. Errors the user can act on are `UserError`s: printed as one line on stderr,
with exit status 1; argparse usage errors exit with 2.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from cli.lang import add_lang_option, argparse_in, lang_in_argv, say, t
from cli.options import (
    MAX_SPEAKERS,
    Parser,
    add_throughput_options,
    db_file,
    job_count,
    output_file,
    positive_hours,
    session_date,
    speaker_count,
)
from cli.records import NEW_KEY_ENV, check_export, cmd_delete, cmd_export, cmd_rekey, cmd_report
from cli.speakers import register as register_speakers
from cli.team import add_dashboard_options
from cli.team import register as register_team
from core import texts
from core.errors import UserError
from core.offline import keep_offline
from tagger.cli import register as register_tagger

log = logging.getLogger(__name__)

EPILOG = """Voorbeelden / examples:
  spiegel process opname.m4a --practitioner Sanne --client K-017
  spiegel process map-met-opnames/
  spiegel import gesprek.txt --practitioner Sanne
  spiegel dashboard
Database: --db, else $SPIEGEL_DB, else a file in your user data folder. Nothing is sent over the network."""


PSEUDONYMIZE_HELP = (
    "for sharing: names, places, dates, phone numbers, e-mail, BSN … become placeholders "
    "([PERSOON-1] is the same person throughout); voiceprints are left out"
)


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", type=db_file, help="DuckDB database file (default: $SPIEGEL_DB or your data folder)"
    )


def _add_session_options(parser: argparse.ArgumentParser, language_default: str) -> None:
    _add_db(parser)
    parser.add_argument(
        "--language",
        choices=["nl", "en", "auto"],
        default=language_default,
        help=f"language of the conversation (default: {language_default})",
    )
    parser.add_argument("--practitioner", metavar="NAME", help="name of the practitioner (hulpverlener)")
    parser.add_argument("--client", dest="client_code", metavar="CODE", help="client code (no names: a code)")
    parser.add_argument(
        "--recorded-at", type=session_date, metavar="DATE", help="date of the session, e.g. 2026-09-14"
    )
    parser.add_argument(
        "--patterns",
        type=Path,
        action="append",
        default=[],
        metavar="FILE_OR_DIR",
        help="extra tagger rule files of your organisation (add or disable rules by id); repeatable",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")


def _say_outcomes(outcomes: Sequence) -> None:
    """One line per input on stderr: stored (new or already), or its one-sentence error."""
    from core.formatting import number

    for outcome in outcomes:
        if outcome.error:
            print(outcome.error, file=sys.stderr)
        elif outcome.created:
            seconds = number(outcome.seconds, texts.user_lang())
            say("cli.stored", name=outcome.path.name, session=outcome.session_id, seconds=seconds)
        else:
            say("cli.already_stored", name=outcome.path.name, session=outcome.session_id)


def _report_outcomes(outcomes: Sequence, said: bool = False) -> int:
    """One line per input on stderr (unless `said` already, batch by batch); exit 0 only when every input
    was stored."""
    if not said:
        _say_outcomes(outcomes)
    failed = sum(1 for o in outcomes if o.error)
    if len(outcomes) > 1:
        stored = sum(1 for o in outcomes if not o.error and o.created)
        skipped = sum(1 for o in outcomes if not o.error and not o.created)
        say("cli.summary", files=len(outcomes), stored=stored, skipped=skipped, failed=failed)
    return 1 if failed else 0


def _options(args: argparse.Namespace, **extra: object):
    from pipeline.process import ProcessOptions

    return ProcessOptions(
        db=args.db,
        language=args.language,
        practitioner=args.practitioner,
        client_code=args.client_code,
        recorded_at=args.recorded_at,
        patterns=tuple(args.patterns),
        progress=not args.no_progress,
        **extra,
    )


def cmd_process(args: argparse.Namespace) -> int:
    import dataclasses

    from pipeline.audio import AUDIO_EXTENSIONS
    from pipeline.process import expand_inputs, process_recording
    from pipeline.transcribe import resolve_device

    options = _options(
        args,
        model=args.model,
        speakers=args.speakers,
        channels=args.channels,
        max_duration_s=args.max_hours * 3600,
        keep_audio=args.keep_audio,
    )
    if args.sequential:  # --fast is the default now (guarded batched decoding); kept for old scripts
        options.asr = dataclasses.replace(options.asr, batched=False)
    resolve_device(args.device)  # a missing GPU is said before any work starts
    options.device = args.device
    files = expand_inputs(args.audio, AUDIO_EXTENSIONS)
    if not files:
        raise UserError("error.cli.no_audio")
    if args.jobs > 1 and len(files) > 1:
        from pipeline.many import process_recordings

        return _report_outcomes(process_recordings(files, options, jobs=args.jobs))
    outcomes = []
    for number, path in enumerate(files, start=1):
        if len(files) > 1 and options.progress:
            say("cli.file_of", number=number, files=len(files), name=path.name)
        outcomes.append(process_recording(path, options))
    return _report_outcomes(outcomes)


def cmd_import(args: argparse.Namespace) -> int:
    """Files are said batch by batch, each once its batch is committed: a line that says stored is true
    even when the run is stopped later."""
    from pipeline.importers import TRANSCRIPT_EXTENSIONS
    from pipeline.imports import import_batches
    from pipeline.process import expand_inputs

    options = _options(args)
    files = expand_inputs(args.transcripts, TRANSCRIPT_EXTENSIONS)
    if not files:
        raise UserError("error.cli.no_transcripts")
    outcomes = []
    for batch in import_batches(files, options, jobs=args.jobs):
        _say_outcomes(batch)
        outcomes.extend(batch)
    return _report_outcomes(outcomes, said=True)


def cmd_demo(args: argparse.Namespace) -> int:
    from cli.demo import run_demo

    return run_demo(args.db, start_dashboard=not args.no_dashboard, port=args.port)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="spiegel",
        description="Gespreksspiegel: transcribe, tag and review solution-focused conversations, on your own machine.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    add_lang_option(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("process", help="transcribe, diarize, tag and store recordings (files or folders)")
    p.add_argument("audio", nargs="+", type=Path, metavar="AUDIO", help="audio/video files or folders")
    _add_session_options(p, "nl")
    p.add_argument(
        "--model",
        metavar="NAME_OR_DIR",
        help="Whisper model: a CTranslate2 folder, or a faster-whisper "
        "name (downloads!); default: the bundled multilingual base model, offline",
    )
    p.add_argument(
        "--speakers",
        type=speaker_count,
        metavar="N",
        help=f"number of speakers (1-{MAX_SPEAKERS}), when automatic counting is wrong",
    )
    p.add_argument("--channels", action="store_true", help="stereo recording with one microphone per person")
    keep = "keep the recording beside the database (encrypted with SPIEGEL_DB_KEY) to listen to it; off by default"
    p.add_argument("--keep-audio", action="store_true", help=keep)
    p.add_argument(
        "--sequential",
        action="store_true",
        help="decode window by window instead of in batches (slower; the default batches are checked and "
        "suspicious parts decoded this way anyway)",
    )
    p.add_argument(
        "--fast", action="store_true", help="batched decoding (now the default; kept for old scripts)"
    )
    add_throughput_options(p)
    p.add_argument(
        "--max-hours",
        type=positive_hours,
        default=4.0,
        metavar="H",
        help="refuse recordings longer than this (default 4 hours): protects a laptop's memory",
    )
    p.set_defaults(func=cmd_process)

    p = sub.add_parser("import", help="import existing transcripts (Naam: tekst, WebVTT, SRT, JSON)")
    p.add_argument(
        "transcripts", nargs="+", type=Path, metavar="TRANSCRIPT", help="transcript files or folders"
    )
    _add_session_options(p, "auto")
    p.add_argument(
        "--jobs",
        type=job_count,
        default=1,
        metavar="N",
        help="tag N transcripts at a time in worker processes (default 1; worth it for large folders)",
    )
    p.set_defaults(func=cmd_import)

    register_tagger(sub)
    register_speakers(sub)
    register_team(sub)

    p = sub.add_parser("dashboard", help="start the dashboard in your browser (local only)")
    _add_db(p)
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--open", action="store_true", help="open the browser")
    add_dashboard_options(p)

    p = sub.add_parser("export", help="export all tables (csv, parquet or json), or one session's JSON")
    _add_db(p)
    p.add_argument("--format", choices=["csv", "parquet", "json"])
    p.add_argument(
        "--session",
        metavar="SESSION_ID",
        help="write this session as the project's JSON transcript (spiegel import reads it back) to --out FILE",
    )
    p.add_argument("--out", type=Path, required=True, metavar="DIR_OR_FILE")
    p.add_argument("--pseudonymize", action="store_true", help=PSEUDONYMIZE_HELP)
    p.set_defaults(func=cmd_export, check=check_export)

    p = sub.add_parser("report", help="the supervision report of one session")
    p.add_argument("session_id", metavar="SESSION_ID")
    _add_db(p)
    p.add_argument("--format", choices=["md", "html", "pdf"], default="md")
    p.add_argument("--out", type=output_file, required=True, metavar="FILE")
    p.add_argument(
        "--lang",
        choices=["nl", "en"],
        default=None,
        help=f"language of the report and the messages (default: ${texts.LANG_ENV}, else nl)",
    )
    p.add_argument("--pseudonymize", action="store_true", help=PSEUDONYMIZE_HELP)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("delete", help="erase a session and free its space")
    p.add_argument("session_id", metavar="SESSION_ID")
    _add_db(p)
    p.set_defaults(func=cmd_delete)

    p = sub.add_parser(
        "rekey",
        help=f"encrypt the database with a new key (old key in $SPIEGEL_DB_KEY, new key in ${NEW_KEY_ENV})",
    )
    _add_db(p)
    p.add_argument("--decrypt", action="store_true", help="store the database unencrypted instead")
    p.set_defaults(func=cmd_rekey)

    p = sub.add_parser("demo", help="process the bundled sample sessions and open the dashboard")
    _add_db(p)
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--no-dashboard", action="store_true", help="only process the samples")
    p.set_defaults(func=cmd_demo)
    _lang_everywhere(sub)
    return parser


def _lang_everywhere(sub: argparse._SubParsersAction) -> None:
    """`--lang` after any command too (`report`, `tag` and `eval` have their own, which also sets it)."""
    for parser in sub.choices.values():
        if "--lang" not in parser._option_string_actions:
            add_lang_option(parser)
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                _lang_everywhere(action)


def _configure_logging(verbosity: int) -> None:
    """Only our loggers, to stderr; third-party chatter stays at warning level.

    Without `-v` only warnings show, and they are sentences for the user in their language (catalogue
    texts, tests/architecture/test_messages.py): printed alone, without an English `WARNING pipeline.x:`
    before them. With `-v` the level and logger name come back, for a bug report.
    """
    level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(message)s" if verbosity == 0 else "%(levelname)s %(name)s: %(message)s")
    )
    for name in ("core", "tagger", "models", "store", "pipeline", "dashboard", "report", "cli"):
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.addHandler(handler)
        logger.propagate = False


def _downloads_model(args: argparse.Namespace) -> bool:
    """Only `process --model NAME` (a name, not a folder) may reach the model hub: the user asked for it."""
    model = getattr(args, "model", None)
    if args.command != "process" or not model or model == "base-bundled":
        return False
    return not Path(model).expanduser().is_dir()


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    saved = os.environ.get(texts.LANG_ENV)
    # before parsing: a usage error is in the user's language too; `--jobs` workers follow the environment
    os.environ[texts.LANG_ENV] = texts.use_lang(lang_in_argv(argv))
    try:
        return _run(argv)
    finally:  # a caller in the same process (a test, the demo) gets its own language back
        texts.use_lang(None)
        if saved is None:
            os.environ.pop(texts.LANG_ENV, None)
        else:
            os.environ[texts.LANG_ENV] = saved


def _run(argv: list[str]) -> int:
    parser = build_parser()
    with argparse_in():
        args = parser.parse_args(argv)
    check = getattr(args, "check", None)
    if check is not None:
        try:
            check(args)
        except argparse.ArgumentTypeError as error:
            message = t("cli.argparse.argument") % {"argument_name": "--out", "message": error}
            parser.exit(2, t("cli.usage_error", prog=f"spiegel {args.command}", message=message) + "\n")
    keep_offline(allow_downloads=_downloads_model(args))
    os.umask(0o077)  # everything we write (database, WAL, exports, reports, recovery files): this user only
    _configure_logging(args.verbose)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return int(func(args) or 0)
    except UserError as error:
        print(str(error), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        say("cli.stopped")
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
