"""`spiegel tag`: tag a JSONL file of utterances (the evaluation contract of taxonomy.md).

Each input line is `{"text": ..., "lang": "nl"|"en", "speaker": "practitioner"|"client"|null, ...}`;
the output line is the same object plus `orientation`, `labels`, `tags` and `scale_value`. Lines form one
conversation per
language in file order (a scale answer links to the scale question before it), unless a line carries its own
`context`: a string or list of strings (the preceding utterances), used instead.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from core.errors import UserError
from core.formatting import count
from core.records import TagResult
from core.texts import user_lang
from tagger.api import MAX_TEXT_CHARS

log = logging.getLogger(__name__)


def parse_lines(lines: Iterable[str], source: Path | str) -> Iterator[tuple[int, Any]]:
    """(line number, object) for each non-empty JSONL line; a malformed line is a `UserError` naming it."""
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield lineno, json.loads(line)
        except json.JSONDecodeError as exc:
            raise UserError("error.tag.json", line=lineno, path=source, reason=exc.msg) from exc


def read_items(input_path: Path, default_lang: str = "nl") -> list[dict[str, Any]]:
    """Read and check the input lines; a malformed line raises `UserError` naming its line number."""
    try:
        lines = Path(input_path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise UserError("error.tag.no_input", path=input_path) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError("error.tag.read", path=input_path, kind=exc.__class__.__name__) from exc
    items = []
    for lineno, obj in parse_lines(lines, input_path):
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            raise UserError("error.tag.no_text", line=lineno, path=input_path)
        if len(obj["text"]) > MAX_TEXT_CHARS:
            raise UserError(
                "error.tag.line_too_long",
                line=lineno,
                path=input_path,
                chars=count(len(obj["text"]), user_lang()),
                limit=count(MAX_TEXT_CHARS, user_lang()),
            )
        lang = obj.get("lang") or default_lang
        if lang not in ("nl", "en"):
            raise UserError("error.tag.line_lang", line=lineno, path=input_path, lang=lang)
        speaker = obj.get("speaker")
        if speaker is not None and not isinstance(speaker, str):
            raise UserError("error.tag.speaker", line=lineno, path=input_path)
        context = obj.get("context")
        if context is not None and not (
            isinstance(context, str)
            or (isinstance(context, list) and all(isinstance(c, str | dict) for c in context))
        ):
            raise UserError("error.tag.context", line=lineno, path=input_path)
        items.append(obj)
    return items


def _context_items(context: Any) -> list[tuple[str, str | None]]:
    """A `context` field as (text, role) pairs: strings are practitioner turns unless given as objects."""
    if isinstance(context, str):
        context = [context]
    out = []
    for c in context:
        if isinstance(c, dict):
            out.append((str(c.get("text", "")), c.get("speaker")))
        else:
            out.append((c, "practitioner"))
    return out


def tag_items(
    items: Sequence[dict[str, Any]], extra_patterns: Sequence[Path] = (), default_lang: str = "nl"
) -> list[TagResult]:
    """Tag input objects (from `read_items`): one conversation per language, or each with its context."""
    from tagger.api import load_tagger

    results: list[TagResult | None] = [None] * len(items)
    by_lang: dict[str, list[int]] = {}
    for i, obj in enumerate(items):
        lang = obj.get("lang") or default_lang
        if obj.get("context") is not None:
            tagger = load_tagger(lang, extra_patterns)
            conv = [*_context_items(obj["context"]), (obj["text"], obj.get("speaker"))]
            results[i] = tagger.tag_conversation(conv)[-1]
        else:
            by_lang.setdefault(lang, []).append(i)
    for lang, idxs in by_lang.items():
        tagger = load_tagger(lang, extra_patterns)
        tagged = tagger.tag_conversation([(items[i]["text"], items[i].get("speaker")) for i in idxs])
        for i, res in zip(idxs, tagged, strict=True):
            results[i] = res
    return [r for r in results if r is not None]


def result_fields(result: TagResult) -> dict[str, Any]:
    """The fields `spiegel tag` adds to an input object."""
    return {
        "orientation": str(result.orientation),
        "labels": result.labels,
        "tags": [asdict(t) for t in result.tags],
        "scale_value": result.scale_value,
    }


def tag_jsonl(
    input_path: Path, output_path: Path, extra_patterns: Sequence[Path] = (), default_lang: str = "nl"
) -> int:
    """Tag every line of `input_path` into `output_path` (written whole or not at all); returns the count."""
    items = read_items(Path(input_path), default_lang)
    results = tag_items(items, extra_patterns, default_lang)
    output_path = Path(output_path)
    directory = output_path.parent if str(output_path.parent) else Path()
    if not directory.is_dir():
        raise UserError("error.tag.no_folder", path=directory)
    fd, tmp = tempfile.mkstemp(prefix=".spiegel-tag-", suffix=".jsonl", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for obj, res in zip(items, results, strict=True):
                fh.write(json.dumps({**obj, **result_fields(res)}, ensure_ascii=False) + "\n")
        Path(tmp).replace(output_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    log.info("tagged %d utterances", len(items))
    return len(items)
