"""Frog's answers as spaCy's annotation: CGN tags to Universal POS and features, multi-word units split back
into words, Frog's words lined up with spaCy's tokens.

Pure functions over Frog's JSON, with no process in sight, so the mapping is tested without Frog installed
(`tests/tagger/test_frog.py`); the process lives in `tagger/frog_process.py`, the component in `tagger/frog.py`.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

# ---------------------------------------------------------------------------------------------------------
# CGN tag -> Universal POS and morphological features


_UPOS = {
    "ADJ": "ADJ",
    "BW": "ADV",
    "LET": "PUNCT",
    "LID": "DET",
    "TSW": "INTJ",
    "VZ": "ADP",
    "WW": "VERB",
}
_PRONTYPE = {
    "pers": "Prs",
    "refl": "Prs",
    "pr": "Prs",
    "recip": "Rcp",
    "bez": "Prs",
    "vb": "Int",
    "vrag": "Int",
    "aanw": "Dem",
    "betr": "Rel",
    "onbep": "Ind",
    "excl": "Exc",
}
_PERSON = {"1": "1", "2": "2", "2v": "2", "2b": "2", "3": "3", "3p": "3", "3m": "3", "3v": "3", "3o": "3"}
_DEGREE = {"basis": "Pos", "comp": "Cmp", "sup": "Sup"}
_NUMBER = {"ev": "Sing", "mv": "Plur", "met-t": "Sing"}
#: The few Dutch lemmas the mapping needs (auxiliaries, copulas, negations) live in `tagger/data/frog.json`.
_DATA = json.loads(resources.files("tagger").joinpath("data/frog.json").read_text(encoding="utf-8"))
_AUX_LEMMAS = frozenset(_DATA["aux_lemmas"])
_COPULA_LEMMAS = frozenset(_DATA["copula_lemmas"])
_NEGATIVE_LEMMAS = frozenset(_DATA["negative_lemmas"])


def parse_cgn(tag: str) -> tuple[str, list[str]]:
    """`"WW(pv,verl,ev)"` -> `("WW", ["pv", "verl", "ev"])`."""
    head, _, rest = tag.partition("(")
    feats = [f.strip() for f in rest.rstrip(")").split(",") if f.strip()]
    return head.strip(), feats


def cgn_to_ud(tag: str, lemma: str = "") -> tuple[str, dict[str, str]]:
    """Universal POS and UD features of one CGN tag (a verb is `VERB`; `FrogAnnotator` decides `AUX`)."""
    head, feats = parse_cgn(tag)
    fs = set(feats)
    morph: dict[str, str] = {}
    if head == "N":
        pos = "PROPN" if "eigen" in fs else "NOUN"
    elif head == "VNW":
        pos = "DET" if "prenom" in fs or "det" in fs else "PRON"
    elif head == "TW":
        pos = "ADJ" if "rang" in fs else "NUM"
        morph["NumType"] = "Ord" if "rang" in fs else "Card"
    elif head == "VG":
        pos = "SCONJ" if "onder" in fs else "CCONJ"
    elif head == "SPEC":
        pos = {"deeleigen": "PROPN", "symb": "SYM"}.get(feats[0] if feats else "", "X")
        if "afk" in fs:
            morph["Abbr"] = "Yes"
        if "vreemd" in fs:
            morph["Foreign"] = "Yes"
    else:
        pos = _UPOS.get(head, "X")
    if head == "WW":
        if "pv" in fs:
            morph["VerbForm"] = "Fin"
            if "verl" in fs:
                morph["Tense"], morph["Mood"] = "Past", "Ind"
            elif "conj" in fs:
                morph["Tense"], morph["Mood"] = "Pres", "Sub"
            else:
                morph["Tense"], morph["Mood"] = "Pres", "Ind"
        elif "inf" in fs:
            morph["VerbForm"] = "Inf"
        elif "vd" in fs:
            morph["VerbForm"], morph["Tense"] = "Part", "Past"
        elif "od" in fs:
            morph["VerbForm"], morph["Tense"] = "Part", "Pres"
    if head in ("N", "WW", "VNW", "LID"):
        for f in feats:
            if f in _NUMBER:
                morph["Number"] = _NUMBER[f]
        if "zijd" in fs:
            morph["Gender"] = "Com"
        elif "onz" in fs:
            morph["Gender"] = "Neut"
    if head in ("ADJ", "VNW", "BW"):
        for f in feats:
            if f in _DEGREE and head != "VNW":
                morph["Degree"] = _DEGREE[f]
    if head == "VNW":
        for f in feats:
            if f in _PRONTYPE:
                morph["PronType"] = _PRONTYPE[f]
                break
        for f in feats:
            if f in _PERSON:
                morph["Person"] = _PERSON[f]
        if "bez" in fs:
            morph["Poss"] = "Yes"
        if "refl" in fs:
            morph["Reflex"] = "Yes"
        if "nomin" in fs:
            morph["Case"] = "Nom"
    if head == "LID":
        morph["PronType"] = "Art"
        if "bep" in fs:
            morph["Definite"] = "Def"
        elif "onbep" in fs:
            morph["Definite"] = "Ind"
    if lemma.lower() in _NEGATIVE_LEMMAS:
        morph["Polarity"] = "Neg"
    return pos, morph


# ---------------------------------------------------------------------------------------------------------
# Frog's answer for one sentence, multi-word units split back into words


@dataclass(slots=True)
class FrogWord:
    text: str
    lemma: str
    tag: str
    confidence: float
    head: int | None  # index into the sentence's FrogWords; -1 = root; None = not parsed
    dep: str


def expand(answer: Sequence[dict[str, Any]]) -> list[FrogWord]:
    """Frog's JSON words of one sentence as words, a multi-word unit ("New_York", tag
    "SPEC(deeleigen)_SPEC(deeleigen)") split into its parts (the first part carries the unit's head and
    relation, the others hang from it as `mwp`). A unit whose parts do not split evenly stays whole."""
    parts_of: list[list[tuple[str, str, str]]] = []
    for w in answer:
        text, lemma, tag = (
            str(w.get("word", "")),
            str(w.get("lemma", "")),
            str(w.get("pos", {}).get("tag", "")),
        )
        ps = text.split("_")
        tags = tag.split("_")
        if len(ps) > 1 and len(tags) == len(ps) and all(ps):
            lemmas = lemma.split("_")
            if len(lemmas) != len(ps):
                lemmas = ps
            parts_of.append(list(zip(ps, lemmas, tags, strict=True)))
        else:
            parts_of.append([(text, lemma, tag)])
    first: list[int] = []
    n = 0
    for parts in parts_of:
        first.append(n)
        n += len(parts)
    words: list[FrogWord] = []
    for i, (w, parts) in enumerate(zip(answer, parts_of, strict=True)):
        parse = w.get("parse") or {}
        head: int | None = None
        dep = ""
        if "parse_index" in parse:
            h = int(parse["parse_index"])
            head = -1 if h == 0 or not 0 < h <= len(first) else first[h - 1]
            dep = str(parse.get("parse_role", ""))
            if dep in ("", "None"):  # Frog writes "None" where it found a head but no relation
                dep = "dep"
        conf = float((w.get("pos") or {}).get("confidence", 0.0))
        for k, (text, lemma, tag) in enumerate(parts):
            if k == 0:
                words.append(FrogWord(text, lemma, tag, conf, head, dep))
            else:
                words.append(FrogWord(text, lemma, tag, conf, None if head is None else first[i], "mwp"))
    return words


def align(tokens: Sequence[str], words: Sequence[FrogWord]) -> list[int | None]:
    """For each token, the index of the Frog word with the same text in the matching stretch of both
    sequences, or None where they differ."""
    out: list[int | None] = [None] * len(tokens)
    texts = [w.text for w in words]
    if list(tokens) == texts:
        return list(range(len(tokens)))
    sm = difflib.SequenceMatcher(None, list(tokens), texts, autojunk=False)
    for a, b, size in sm.get_matching_blocks():
        for k in range(size):
            out[a + k] = b + k
    return out
