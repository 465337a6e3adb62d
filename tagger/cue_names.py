"""The "why" of an orientation in words: the cue names of the orientation model as phrases people read.

`TagResult.orientation_cues` holds the names of the features that pushed an orientation hardest
(`tagger/orientation_model.py`): `lex.pos`, `mark.past`, `l:helpen` (a lemma), `l!gek` (a lemma inside the
scope of a negation), `p:gevo` (the first letters of a longer word), `label.compliment`, `label:compliment`
(a technique label that settled it). Those names are the model's columns, not words for a practitioner, so
the dashboard and the report show them through the text catalogue (`cue.<name>` keys, `core/texts/<lang>.json`):
a word cue shows its word, a label cue the label's display name. The naming scheme lives here, beside the
tagger that makes the names, so a new family is added in one place.

A name the catalogue does not know (a newly fitted feature, a rule id of the fallback orientation) is left
out rather than shown raw; when nothing is left, there is no "why" to show.
"""

from __future__ import annotations

from collections.abc import Iterable

from core.texts import has, label_name, text

#: How a word cue's name begins → the catalogue key of its phrase (the rest of the name is the word).
WORD_FAMILIES: tuple[tuple[str, str], ...] = (
    ("l:", "cue.word"),
    ("l!", "cue.word_negated"),
    ("p:", "cue.prefix"),
    ("p!", "cue.prefix_negated"),
)
#: How a label cue's name begins → the catalogue key of its phrase (the rest of the name is the label).
LABEL_FAMILIES: tuple[tuple[str, str], ...] = (("label:", "cue.technique"), ("label.", "cue.label"))


def cue_phrase(name: str, lang: str) -> str | None:
    """One cue in words (plain text: the caller escapes it for HTML), or None for a name we have no words for."""
    for prefix, key in WORD_FAMILIES:
        if name.startswith(prefix) and len(name) > len(prefix):
            return text(key, lang, word=name[len(prefix) :])
    for prefix, key in LABEL_FAMILIES:
        if name.startswith(prefix) and len(name) > len(prefix):
            return text(key, lang, label=label_name(name[len(prefix) :], lang))
    key = f"cue.{name}"
    return text(key, lang) if has(key, lang) else None


def cue_phrases(names: Iterable[str], lang: str) -> list[str]:
    """The cues in words, strongest first, each once; names without words left out."""
    phrases = (cue_phrase(str(name), lang) for name in names)
    return list(dict.fromkeys(p for p in phrases if p))


def orientation_why(orientation: str, names: object, lang: str) -> str:
    """ "Richting: oplossingsgericht — vooral door: positieve woorden, het woord ‘helpen’"; "" without cues
    in words (rows stored before cues were kept, a hand-set orientation). `names` is what a row holds: a
    list or array of names, or None/NaN where the database has none."""
    listed = names if isinstance(names, Iterable) and not isinstance(names, str) else ()
    phrases = cue_phrases(listed, lang)
    if not phrases:
        return ""
    name = text(f"orientation.{orientation}", lang)
    return text("why.orientation", lang, orientation=name, cues=", ".join(phrases))
