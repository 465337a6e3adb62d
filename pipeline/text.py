"""Small text utilities shared by importers and the audio path: sentence splitting and language guessing."""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

#: A sentence ends at . ? ! or … followed by space and a capital/quote/digit; "bijv. dat" does not split.
_SENTENCE_END = re.compile(r"(?<=[.?!…])\s+(?=[\"'“‘(]?[A-ZÀ-ÖØ-Þ0-9])")


def split_sentences(text: str) -> list[str]:
    """Split a speaker's turn into sentences so each gets its own orientation; never returns empty strings."""
    parts = [part.strip() for part in _SENTENCE_END.split(text.strip())]
    return [part for part in parts if part]


@cache
def _cues() -> dict[str, frozenset[str]]:
    data = json.loads(resources.files("pipeline").joinpath("language_cues.json").read_text(encoding="utf-8"))
    return {lang: frozenset(words) for lang, words in data.items() if not lang.startswith("_")}


def guess_language(texts: list[str], default: str = "nl") -> str:
    """'nl' or 'en' by counting function words; `default` when there is too little text to tell."""
    cues = _cues()
    counts = dict.fromkeys(cues, 0)
    for text in texts:
        for token in re.findall(r"[a-zà-ÿ']+", text.lower()):
            for lang, words in cues.items():
                if token in words:
                    counts[lang] += 1
    best = max(counts, key=lambda lang: counts[lang])
    return best if counts[best] >= 3 and counts[best] > 1.2 * min(counts.values()) else default
