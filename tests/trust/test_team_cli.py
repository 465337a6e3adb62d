"""`spiegel users`, `share`, `unshare`, `audit` and `dashboard --team` as a user runs them (the real command).

Exit statuses as ../shared/spec/interfaces.md: 0 done, 1 a reason in one sentence, 2 a usage error. The
password comes from standard input (a terminal would be asked twice without echo), never the command line.
Messages are Dutch by default; the same refusals are checked in English with `--lang en`.
"""

from __future__ import annotations

import stat
import subprocess
import sys

import pytest

import store
from store import team
from tests.conftest import REPO
from tests.trust.records import session

PASSWORD = "een-goed-wachtwoord"


def spiegel(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=180,
        check=False,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "team.duckdb"
    with store.connect(path) as con:
        a, _ = store.save_session(con, session("kastanje", n=4, practitioner="Ottoline", client="K-0101"))
        b, _ = store.save_session(con, session("lavendel", n=4, practitioner="Pieter", client="K-0102"))
    return path, a, b


def test_users_add_list_remove(db):
    path, _a, _b = db
    users = path.with_name("team.users.json")
    add = spiegel("users", "add", "ottoline", "--role", "practitioner", "--practitioner", "Ottoline",
                  "--db", str(path), stdin=PASSWORD + "\n")  # fmt: skip
    assert add.returncode == 0, add.stderr
    assert stat.S_IMODE(users.stat().st_mode) == 0o600
    assert PASSWORD not in users.read_text()
    assert (
        spiegel("users", "add", "sanne", "--role", "supervisor", "--db", str(path), stdin=PASSWORD).returncode
        == 0
    )

    again = spiegel("users", "add", "sanne", "--role", "supervisor", "--db", str(path), stdin=PASSWORD)
    assert again.returncode == 1 and "bestaat al" in one_line(again)
    again_en = spiegel("users", "add", "sanne", "--role", "supervisor", "--db", str(path), "--lang", "en",
                       stdin=PASSWORD)  # fmt: skip
    assert again_en.returncode == 1 and "already exists" in one_line(again_en)
    short = spiegel("users", "add", "kim", "--role", "trainer", "--db", str(path), stdin="kort\n")
    assert short.returncode == 1 and "te kort" in one_line(short)
    short_en = spiegel("--lang", "en", "users", "add", "kim", "--role", "trainer", "--db", str(path),
                       stdin="kort\n")  # fmt: skip
    assert short_en.returncode == 1 and "too short" in one_line(short_en)
    no_name = spiegel("users", "add", "kim", "--role", "practitioner", "--db", str(path), stdin=PASSWORD)
    assert no_name.returncode == 1 and "--practitioner" in one_line(no_name)
    bad_role = spiegel("users", "add", "kim", "--role", "boss", "--db", str(path), stdin=PASSWORD)
    assert bad_role.returncode == 2 and "ongeldige keuze" in one_line(bad_role)
    bad_role_en = spiegel("users", "add", "kim", "--role", "boss", "--db", str(path), "--lang", "en",
                          stdin=PASSWORD)  # fmt: skip
    assert bad_role_en.returncode == 2 and "invalid choice" in one_line(bad_role_en)
    typo = spiegel("users", "add", "pieter", "--role", "practitioner", "--practitioner", "Pietr",
                   "--db", str(path), stdin=PASSWORD)  # fmt: skip
    assert typo.returncode == 0 and "nog geen sessie opgeslagen onder" in typo.stderr

    listed = spiegel("users", "list", "--db", str(path))
    assert listed.returncode == 0
    assert listed.stdout.splitlines() == [
        "ottoline\tpractitioner  Ottoline",
        "pieter\tpractitioner  Pietr",
        "sanne\tsupervisor  gedeeld: -",
    ]
    assert (
        "sanne\tsupervisor  shared: -" in spiegel("users", "list", "--db", str(path), "--lang", "en").stdout
    )
    assert "argon2" not in listed.stdout + listed.stderr

    removed = spiegel("users", "remove", "pieter", "--db", str(path))
    assert removed.returncode == 0, removed.stderr
    gone = spiegel("users", "remove", "pieter", "--db", str(path))
    assert gone.returncode == 1 and "geen gebruiker pieter" in one_line(gone)
    gone_en = spiegel("users", "remove", "pieter", "--db", str(path), "--lang", "en")
    assert gone_en.returncode == 1 and "no user pieter" in one_line(gone_en)

    users.chmod(0o644)
    opened = spiegel("users", "list", "--db", str(path))
    assert opened.returncode == 1 and "chmod 600" in one_line(opened)


def test_share_unshare_and_their_refusals(db, tmp_path):
    path, a, b = db
    for name, role in (("sanne", "supervisor"), ("ottoline", "practitioner")):
        extra = ["--practitioner", "Ottoline"] if role == "practitioner" else []
        assert (
            spiegel(
                "users", "add", name, "--role", role, *extra, "--db", str(path), stdin=PASSWORD
            ).returncode
            == 0
        )

    shared = spiegel("share", b, "--with", "sanne", "--db", str(path))
    assert shared.returncode == 0 and one_line(shared) == f"Sessie {b} wordt nu gedeeld met sanne."
    again = spiegel("share", b, "--with", "sanne", "--db", str(path), "--lang", "en")
    assert again.returncode == 0 and one_line(again) == f"Session {b} was already shared with sanne."
    assert "gedeeld: " + b in spiegel("users", "list", "--db", str(path)).stdout

    refusals = {
        ("nl", "hulpverlener, geen supervisor"): ("share", a, "--with", "ottoline"),
        ("en", "is a practitioner, not a supervisor"): ("share", a, "--with", "ottoline"),
        ("nl", "geen gebruiker niemand"): ("share", a, "--with", "niemand"),
        ("en", "no user niemand"): ("share", a, "--with", "niemand"),
        ("nl", "geen sessie bestaat-niet"): ("share", "bestaat-niet", "--with", "sanne"),
        ("en", "no session bestaat-niet"): ("share", "bestaat-niet", "--with", "sanne"),
    }
    for (lang, reason), command in refusals.items():
        result = spiegel(*command, "--db", str(path), "--lang", lang)
        assert result.returncode == 1 and reason in one_line(result), (reason, result.stderr)
    missing_db = tmp_path / "elders.duckdb"
    nowhere = spiegel(
        "share",
        a,
        "--with",
        "sanne",
        "--db",
        str(missing_db),
        "--users",
        str(path.with_name("team.users.json")),
    )
    assert nowhere.returncode == 1 and "bestaat nog niet" in one_line(nowhere)
    assert not missing_db.exists()
    usage = spiegel("share", a, "--db", str(path))
    assert usage.returncode == 2 and "--with" in one_line(usage)

    assert spiegel("unshare", b, "--with", "sanne", "--db", str(path)).returncode == 0
    twice = spiegel("unshare", b, "--with", "sanne", "--db", str(path))
    assert twice.returncode == 1 and "was niet gedeeld" in one_line(twice)
    twice_en = spiegel("unshare", b, "--with", "sanne", "--db", str(path), "--lang", "en")
    assert twice_en.returncode == 1 and "was not shared" in one_line(twice_en)
    with store.connect(path, read_only=True) as con:
        assert team.shares_of(con) == []


def test_audit_lists_shares_exports_and_deletions(db, tmp_path):
    path, _a, b = db
    assert (
        spiegel("users", "add", "sanne", "--role", "supervisor", "--db", str(path), stdin=PASSWORD).returncode
        == 0
    )
    assert spiegel("share", b, "--with", "sanne", "--db", str(path)).returncode == 0
    exported = spiegel("export", "--format", "csv", "--out", str(tmp_path / "uit"), "--db", str(path))
    assert exported.returncode == 0, exported.stderr
    report = spiegel("report", b, "--format", "md", "--out", str(tmp_path / "b.md"), "--db", str(path))
    assert report.returncode == 0, report.stderr
    deleted = spiegel("delete", b, "--db", str(path))
    assert deleted.returncode == 0, deleted.stderr

    audit = spiegel("audit", "--db", str(path))
    assert audit.returncode == 0, audit.stderr
    rows = [line.split("\t") for line in audit.stdout.splitlines()]
    assert [r[1] for r in rows] == ["delete", "report", "export", "share", "user_added"]  # newest first
    assert rows[0][3:5] == ["cli", b] and rows[1][4:] == [b, "md"]
    assert rows[2][5] == "csv" and rows[3][4:] == [b, "sanne"]
    assert all(len(r[0]) == 19 for r in rows)  # 2026-12-02 01:30:57
    assert "lavendel" not in audit.stdout and "K-0102" not in audit.stdout
    with store.connect(path, read_only=True) as con:
        assert team.shares_of(con) == []  # the erased session's share went with it

    only = spiegel("audit", "--event", "share", "--db", str(path))
    assert [line.split("\t")[1] for line in only.stdout.splitlines()] == ["share"]
    newest = spiegel("audit", "--limit", "1", "--db", str(path))
    assert len(newest.stdout.splitlines()) == 1
    assert spiegel("audit", "--limit", "0", "--db", str(path)).returncode == 2
    unknown = spiegel("audit", "--event", "hacked", "--db", str(path))
    assert unknown.returncode == 1 and "geen auditgebeurtenis 'hacked'" in one_line(unknown)
    unknown_en = spiegel("audit", "--event", "hacked", "--db", str(path), "--lang", "en")
    assert unknown_en.returncode == 1 and "no audit event" in one_line(unknown_en)
    missing = tmp_path / "nergens.duckdb"
    absent = spiegel("audit", "--db", str(missing))
    assert absent.returncode == 1 and "bestaat nog niet" in one_line(absent) and not missing.exists()
    absent_en = spiegel("audit", "--db", str(missing), "--lang", "en")
    assert absent_en.returncode == 1 and "does not exist" in one_line(absent_en) and not missing.exists()


def test_dashboard_team_needs_users(db):
    path, _a, _b = db
    result = spiegel("dashboard", "--team", "--db", str(path))
    assert result.returncode == 1 and "spiegel users add" in one_line(result)
