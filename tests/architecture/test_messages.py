"""Every message the command line prints is a catalogue key, in Dutch and in English (read with `ast`).

A `UserError`, a `say`/`t` line of the CLI or a `text(...)` call names its sentence by key
(`core/texts/<lang>.json`); this test reads every such call in our packages and fails on a key missing in
either language, on a Dutch and English text whose fields differ (a field missing in one language would be
shown unformatted), on a `UserError` (or subclass, like `FrogError`) built from an English sentence or an
f-string, on a `print`/`write` of a literal sentence in any package, on a warning or error log line written
as a literal sentence (shown at the default log level: "waiting for the database ..."), and on a rule-file
check (`spiegel patterns check`) raising a plain `ValueError` sentence instead of a keyed `InvalidValue`.

Info and debug log lines stay English on purpose: they are shown only with `spiegel -v`, as diagnostics for
a bug report (like the `--help` texts, one text for the README and a search engine).
"""

from __future__ import annotations

import ast
import json
import re
import string
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("core", "tagger", "models", "store", "pipeline", "dashboard", "report", "cli")
#: Calls whose first argument is a catalogue key.
KEY_CALLS = frozenset({"UserError", "DatabaseBusy", "InvalidValue", "say", "t", "user_text"})
#: Log levels shown without `-v`: their lines are for the user, so they are catalogue texts.
USER_LOG_LEVELS = frozenset({"warning", "warn", "error", "exception", "critical", "fatal"})
#: Names our modules give their logger.
LOGGERS = frozenset({"log", "logger", "logging", "_log", "LOG"})
#: Modules whose ValueErrors are shown by `spiegel patterns check` (tagger.rules.Problem.of).
RULE_CHECK_MODULES = ("tagger/rules.py", "tagger/wordsets.py")
#: Letters in a literal: a literal with a word in it is a sentence (`f"{problem}\n"` is not).
WORD = re.compile(r"[^\W\d_]{2,}")
#: Modules whose errors are not in the catalogue yet, each with why; a module that is done must leave.
NOT_YET: dict[str, str] = {}


def _catalogue(lang: str) -> dict[str, str]:
    return json.loads((ROOT / "core" / "texts" / f"{lang}.json").read_text(encoding="utf-8"))


def _modules() -> Iterator[Path]:
    for package in PACKAGES:
        yield from sorted((ROOT / package).rglob("*.py"))


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _calls(path: Path) -> Iterator[tuple[int, str, ast.Call]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            yield node.lineno, _name(node.func), node


def _first_key(call: ast.Call) -> str | None:
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def _literal_words(node: ast.AST) -> bool:
    """A string literal, f-string or `"..." % x` / `"..." + x` that contains a word of its own."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(WORD.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_literal_words(part) for part in node.values if isinstance(part, ast.Constant))
    if isinstance(node, ast.BinOp):
        return _literal_words(node.left) or _literal_words(node.right)
    return False


def _fields(template: str) -> set[str]:
    braces = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    percent = set(re.findall(r"%\((\w+)\)", template)) | ({"%s"} if "%s" in template else set())
    return braces | percent


def test_every_message_key_is_in_both_languages() -> None:
    nl, en = _catalogue("nl"), _catalogue("en")
    missing = []
    for path in _modules():
        rel = path.relative_to(ROOT).as_posix()
        for line, name, call in _calls(path):
            key = _first_key(call)
            looks_like_key = key is not None and "." in key and " " not in key
            if looks_like_key and (name in KEY_CALLS or name == "text"):
                missing += [
                    f"{rel}:{line}: {key!r} not in {lang}.json"
                    for lang, c in (("nl", nl), ("en", en))
                    if key not in c
                ]
    assert not missing, "\n".join(missing)


def test_user_errors_name_a_key_not_a_sentence() -> None:
    catalogue = _catalogue("nl")
    raised = {"UserError", "InvalidValue", *_key_first_classes()}
    sentences = []
    for path in _modules():
        rel = path.relative_to(ROOT).as_posix()
        if rel in NOT_YET:
            continue
        for line, name, call in _calls(path):
            if name in raised and call.args:
                key = _first_key(call)
                if key is None or key not in catalogue:
                    sentences.append(f"{rel}:{line}: {ast.unparse(call.args[0])[:70]}")
    assert not sentences, "UserErrors that are not catalogue keys:\n" + "\n".join(sentences)
    done = [m for m in NOT_YET if not any(n == "UserError" for _, n, _ in _calls(ROOT / m))]
    assert not done, f"no plain-sentence errors left, remove from NOT_YET: {done}"


def _user_error_classes() -> dict[str, tuple[str, ast.ClassDef]]:
    """Our subclasses of `UserError` (by name, transitively): their sentence is the key they pass up."""
    classes = {
        node.name: (path.relative_to(ROOT).as_posix(), node)
        for path in _modules()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef)
    }
    found: dict[str, tuple[str, ast.ClassDef]] = {}
    grown = True
    while grown:
        grown = False
        for name, (rel, node) in classes.items():
            bases = {_name(base) for base in node.bases}
            if name not in found and bases & ({"UserError"} | set(found)):
                found[name] = (rel, node)
                grown = True
    return found


def _key_first_classes() -> set[str]:
    """Subclasses of `UserError` that take its key as their first argument (`FrogError("error.frog.timeout",
    seconds=...)`): those with no `__init__` of their own, nor in a class between them and `UserError`; a
    class with its own (`NotVisible(session_id)`) is checked by the test below instead."""
    classes = _user_error_classes()

    def own_init(name: str) -> bool:
        node = classes[name][1]
        if any(isinstance(n, ast.FunctionDef) and n.name == "__init__" for n in node.body):
            return True
        return any(own_init(b) for b in (_name(base) for base in node.bases) if b in classes)

    return {name for name in classes if not own_init(name)}


def test_user_error_subclasses_pass_a_key_up() -> None:
    """`class NotVisible(UserError)` calling `super().__init__(f"There is no ...")` would slip past the test
    above (the call is not named UserError): its first argument must be a catalogue key too."""
    catalogue = _catalogue("nl")
    sentences = []
    for name, (rel, node) in _user_error_classes().items():
        for call in ast.walk(node):
            if (
                isinstance(call, ast.Call)
                and _name(call.func) == "__init__"
                and isinstance(call.func, ast.Attribute)
                and isinstance(call.func.value, ast.Call)
                and _name(call.func.value.func) == "super"
                and call.args
                and _first_key(call) not in catalogue
            ):
                sentences.append(f"{rel}:{call.lineno}: {name}: {ast.unparse(call.args[0])[:70]}")
    assert not sentences, "UserError subclasses that pass up a sentence, not a key:\n" + "\n".join(sentences)


def test_dutch_and_english_texts_have_the_same_fields() -> None:
    nl, en = _catalogue("nl"), _catalogue("en")
    assert set(nl) == set(en), (
        f"only Dutch: {sorted(set(nl) - set(en))}; only English: {sorted(set(en) - set(nl))}"
    )
    differ = [key for key in nl if _fields(nl[key]) != _fields(en[key])]
    assert not differ, f"fields differ between nl and en: {differ}"


def test_nothing_prints_a_literal_sentence() -> None:
    """`print("Gespreksspiegel dashboard: ...")` in any package (the launch line was one): English only."""
    literal = []
    for path in _modules():
        rel = path.relative_to(ROOT).as_posix()
        for line, name, call in _calls(path):
            if name in ("print", "write") and call.args and _literal_words(call.args[0]):
                literal.append(f"{rel}:{line}")
    assert not literal, f"print a catalogue text (cli.lang.say, core.texts.user_text) instead: {literal}"


def _log_level(call: ast.Call) -> str | None:
    """`log.warning(...)` → "warning" (only on a logger's name: `st.warning` is the dashboard's own)."""
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in LOGGERS:
        return func.attr
    return None


def test_log_lines_the_user_sees_are_catalogue_texts() -> None:
    """A warning is printed without `-v` (`spiegel import` waiting for a locked database): in the user's
    language, so `log.warning(user_text("log.db.waiting", ...))`, never `log.warning("The database ...")`."""
    literal = []
    for path in _modules():
        rel = path.relative_to(ROOT).as_posix()
        for line, _name, call in _calls(path):
            if _log_level(call) in USER_LOG_LEVELS and call.args and _literal_words(call.args[0]):
                literal.append(f"{rel}:{line}: {ast.unparse(call.args[0])[:70]}")
    assert not literal, "warning/error log lines written as English sentences:\n" + "\n".join(literal)


def test_rule_file_problems_are_catalogue_keys() -> None:
    """`spiegel patterns check` lists each problem of a rule file (`file:line: problem`): a `ValueError`
    with an English sentence in the rule checks would print English in the Dutch interface."""
    plain = [
        f"{rel}:{line}: {ast.unparse(call)[:70]}"
        for rel in RULE_CHECK_MODULES
        for line, name, call in _calls(ROOT / rel)
        if name == "ValueError"
    ]
    assert not plain, "raise InvalidValue('rules.<key>', ...) instead:\n" + "\n".join(plain)
