"""The tagger's `spiegel` subcommands: `tag`, `eval` and `patterns check`.

`register(subparsers)` adds them to the project CLI; each sets `func(args) -> int` (the exit code).
Nothing here imports spaCy until a command runs.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from core.errors import UserError
from core.texts import user_text

log = logging.getLogger(__name__)


def _tag(args: argparse.Namespace) -> int:
    from tagger.jsonl import tag_jsonl

    try:
        n = tag_jsonl(args.input, args.output, args.patterns or (), default_lang=args.lang)
    except UserError as exc:
        sys.stderr.write(f"{exc}\n")
        return 1
    log.info("wrote %d tagged utterances", n)
    return 0


def _eval(args: argparse.Namespace) -> int:
    from tagger.evaluate import run_args

    return run_args(args)


def _check(args: argparse.Namespace) -> int:
    from tagger.rules import builtin_rule_lines, validate_paths

    paths = [Path(p) for p in args.paths]
    if not paths:
        import tagger.patterns

        root = Path(tagger.patterns.__file__).parent
        paths = [root / "nl", root / "en"]
        problems = [p for path in paths for p in validate_paths([path])]
    else:
        known = [obj.get("id") for lang in ("nl", "en") for _, _, obj in builtin_rule_lines(lang)]
        problems = validate_paths(paths, known_ids=[k for k in known if isinstance(k, str)])
    for problem in problems:
        sys.stderr.write(f"{problem}\n")
    if problems:
        return 1
    sys.stdout.write(user_text("cli.patterns_ok") + "\n")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `tag`, `eval` and `patterns check` to the `spiegel` command."""
    p = subparsers.add_parser(
        "tag",
        help="tag utterances in a JSONL file (tekst taggen zonder audio)",
        description="Read {text, lang, speaker} lines; add orientation, labels, tags, scale_value.",
    )
    p.add_argument("--input", required=True, type=Path, help="input JSONL")
    p.add_argument("--output", required=True, type=Path, help="output JSONL (written whole or not at all)")
    p.add_argument(
        "--patterns",
        nargs="*",
        type=Path,
        default=[],
        help="extra rule files or folders (organisation rules)",
    )
    p.add_argument("--lang", choices=["nl", "en"], default="nl", help="language of lines without 'lang'")
    p.set_defaults(func=_tag)

    from tagger.evaluate import add_arguments

    e = subparsers.add_parser("eval", help="measure the tagger on the development set or a gold JSONL file")
    add_arguments(e)
    e.set_defaults(func=_eval)

    pat = subparsers.add_parser("patterns", help="tagger rule files (patroonbestanden)")
    pat_sub = pat.add_subparsers(dest="patterns_command", required=True)
    c = pat_sub.add_parser("check", help="validate rule files: file:line: problem, exit 1 when any")
    c.add_argument("paths", nargs="*", help="rule files or folders (default: the built-in rules)")
    c.set_defaults(func=_check)
