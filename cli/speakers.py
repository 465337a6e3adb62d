"""`spiegel enroll` and `spiegel roles`: voice enrolment and corrections of who is who in a stored session.

    spiegel enroll NAME AUDIO [--db DB]          store NAME's voiceprint from a recording of their voice
    spiegel enroll --list | --delete NAME        show or remove voiceprints
    spiegel roles SESSION_ID [--db DB]           show a session's speakers: role, source, talk time
    spiegel roles SESSION_ID --set S2=practitioner [--set S1=client]   correct roles
    spiegel roles SESSION_ID --merge S1 S3       speaker S3 is really S1: merge S3 into S1

A correction re-tags every utterance with the corrected roles (the tagger reads roles), rewrites the session
in one transaction and records `role_source = corrected`; metrics are a view over the stored rows, so they
follow at once. `cli/main.py` adds these subcommands through `register(subparsers)`; the correction itself is
`pipeline.corrections.correct_session`.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from cli.lang import t
from cli.options import db_file
from core.errors import UserError
from core.records import Role

log = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    """Add `enroll` and `roles` to the `spiegel` command line (each sets func=callable(args) -> int)."""
    p = subparsers.add_parser(
        "enroll", help="store a practitioner's voiceprint to recognise them in recordings"
    )
    p.add_argument(
        "name", nargs="?", metavar="NAME", help="the practitioner's name, as given to --practitioner"
    )
    p.add_argument(
        "audio", nargs="?", type=Path, metavar="AUDIO", help="a recording of only their voice (30 s+)"
    )
    p.add_argument(
        "--db", type=db_file, help="DuckDB database file (default: $SPIEGEL_DB or your data folder)"
    )
    group = p.add_mutually_exclusive_group()
    group.add_argument("--list", action="store_true", help="list enrolled voiceprints")
    group.add_argument("--delete", metavar="NAME", help="remove the voiceprint of NAME")
    p.set_defaults(func=cmd_enroll)

    p = subparsers.add_parser("roles", help="show or correct the speakers and roles of a session")
    p.add_argument("session_id", metavar="SESSION_ID")
    p.add_argument(
        "--db", type=db_file, help="DuckDB database file (default: $SPIEGEL_DB or your data folder)"
    )
    p.add_argument(
        "--set",
        dest="assignments",
        action="append",
        default=[],
        metavar="SPEAKER=ROLE",
        help="give SPEAKER the role practitioner, client or other; repeatable",
    )
    p.add_argument(
        "--merge", nargs=2, metavar=("A", "B"), help="merge speaker B into speaker A (same person)"
    )
    p.set_defaults(func=cmd_roles)


# --- enroll --------------------------------------------------------------------------------------------


def cmd_enroll(args: argparse.Namespace) -> int:
    import store
    from pipeline.voiceprints import enroll

    if args.list:
        with store.connect(args.db) as con:
            rows = store.list_voiceprints(con)
        if not rows:
            _out(t("cli.enroll.none"))
        for name, created in rows:
            _out(f"{name}\t{created}")
        return 0
    if args.delete:
        removed = store.erase_voiceprint(args.db, args.delete)
        if not removed:
            raise UserError("error.enroll.unknown", name=args.delete)
        _out(t("cli.enroll.removed", name=args.delete))
        return 0
    if not args.name or args.audio is None:
        raise UserError("error.enroll.usage")
    result = enroll(args.db, args.name, args.audio)
    note = "" if result.speakers_heard <= 1 else t("cli.enroll.voices", voices=result.speakers_heard)
    _out(t("cli.enroll.done", name=result.name, seconds=f"{result.speech_s:.0f}", note=note))
    return 0


# --- roles ---------------------------------------------------------------------------------------------


def parse_assignments(items: list[str]) -> dict[str, Role]:
    """`["S1=practitioner", "S2=client"]` → {"S1": Role.PRACTITIONER, ...}; one-sentence errors."""
    out: dict[str, Role] = {}
    for item in items:
        speaker, sep, role = item.partition("=")
        speaker, role = speaker.strip(), role.strip().lower()
        if not sep or not speaker or role not in {r.value for r in Role}:
            raise UserError("error.roles.set", item=item)
        out[speaker] = Role(role)
    return out


def cmd_roles(args: argparse.Namespace) -> int:
    assignments = parse_assignments(args.assignments)
    merge = tuple(args.merge) if args.merge else None
    if assignments or merge:
        from pipeline.corrections import correct_session

        correct_session(args.db, args.session_id, assignments, merge)  # type: ignore[arg-type]
    _show(args.db, args.session_id)
    return 0


def _show(db: str | Path | None, session_id: str) -> None:
    import store

    with store.connect(db, read_only=True) as con:
        if not store.session_exists(con, session_id):
            raise UserError("error.store.no_session", session=session_id)
        confidence, warnings = store.queries.role_decision(con, session_id)
        rows = store.queries.speaker_summary(con, session_id)
    sure = "-" if confidence is None else f"{confidence:.2f}"
    listed = t("cli.roles.warnings", warnings=", ".join(warnings)) if warnings else ""
    _out(t("cli.roles.session", session=session_id, confidence=sure, warnings=listed))
    _out(t("cli.roles.header"))
    for speaker, role, source, count, seconds in rows:
        _out(f"{speaker}\t{role}\t{source}\t{count}\t{seconds:.0f}")


def _out(line: str) -> None:
    """Command output goes to stdout (results the user asked for; logs go to stderr)."""
    sys.stdout.write(line + "\n")
