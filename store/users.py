"""Team mode's user file: who may log in to `spiegel dashboard --team`, with which role.

The file is local JSON beside the database (`<db>.users.json`, or `--users FILE`, or `$SPIEGEL_USERS`),
mode 0600, written atomically (a temporary file in the same folder, fsynced, then renamed), so a crash never
leaves half a file and no other account on the computer can read the password hashes. Passwords are hashed
with Argon2id (argon2-cffi's defaults: 64 MiB, 3 passes — RFC 9106's second recommended setting); the
plain password is never stored or logged. The file also holds a random secret from which the trainer's
practitioner pseudonyms are derived, so someone who knows the practitioners' names but not the file cannot
work out who `P-3f2a1c` is.

A file that others can read (mode & 0o077) is refused, like ssh refuses an open private key: its hashes
may already have been copied, and it should be fixed before anyone relies on it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import secrets
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from core.errors import UserError
from store.connection import default_data_dir

USERS_ENV = "SPIEGEL_USERS"
FORMAT = "spiegel.users.v1"
#: Names people type at the login; kept simple so they are unambiguous in the audit table and on the CLI.
NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")
MIN_PASSWORD = 10

_HASHER = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified when the name is unknown, so a wrong name costs as long as a wrong password (no name
    probing). Made on first use, not at import: the single-user dashboard never pays for it."""
    return _HASHER.hash(secrets.token_hex(16))


class TeamRole(StrEnum):
    """What a team member may see (SECURITY.md, Team mode)."""

    PRACTITIONER = "practitioner"  # their own sessions (sessions.practitioner = their practitioner name)
    SUPERVISOR = "supervisor"  # the sessions shared with them (`spiegel share`)
    TRAINER = "trainer"  # aggregated, pseudonymised cohort figures only


@dataclass(frozen=True)
class TeamUser:
    """One login. `practitioner` is the name as stored in `sessions.practitioner` (practitioners only)."""

    name: str
    role: TeamRole
    practitioner: str | None
    password_hash: str
    created_at: str


@dataclass(frozen=True)
class UserFile:
    path: Path
    secret: str
    users: dict[str, TeamUser]


def users_path(db_path: Path, users: str | Path | None = None) -> Path:
    """`--users`, else `$SPIEGEL_USERS`, else `<database name>.users.json` beside the database."""
    if users:
        return Path(users).expanduser()
    env = os.environ.get(USERS_ENV)
    if env:
        return Path(env).expanduser()
    return db_path.with_name(db_path.stem + ".users.json")


def check_name(name: str) -> str:
    """A login name: 2–40 characters of a–z, 0–9, '.', '_' or '-' (case is folded)."""
    folded = name.strip().lower()
    if not 2 <= len(folded) <= 40 or not set(folded) <= NAME_CHARS:
        raise UserError("error.users.name", name=name)
    return folded


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UserError("error.users.password_short", least=MIN_PASSWORD)
    return password


def load(path: Path, missing_ok: bool = False) -> UserFile:
    """Read the user file; a missing file is empty when `missing_ok`, else one sentence."""
    if not path.exists():
        if missing_ok:
            return UserFile(path, secrets.token_hex(32), {})
        raise UserError("error.users.no_file", path=path)
    if path.stat().st_mode & 0o077:
        raise UserError("error.users.open_file", path=path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("format") != FORMAT:
            raise ValueError("format")
        users = {
            name: TeamUser(
                name=name,
                role=TeamRole(entry["role"]),
                practitioner=entry.get("practitioner"),
                password_hash=str(entry["password_hash"]),
                created_at=str(entry.get("created_at", "")),
            )
            for name, entry in raw["users"].items()
        }
        return UserFile(path, str(raw["secret"]), users)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise UserError("error.users.damaged", path=path) from None


def save(file: UserFile) -> None:
    """Write atomically with mode 0600 from the start (never readable by others, not even for a moment)."""
    body = {
        "format": FORMAT,
        "secret": file.secret,
        "users": {
            name: {k: v for k, v in asdict(user).items() if k != "name"} for name, user in file.users.items()
        },
    }
    path = file.path
    if not path.parent.is_dir() and path.parent == default_data_dir():  # first use, before any database
        path.parent.mkdir(parents=True, mode=0o700)
    if not path.parent.is_dir():
        raise UserError("error.users.no_folder", folder=path.parent)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(body, handle, indent=2, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def add_user(
    path: Path, name: str, role: TeamRole, password: str, practitioner: str | None, replace: bool = False
) -> TeamUser:
    """Add (or with `replace`, reset) a login; a practitioner must name the practitioner they are."""
    name = check_name(name)
    check_password(password)
    if role is TeamRole.PRACTITIONER and not (practitioner and practitioner.strip()):
        raise UserError("error.users.needs_practitioner")
    if role is not TeamRole.PRACTITIONER and practitioner:
        raise UserError("error.users.practitioner_only")
    file = load(path, missing_ok=True)
    if name in file.users and not replace:
        raise UserError("error.users.exists", name=name)
    user = TeamUser(
        name=name,
        role=role,
        practitioner=practitioner.strip() if practitioner else None,
        password_hash=_HASHER.hash(password),
        created_at=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    )
    save(UserFile(file.path, file.secret, {**file.users, name: user}))
    return user


def remove_user(path: Path, name: str) -> TeamUser:
    file = load(path)
    folded = name.strip().lower()
    if folded not in file.users:
        raise UserError("error.users.unknown", name=name, file=path.name)
    users = dict(file.users)
    removed = users.pop(folded)
    save(UserFile(file.path, file.secret, users))
    return removed


def authenticate(file: UserFile, name: str, password: str) -> TeamUser | None:
    """The user when the password matches, else None; an unknown name takes as long as a wrong password."""
    user = file.users.get(name.strip().lower())
    try:
        _HASHER.verify(user.password_hash if user else _dummy_hash(), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    return user
