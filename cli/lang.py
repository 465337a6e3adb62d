"""The command line in the user's language: Dutch by default, English with `--lang en` or `SPIEGEL_LANG=en`.

Every message the command prints (errors, warnings, progress labels, summaries) is a key of the catalogue
`core/texts/<lang>.json` (`cli.*`, `error.*`), printed with `say`. The language is read from the command line
before argparse runs, so even a usage error is in the user's language: argparse's own error sentences
(`the following arguments are required: ...`) are looked up in the catalogue through `argparse_in`, which
stands in for argparse's gettext while the command line is parsed. The `--help` texts stay English (one text
for the README, the docs and a search engine; decided in the README).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from core import texts

#: argparse's error sentences (its gettext message ids) → our catalogue keys (same %-fields).
ARGPARSE_KEYS = {
    "argument %(argument_name)s: %(message)s": "cli.argparse.argument",
    "the following arguments are required: %s": "cli.argparse.required",
    "unrecognized arguments: %s": "cli.argparse.unrecognized",
    "invalid choice: %(value)r (choose from %(choices)s)": "cli.argparse.choice",
    "invalid %(type)s value: %(value)r": "cli.argparse.invalid",
    "expected one argument": "cli.argparse.one",
    "expected at most one argument": "cli.argparse.at_most_one",
    "expected at least one argument": "cli.argparse.at_least_one",
    "ambiguous option: %(option)s could match %(matches)s": "cli.argparse.ambiguous",
    "not allowed with argument %s": "cli.argparse.not_with",
    "one of the arguments %s is required": "cli.argparse.one_of",
    "ignored explicit argument %r": "cli.argparse.ignored",
}


def lang_in_argv(argv: Sequence[str]) -> str | None:
    """The value of `--lang X` / `--lang=X` on the command line (before `--`), if it names our language."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            return texts.lang_code(argv[i + 1])
        if arg.startswith("--lang="):
            return texts.lang_code(arg.split("=", 1)[1])
    return None


def t(key: str, **fields: Any) -> str:
    """A catalogue text in this run's language."""
    return texts.text(key, texts.user_lang(), **fields)


def say(key: str, **fields: Any) -> None:
    """One message line on stderr (stdout is for results the user asked for)."""
    print(t(key, **fields), file=sys.stderr)


def _gettext(message: str) -> str:
    key = ARGPARSE_KEYS.get(message)
    return t(key) if key and texts.has(key, texts.user_lang()) else message


@contextlib.contextmanager
def argparse_in() -> Iterator[None]:
    """argparse's error sentences from our catalogue while the command line is parsed."""
    saved = argparse._  # type: ignore[attr-defined]
    argparse._ = _gettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._ = saved  # type: ignore[attr-defined]


def add_lang_option(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """`--lang nl|en` for the messages; on a subcommand it must not overwrite a value given before it."""
    parser.add_argument(
        "--lang",
        dest="ui_lang",
        choices=list(texts.LANGS),
        default=None if top else argparse.SUPPRESS,
        help=f"language of the messages (default: ${texts.LANG_ENV}, else nl)",
    )
