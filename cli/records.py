"""`spiegel export`, `report`, `delete` and `rekey`: the commands that hand stored sessions on, erase or re-encrypt them.

Kept apart from `cli/main.py` (the parser and `process`/`import`) so each stays readable; every message is a
catalogue key (`cli/lang.py`).
"""

from __future__ import annotations

import argparse
import os

from cli.lang import say, t
from cli.options import new_output_folder, output_file
from cli.team import audited
from core import texts
from core.errors import UserError


def check_export(args: argparse.Namespace) -> None:
    """`--out` is a file for `--session`, else a folder; never an existing file of another kind."""
    if args.session:
        if args.pseudonymize:
            raise argparse.ArgumentTypeError(t("cli.option.pseudonymize_session"))
        args.out = output_file(str(args.out))
    else:
        args.out = new_output_folder(str(args.out))


def cmd_export(args: argparse.Namespace) -> int:
    from store.export import export_all, export_session

    if args.session:
        if args.format not in (None, "json"):
            raise UserError("error.cli.session_format")
        export_session(args.db, args.session, args.out)
        audited(args.db, "export", args.session, "json")
        say("cli.session_written", session=args.session, out=args.out)
        return 0
    if args.format is None:
        raise UserError("error.cli.export_format")
    if args.pseudonymize:
        from cli.share import export_pseudonymized

        written = export_pseudonymized(args.db, args.format, args.out)
    else:
        written = export_all(args.db, args.format, args.out)
    audited(args.db, "export", None, args.format + (" pseudonymized" if args.pseudonymize else ""))
    say("cli.exported", tables=len(written), out=args.out)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from report import write_report

    language = args.lang or texts.user_lang()
    write_report(
        args.db, args.session_id, args.format, args.out, language=language, pseudonymize=args.pseudonymize
    )
    audited(args.db, "report", args.session_id, args.format + (" pseudonymized" if args.pseudonymize else ""))
    say("cli.report_written", out=args.out)
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    from store.team import erase_session_audited, os_account

    erase_session_audited(args.db, args.session_id, os_account())
    say("cli.erased", session=args.session_id)
    return 0


NEW_KEY_ENV = "SPIEGEL_NEW_DB_KEY"


def cmd_rekey(args: argparse.Namespace) -> int:
    """Rotate the encryption key; keys come from the environment, never the command line (ps, history)."""
    import store

    new_key = None if args.decrypt else os.environ.get(NEW_KEY_ENV)
    if not args.decrypt and not new_key:
        raise UserError("error.cli.rekey_no_key", new=NEW_KEY_ENV)
    if new_key and new_key == os.environ.get(store.KEY_ENV):
        raise UserError("error.cli.rekey_same_key", new=NEW_KEY_ENV, old=store.KEY_ENV)
    path = store.rekey(args.db, new_key)
    if new_key:
        say("cli.rekeyed", name=path.name, old=store.KEY_ENV)
    else:
        say("cli.decrypted", name=path.name, old=store.KEY_ENV)
    return 0
