"""Team mode on the command line: `spiegel users`, `share`, `unshare`, `audit` and `dashboard --team`.

    spiegel users add NAME --role practitioner --practitioner "Anna de Vries"   (password asked, or stdin)
    spiegel users add NAME --role supervisor | trainer [--replace]
    spiegel users remove NAME | spiegel users list
    spiegel share SESSION_ID --with USER        a supervisor may now see this session
    spiegel unshare SESSION_ID --with USER
    spiegel audit [--event EVENT] [--limit N]   logins, failed logins, shares, exports, reports, deletions
    spiegel dashboard --team [--users FILE]     the dashboard with a login, each role seeing what it may

Passwords are never taken from the command line (other accounts can read it in the process list, and it
stays in the shell history): they are asked twice without echo on a terminal, or read as the first line of
standard input (for scripts). The user file is beside the database (`store.users.users_path`).
`cli/main.py` adds these through `register(subparsers)`; the work is in `store.users` and `store.team`.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import Any

from cli.lang import say, t
from cli.options import db_file
from core.errors import UserError


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", type=db_file, help="DuckDB database file (default: $SPIEGEL_DB or your data folder)"
    )
    parser.add_argument(
        "--users",
        type=Path,
        metavar="FILE",
        help="the team's user file (default: $SPIEGEL_USERS, else <database>.users.json beside the database)",
    )


def add_dashboard_options(parser: argparse.ArgumentParser) -> None:
    """`--team` and `--users` of `spiegel dashboard`; the command itself is `cmd_dashboard` below."""
    parser.add_argument(
        "--team",
        action="store_true",
        help="team mode: log in; practitioners, supervisors and trainers "
        "each see only what their role allows (users from 'spiegel users add')",
    )
    parser.add_argument("--users", type=Path, metavar="FILE", help="the team's user file (implies --team)")
    parser.set_defaults(func=cmd_dashboard)


def register(subparsers: Any) -> None:
    """Add `users`, `share`, `unshare` and `audit` to the `spiegel` command line."""
    from store.users import TeamRole

    users = subparsers.add_parser("users", help="team mode: add, remove or list the logins of the dashboard")
    actions = users.add_subparsers(dest="users_action", metavar="ACTION", required=True)
    p = actions.add_parser("add", help="add a login (the password is asked, or read from standard input)")
    p.add_argument("name", metavar="NAME", help="login name: a-z, digits, '.', '_' or '-'")
    p.add_argument("--role", required=True, choices=[r.value for r in TeamRole])
    p.add_argument(
        "--practitioner",
        metavar="NAME",
        help="for --role practitioner: the name their sessions are stored under",
    )
    p.add_argument("--replace", action="store_true", help="the login exists: set a new password and role")
    _add_common(p)
    p.set_defaults(func=cmd_users_add)
    p = actions.add_parser("remove", help="remove a login (and what was shared with it)")
    p.add_argument("name", metavar="NAME")
    _add_common(p)
    p.set_defaults(func=cmd_users_remove)
    p = actions.add_parser("list", help="the logins, their roles and what is shared with them")
    _add_common(p)
    p.set_defaults(func=cmd_users_list)

    for command, func, what in (
        ("share", cmd_share, "let a supervisor see one session in the team dashboard"),
        ("unshare", cmd_unshare, "stop sharing a session with a supervisor"),
    ):
        p = subparsers.add_parser(command, help=what)
        p.add_argument("session_id", metavar="SESSION_ID")
        p.add_argument("--with", dest="with_user", required=True, metavar="USER", help="a supervisor's login")
        _add_common(p)
        p.set_defaults(func=func)

    p = subparsers.add_parser(
        "audit", help="who logged in, failed to, shared, exported or deleted what, when"
    )
    p.add_argument(
        "--db", type=db_file, help="DuckDB database file (default: $SPIEGEL_DB or your data folder)"
    )
    p.add_argument(
        "--event", metavar="EVENT", help="only this kind of event (login, login_failed, share, ...)"
    )
    p.add_argument("--limit", type=_positive, metavar="N", help="only the newest N events")
    p.set_defaults(func=cmd_audit)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(t("cli.option.jobs", value=text))
    return int(text)


def _paths(args: argparse.Namespace) -> tuple[Path, Path]:
    import store
    from store.users import users_path

    db = store.resolve_db_path(args.db)
    return db, users_path(db, getattr(args, "users", None))


def _existing_db(db: Path) -> Path:
    if not db.exists():
        raise UserError("error.db.missing_yet", path=db)
    return db


def _read_password() -> str:
    """Twice without echo on a terminal; else the first line of standard input."""
    if sys.stdin is not None and sys.stdin.isatty():
        first = getpass.getpass(t("cli.users.password"))
        if getpass.getpass(t("cli.users.password_again")) != first:
            raise UserError("error.users.passwords_differ")
        return first
    line = sys.stdin.readline() if sys.stdin is not None else ""
    return line.rstrip("\r\n")


def cmd_users_add(args: argparse.Namespace) -> int:
    from store import team
    from store.users import TeamRole, add_user, check_name, check_password

    db, path = _paths(args)
    check_name(args.name)  # refuse a bad name before asking for a password
    role = TeamRole(args.role)
    password = check_password(_read_password())
    user = add_user(path, args.name, role, password, args.practitioner, replace=args.replace)
    say("cli.users.saved", name=user.name, role=t(f"team.role.{user.role.value}"), path=path)
    if db.exists():
        team.record_event(
            db, "user_added", team.os_account(), team.VIA_CLI, detail=f"{user.name} {role.value}"
        )
        if user.practitioner:
            with team.reading(db) as con:
                if not team.practitioner_session_count(con, user.practitioner):
                    say("cli.users.no_sessions_yet", practitioner=user.practitioner)
    return 0


def cmd_users_remove(args: argparse.Namespace) -> int:
    from store import connect, team
    from store.users import remove_user

    db, path = _paths(args)
    user = remove_user(path, args.name)
    shares = 0
    if db.exists():
        with connect(db) as con:
            shares = team.forget_user(con, user.name, team.os_account())
    say("cli.users.removed", name=user.name, shares=shares)
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    from store import team
    from store.users import load

    db, path = _paths(args)
    file = load(path)
    shared: dict[str, list[str]] = {}
    if db.exists():
        with team.reading(db) as con:
            for session_id, username, _at in team.shares_of(con):
                shared.setdefault(username, []).append(session_id)
    for user in sorted(file.users.values(), key=lambda u: u.name):
        extra = f"  {user.practitioner}" if user.practitioner else ""
        if user.role.value == "supervisor":
            extra = t("cli.users.shared", sessions=", ".join(shared.get(user.name, [])) or "-")
        print("\t".join([user.name, user.role.value + extra]))  # a table on stdout: role as --role takes it
    if not file.users:
        say("cli.users.none", path=path)
    return 0


def _supervisor(args: argparse.Namespace, must_exist: bool) -> tuple[Path, str]:
    from store.users import load

    db, path = _paths(args)
    _existing_db(db)
    name = args.with_user.strip().lower()
    user = load(path).users.get(name)
    if must_exist and user is None:
        raise UserError("error.users.unknown_add", name=args.with_user, file=path.name)
    if must_exist and user.role.value != "supervisor":
        raise UserError("error.share.not_supervisor", name=name, role=t(f"team.role.{user.role.value}"))
    return db, name


def cmd_share(args: argparse.Namespace) -> int:
    from store import connect, team

    db, name = _supervisor(args, must_exist=True)
    with connect(db) as con:
        new = team.share(con, args.session_id, name, team.os_account())
    say("cli.share.shared" if new else "cli.share.already", session=args.session_id, name=name)
    return 0


def cmd_unshare(args: argparse.Namespace) -> int:
    from store import connect, team

    db, name = _supervisor(args, must_exist=False)
    with connect(db) as con:
        if not team.unshare(con, args.session_id, name, team.os_account()):
            raise UserError("error.share.not_shared", session=args.session_id, name=name)
    say("cli.share.unshared", session=args.session_id, name=name)
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    import store
    from store import team

    if args.event and args.event not in team.EVENTS:
        raise UserError("error.audit.event", event=args.event, events=", ".join(team.EVENTS))
    with team.reading(_existing_db(store.resolve_db_path(args.db))) as con:
        rows = team.audit_rows(con, args.event, args.limit)
    for at, event, actor, via, session_id, detail in rows:
        fields = [at.isoformat(sep=" ", timespec="seconds"), event, actor or "-", via, session_id or "-"]
        print("\t".join([*fields, detail or ""]).rstrip())
    if not rows:
        say("cli.audit.none")
    return 0


def cmd_dashboard(args: argparse.Namespace) -> int:
    import store
    from dashboard.launch import run_dashboard
    from store.users import load, users_path

    db = store.resolve_db_path(args.db)
    users = None
    if args.team or args.users:
        users = users_path(db, args.users).resolve()
        if not load(users).users:  # a missing, open or damaged file is one sentence here, not in the browser
            raise UserError("error.users.none", path=users)
    return run_dashboard(db, port=args.port, open_browser=args.open, users_file=users)


def audited(db: Path | None, event: str, session_id: str | None = None, detail: str | None = None) -> None:
    """Record a command's export, report or deletion in the audit log (the database exists: it was read)."""
    from store import team

    team.record_event(db, event, team.os_account(), team.VIA_CLI, session_id, detail)
