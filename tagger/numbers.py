"""Reading scale scores (0-10) from words: digits, Dutch and English number words, halves and ranges.

Whisper writes most numbers as digits ("ik zit op 6"), people say "een zesje", "zes en een half",
"tussen de vijf en zes" or "a six"; all of them become a float. Everything works on lower-case token
texts, so it can run on a spaCy Doc or on a plain split string.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_BASE = {
    # Dutch
    "nul": 0, "één": 1, "eén": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7,
    "acht": 8, "negen": 9, "tien": 10,
    # English
    "zero": 0, "nought": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip
_DIMINUTIVE = {
    "nulletje": 0, "eentje": 1, "tweetje": 2, "drietje": 3, "viertje": 4, "vijfje": 5, "zesje": 6,
    "zevende": None, "zeventje": 7, "achtje": 8, "negentje": 9, "tientje": 10,
}  # fmt: skip
_DUTCH_STEMS = {
    k: v
    for k, v in _BASE.items()
    if k in ("nul", "één", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien")
}

WORDS: dict[str, float] = {k: float(v) for k, v in _BASE.items()}
WORDS.update({k: float(v) for k, v in _DIMINUTIVE.items() if v is not None})
for _w, _v in list(_DUTCH_STEMS.items()):
    for _suffix in ("enhalf", "eneenhalf", "-en-een-half", "-en-half"):
        WORDS[_w + _suffix] = _v + 0.5
    WORDS[_w + "ënhalf"] = _v + 0.5
WORDS["anderhalf"] = 1.5
WORDS["eenenhalf"] = 1.5
WORDS["half"] = 0.5  # only used after "en"/"and"

#: One token that is a scale number (used by the `#scale` token of the pattern language).
SCALE_NUMBER_REGEX = (
    r"^(10|\d([.,]\d{1,2})?½?|\d[-–/]\d{1,2}|"
    + "|".join(sorted((re.escape(w) for w in WORDS if w != "half"), key=len, reverse=True))
    + ")$"
)

_DIGIT_RE = re.compile(r"^(\d{1,2})(?:[.,](\d{1,2}))?(½)?$")
_RANGE_RE = re.compile(r"^(\d{1,2}(?:[.,]\d)?)[-–/](\d{1,2}(?:[.,]\d)?)$")

#: Words that join two numbers into a range ("vijf à zes", "a five or six").
RANGE_JOINERS = frozenset({"à", "a", "of", "tot", "or", "to", "-", "–", "/", "en", "and"})
#: Words after a number that show it is not a scale score ("6 jaar", "3 keer", "a two hour drive").
UNIT_WORDS = frozenset(
    [
        "jaar",
        "jaren",
        "jaartjes",
        "maand",
        "maanden",
        "week",
        "weken",
        "weekje",
        "dag",
        "dagen",
        "dagje",
        "uur",
        "uren",
        "uurtje",
        "minuten",
        "minuut",
        "keer",
        "keren",
        "kinderen",
        "kind",
        "broers",
        "zussen",
        "euro",
        "procent",
        "%",
        "kilo",
        "kilometer",
        "km",
        "glazen",
        "glas",
        "biertjes",
        "bier",
        "sigaretten",
        "sigaret",
        "flessen",
        "fles",
        "pilletjes",
        "pillen",
        "tabletten",
        "punt",
        "punten",
        "puntje",
        "puntjes",
        "stap",
        "stappen",
        "stapje",
        "stapjes",
        "jaartje",
        "keertjes",
        "nachten",
        "nacht",
        "man",
        "mensen",
        "vrienden",
        "uur's",
        "dingen",
        "vragen",
        "sessies",
        "gesprekken",
        "afspraken",
        "kopjes",
        "kopje",
        "koppen",
        "year",
        "years",
        "month",
        "months",
        "week",
        "weeks",
        "day",
        "days",
        "hour",
        "hours",
        "minute",
        "minutes",
        "times",
        "time",
        "kids",
        "children",
        "brothers",
        "sisters",
        "dollars",
        "pounds",
        "percent",
        "kilos",
        "miles",
        "drinks",
        "drink",
        "beers",
        "beer",
        "cigarettes",
        "cigarette",
        "bottles",
        "bottle",
        "glasses",
        "glass",
        "pills",
        "point",
        "points",
        "step",
        "steps",
        "nights",
        "night",
        "people",
        "friends",
        "things",
        "questions",
        "sessions",
        "cups",
        "cup",
        "o'clock",
        "am",
        "pm",
        "pack",
        "packs",
    ]
)
#: Words before "one" that make it a pronoun ("that one"), not a number.
_ONE_PRONOUN_BEFORE = frozenset(
    [
        "that",
        "this",
        "the",
        "which",
        "every",
        "no",
        "any",
        "some",
        "each",
        "other",
        "another",
        "little",
        "big",
        "new",
        "last",
        "first",
        "only",
        "right",
        "wrong",
        "no-one",
        "someone",
        "anyone",
        "everyone",
    ]
)


@dataclass(frozen=True)
class NumberHit:
    """A number found in a token list: tokens [start, end) and its value."""

    start: int
    end: int
    value: float


def word_value(word: str) -> float | None:
    """The value of one token ("6", "6,5", "zesje", "vijfenhalf", "seven"), or None."""
    w = word.lower()
    if w in WORDS and w != "half":
        return WORDS[w]
    m = _DIGIT_RE.match(w)
    if m:
        value = float(m.group(1))
        if m.group(2):
            value += float("0." + m.group(2))
        if m.group(3):
            value += 0.5
        return value
    return None


def _range_token(word: str) -> float | None:
    m = _RANGE_RE.match(word)
    if not m:
        return None
    a, b = (float(x.replace(",", ".")) for x in m.groups())
    if 0 < b - a <= 2:
        return (a + b) / 2
    return None


def _half_after(words: Sequence[str], i: int) -> int:
    """Number of tokens after position i that add a half ("en een half", "and a half", "komma vijf")."""
    n = len(words)
    if i < n and words[i] in ("en", "and", "'n", "n"):
        if i + 2 < n and words[i + 1] in ("een", "a") and words[i + 2] == "half":
            return 3
        if i + 1 < n and words[i + 1] == "half":
            return 2
    if i + 1 < n and words[i] in ("komma", "point") and words[i + 1] in ("vijf", "five", "5"):
        return 2
    if i < n and words[i] == "½":
        return 1
    return 0


def read_number(words: Sequence[str], i: int) -> tuple[float, int] | None:
    """Read a number expression starting at token i; returns (value, tokens used) or None.

    Handles "zes en een half", "six and a half", "zes komma vijf", "5-6", "vijf à zes", "a five or six",
    "tussen de vijf en zes" (when i points at "tussen"/"between").
    """
    n = len(words)
    w = words[i]
    if w in ("tussen", "between"):
        j = i + 1
        if j < n and words[j] in ("de", "the", "een", "a"):
            j += 1
        first = read_number(words, j) if j < n else None
        if first and j + first[1] + 1 < n and words[j + first[1]] in ("en", "and"):
            k = j + first[1] + 1
            if k < n and words[k] in ("een", "a"):
                k += 1
            second = read_number(words, k) if k < n else None
            if second and 0 < second[0] - first[0] <= 2:
                return (first[0] + second[0]) / 2, k + second[1] - i
        return None
    rng = _range_token(w)
    if rng is not None:
        return rng, 1
    value = word_value(w)
    if value is None:
        return None
    used = 1
    half = _half_after(words, i + 1)
    if half and value == int(value):
        return value + 0.5, used + half
    # ranges: "5 - 6", "vijf à zes", "a five or a six", "zes, zeven"
    j = i + 1
    if j < n and words[j] in RANGE_JOINERS and words[j] not in ("en", "and", "to", "tot"):
        k = j + 1
        if k < n and words[k] in ("een", "a", "an"):
            k += 1
        if k < n:
            other = word_value(words[k])
            if other is not None and 0 < other - value <= 1.5:
                return (value + other) / 2, k + 1 - i
    return value, used


#: Words a number expression can start with (besides digits); other tokens are skipped without parsing.
_STARTS = frozenset(w for w in WORDS if w != "half") | {"tussen", "between"}


def find_numbers(words: Sequence[str]) -> list[NumberHit]:
    """All plausible scale numbers (0-10) in a lower-case token list, skipping units and scale definitions.

    "van 0 tot 10", "from 1 to 10", "0 being", "10 means" describe a scale, not a position; "6 jaar",
    "two drinks" are amounts; "that one" is a pronoun.
    """
    hits: list[NumberHit] = []
    n = len(words)
    i = 0
    starts = _STARTS
    while i < n:
        w = words[i]
        if w not in starts and not (w and w[0].isdigit()):
            i += 1
            continue
        read = read_number(words, i)
        if read is None:
            i += 1
            continue
        value, used = read
        end = i + used
        nxt = words[end] if end < n else ""
        prev = words[i - 1] if i > 0 else ""
        skip = False
        if nxt in UNIT_WORDS or not 0 <= value <= 10:
            skip = True
        elif nxt in ("tot", "to", "through", "-") and end + 1 < n and word_value(words[end + 1]) is not None:
            other = word_value(words[end + 1]) or 0.0
            if other - value > 2:  # a scale definition "0 tot 10"
                i = end + 2
                continue
            if other > value:  # "5 tot 6": a range answer
                value, end = (value + other) / 2, end + 2
        elif (
            (prev in ("tot", "to", "through") and i >= 2 and word_value(words[i - 2]) is not None)
            or (words[i] == "one" and (prev in _ONE_PRONOUN_BEFORE or nxt in ("of", "who", "that", "thing")))
            or (
                nxt in ("being", "is", "means", "meaning", "staat", "betekent", "=")
                and prev
                in (
                    "",
                    ",",
                    "and",
                    "en",
                    "with",
                    "met",
                    "where",
                    "waarbij",
                    "waar",
                )
            )
            or re.match(r"^\d{3,}", nxt)
            or nxt.endswith("%")
        ):
            skip = True
        if not skip:
            hits.append(NumberHit(i, end, value))
        i = end
    return hits


def parse_number(text: str) -> float | None:
    """The first scale number in a short phrase ("zes en een half" -> 6.5, "a six" -> 6.0), or None."""
    words = re.findall(r"\d+(?:[.,]\d+)?(?:[-–/]\d+(?:[.,]\d+)?)?½?|[\w'’½-]+|[^\w\s]", text.lower())
    hits = find_numbers(words)
    return hits[0].value if hits else None
