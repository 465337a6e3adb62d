"""The inputs of a run: files as given, folders expanded to the files a command can read."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from core.texts import user_text

log = logging.getLogger(__name__)


def expand_inputs(paths: Sequence[Path], extensions: frozenset[str]) -> list[Path]:
    """Files as given; folders expanded to their files with a known extension (sorted, recursive)."""
    expanded: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in extensions)
            if not found:
                log.warning(user_text("log.inputs.empty_folder"))
            expanded.extend(found)
        else:
            expanded.append(path)
    return expanded
