"""Tagging rules as data: reading, compiling, validating and overriding the `patterns/<lang>/*.jsonl` files.

One rule per JSONL line::

    {"id": "compliment.direct.03", "label": "compliment", "subtype": "direct",
     "pattern": "knap|sterk dat je _{0,6} hebt"}

`pattern` is a compact token pattern (see `compile_pattern`), a list of such strings (alternatives), or a
raw spaCy `Matcher` token pattern (a list of dicts). Optional conditions, checked after matching:

- `question`: true/false -- the utterance must (not) be a question;
- `negated`: true/false -- the match must (not) be in the scope of a negation cue;
- `polarity`: "solution"/"problem" -- the utterance's cue balance must lean that way;
- `weight`: a number, for `cue.*` rules (how strongly the cue counts for orientation);
- `after`: a label -- the rule only counts when that label occurred shortly before in the conversation
  (a bare "zeven" is a scale answer only after a scale question);
- `person`: "first" -- the utterance must contain a first-person word (a client speaking of themself);
- `max_words`: the utterance may have at most this many words (a bare "een zes" is a score in a short answer);
- `unless`: a list of lower-case words; the rule does not count when the utterance contains one of them
  ("hoop", "will": a hoped-for future is not a reported exception);
- `first_turn`: true -- an `after` rule also counts on the first utterance of a conversation, where there is
  no earlier turn to link it to (a bare "Um, seven." tagged on its own);
- `after_turn`: "problem"/"solution"/"neutral" -- the rule only counts when the previous utterance had that
  orientation (a bare "hoe doe je dat?" right after the client tells of hardship is a coping question);
- `priority`: an integer (default 0) -- where rules of one label match the same span, the higher priority
  gives the tag its rule id (and subtype); on equal priority the rule defined first does (built-in files by
  name, then line; organisation files after them).

An organisation file may add rules, or switch one off: `{"id": "compliment.direct.03", "disable": true}`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from core.errors import InvalidValue, UserError
from core.texts import user_text
from tagger.numbers import SCALE_NUMBER_REGEX
from tagger.taxonomy import CUE_LABELS, LABEL_SUBTYPES
from tagger.wordsets import topic_regexes, word_set

ID_RE = re.compile(r"^[a-z_]+(\.[a-z_]+)*\.\d{2,3}$")
KNOWN_KEYS = frozenset(
    {
        "id",
        "label",
        "subtype",
        "pattern",
        "question",
        "negated",
        "polarity",
        "weight",
        "disable",
        "note",
        "after",
        "person",
        "max_words",
        "unless",
        "first_turn",
        "after_turn",
        "priority",
    }
)
_QUANT_RE = re.compile(r"^_\{(\d+),(\d+)\}$")
#: A pattern may expand (`voor_elkaar|goed`, optional words) into at most this many Matcher patterns.
MAX_VARIANTS = 64


@dataclass(frozen=True)
class Rule:
    """One validated rule; `patterns` are compiled spaCy Matcher token patterns."""

    id: str
    label: str
    subtype: str | None
    patterns: tuple[tuple[dict[str, Any], ...], ...]
    question: bool | None = None
    negated: bool | None = None
    polarity: str | None = None
    weight: float = 1.0
    after: str | None = None
    person: str | None = None
    max_words: int | None = None
    unless: frozenset[str] = frozenset()
    first_turn: bool = False
    after_turn: str | None = None
    priority: int = 0
    source: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Problem:
    """A problem found in a rule file, reported as `file:line: message`; the problem is a catalogue key
    (`rules.*`) with its fields, so `spiegel patterns check` says it in the user's language."""

    file: str
    line: int
    key: str
    fields: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def of(cls, file: str, line: int, error: ValueError) -> Problem:
        """The problem a rule check raised (`InvalidValue`); any other ValueError is shown as it is."""
        if isinstance(error, InvalidValue):
            return cls(file, line, error.key, error.fields)
        return cls(file, line, "rules.other", {"reason": str(error)})

    @property
    def message(self) -> str:
        return user_text(self.key, **self.fields)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


def _token(spec: str) -> dict[str, Any]:
    """Compile one token of the compact pattern language into a Matcher token dict.

    `a|b` lower-case forms; `@a|b` lemmas; `_` any token; `_{0,3}` zero to three tokens; `#num` a number;
    `#punct` punctuation; `#scale` a scale number (digits or number word: "6", "6,5", "zesje", "seven");
    `re:REGEX` a regular expression on the lower-case form; `$nl.praise` one of the words of a named word set
    (`patterns/<lang>/sets.json`, so a long list is written once); a trailing `?` makes the
    token optional (write `\\?` for a literal question mark).
    """
    op = None
    if spec.endswith("?") and spec != "\\?" and len(spec) > 1:
        spec, op = spec[:-1], "?"
    quant = _QUANT_RE.match(spec)
    if quant:
        return {"OP": "{{{},{}}}".format(*quant.groups())}
    if spec == "_":
        tok: dict[str, Any] = {}
    elif spec == "#num":
        tok = {"LIKE_NUM": True}
    elif spec == "#scale":
        tok = {"LOWER": {"REGEX": SCALE_NUMBER_REGEX}}
    elif spec == "#punct":
        tok = {"IS_PUNCT": True}
    elif spec.startswith("re:"):
        tok = {"LOWER": {"REGEX": spec[3:]}}
    elif spec.startswith("$") and spec[1:] in topic_regexes():
        tok = {"LOWER": {"REGEX": topic_regexes()[spec[1:]]}}
    elif spec.startswith("@"):
        words = spec[1:].split("|")
        tok = {"LEMMA": words[0]} if len(words) == 1 else {"LEMMA": {"IN": words}}
    else:
        words = []
        for w in spec.split("|"):
            words.extend(word_set(w[1:]) if w.startswith("$") else [w.replace("\\?", "?")])
        words = list(dict.fromkeys(words))
        tok = {"LOWER": words[0]} if len(words) == 1 else {"LOWER": {"IN": words}}
    if op:
        tok["OP"] = op
    return tok


def compile_pattern(pattern: str) -> list[tuple[dict[str, Any], ...]]:
    """Compile a compact pattern string ("hoe heb je dat _{0,2} gedaan|gelukt") into Matcher patterns.

    An alternative written with underscores (`voor_elkaar`) stands for several tokens; a pattern with such
    alternatives expands into one Matcher pattern per choice.
    """
    specs = pattern.split()
    if not specs:
        raise InvalidValue("rules.pattern_empty")
    variants: list[list[dict[str, Any]]] = [[]]
    for spec in specs:
        body, optional = spec, False
        if body.endswith("?") and body != "\\?" and len(body) > 1:
            body, optional = body[:-1], True
        alts = body.split("|") if not body.startswith(("@", "re:", "_{")) else [body]
        multi = [a for a in alts if (a.startswith("#") and len(alts) > 1) or "_" in a.strip("_")]
        multi = [a for a in multi if not a.startswith(("re:", "_{", "@", "$"))]
        if not multi:
            tok = _token(spec)
            variants = [[*v, tok] for v in variants]
            continue
        single = [a for a in alts if a not in multi]
        choices: list[list[dict[str, Any]]] = []
        if single:
            choices.append([_token("|".join(single))])
        for alt in multi:
            choices.append([_token(w) for w in (alt.split("_") if not alt.startswith("#") else [alt]) if w])
        if optional:
            choices.append([])
        variants = [v + c for v in variants for c in choices]
    if len(variants) > MAX_VARIANTS:
        raise InvalidValue("rules.pattern_variants", most=MAX_VARIANTS)
    out = [tuple(v) for v in variants if v]
    if not out:
        raise InvalidValue("rules.pattern_nothing")
    return out


def _compile_any(pattern: Any) -> tuple[tuple[dict[str, Any], ...], ...]:
    if isinstance(pattern, str):
        return tuple(compile_pattern(pattern))
    if isinstance(pattern, list) and pattern and all(isinstance(p, dict) for p in pattern):
        return (tuple(pattern),)
    if isinstance(pattern, list) and pattern and all(isinstance(p, str) for p in pattern):
        return tuple(t for p in pattern for t in compile_pattern(p))
    raise InvalidValue("rules.pattern_type")


def parse_rule(obj: Any, source: str = "") -> Rule:
    """Turn one JSON object into a `Rule`, raising `InvalidValue` (a ValueError) with the problem as a catalogue key (`rules.*`)."""
    if not isinstance(obj, dict):
        raise InvalidValue("rules.not_object")
    unknown = set(obj) - KNOWN_KEYS
    if unknown:
        raise InvalidValue("rules.unknown_fields", fields=", ".join(sorted(unknown)))
    rid = obj.get("id")
    if not isinstance(rid, str) or not ID_RE.match(rid):
        raise InvalidValue("rules.bad_id", id=rid)
    label = obj.get("label")
    all_labels = {**LABEL_SUBTYPES, **CUE_LABELS}
    if label not in all_labels:
        raise InvalidValue("rules.unknown_label", label=label)
    if not rid.startswith(label + "."):
        raise InvalidValue("rules.id_label", id=rid, label=label)
    subtype = obj.get("subtype")
    if subtype is not None and subtype not in all_labels[label]:
        raise InvalidValue("rules.unknown_subtype", subtype=subtype, label=label)
    if "pattern" not in obj:
        raise InvalidValue("rules.no_pattern")
    for key in ("question", "negated"):
        if key in obj and not isinstance(obj[key], bool):
            raise InvalidValue("rules.not_bool", field=key)
    polarity = obj.get("polarity")
    if polarity not in (None, "solution", "problem"):
        raise InvalidValue("rules.polarity")
    weight = obj.get("weight", 1.0)
    if not isinstance(weight, int | float):
        raise InvalidValue("rules.weight")
    after = obj.get("after")
    if after is not None and after not in LABEL_SUBTYPES:
        raise InvalidValue("rules.after", after=after)
    if obj.get("person") not in (None, "first"):
        raise InvalidValue("rules.person")
    max_words = obj.get("max_words")
    if max_words is not None and (
        not isinstance(max_words, int) or isinstance(max_words, bool) or max_words < 1
    ):
        raise InvalidValue("rules.max_words")
    unless = obj.get("unless", [])
    if not isinstance(unless, list) or not all(isinstance(w, str) and w == w.lower() for w in unless):
        raise InvalidValue("rules.unless")
    if "first_turn" in obj and not isinstance(obj["first_turn"], bool):
        raise InvalidValue("rules.not_bool", field="first_turn")
    if obj.get("first_turn") and after is None:
        raise InvalidValue("rules.first_turn_after")
    if obj.get("after_turn") not in (None, "solution", "problem", "neutral"):
        raise InvalidValue("rules.after_turn")
    priority = obj.get("priority", 0)
    if not isinstance(priority, int) or isinstance(priority, bool):
        raise InvalidValue("rules.priority")
    patterns = _compile_any(obj["pattern"])
    return Rule(
        id=rid,
        label=label,
        subtype=subtype,
        patterns=patterns,
        question=obj.get("question"),
        negated=obj.get("negated"),
        polarity=polarity,
        weight=float(weight),
        after=after,
        person=obj.get("person"),
        max_words=max_words,
        unless=frozenset(unless),
        first_turn=bool(obj.get("first_turn", False)),
        after_turn=obj.get("after_turn"),
        priority=priority,
        source=source,
        raw=obj,
    )


def _rule_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*.jsonl") if p.is_file())
    return [path]


def read_rule_lines(path: Path) -> Iterable[tuple[str, int, Any]]:
    """Yield (file, line number, parsed JSON or the JSON error) for every non-blank line of a rule file."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError("error.rules.read", name=name, kind=exc.__class__.__name__) from exc
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            yield name, lineno, json.loads(line)
        except json.JSONDecodeError as exc:
            yield name, lineno, InvalidValue("rules.invalid_json", reason=exc.msg)


def validate_paths(paths: Sequence[Path], known_ids: Iterable[str] = ()) -> list[Problem]:
    """Check rule files or directories: malformed lines, unknown labels, duplicate ids (with file:line).

    `known_ids` are ids already defined elsewhere (the built-in rules): a `disable` line must name one of them
    or one in these files; a new rule must not reuse one.
    """
    problems: list[Problem] = []
    seen: dict[str, str | None] = dict.fromkeys(known_ids)  # id → where first defined (None: built in)
    disables: list[tuple[str, int, str]] = []
    for path in paths:
        path = Path(path)
        if not path.exists():
            problems.append(Problem(str(path), 0, "rules.no_file"))
            continue
        for name, lineno, obj in _iter_files(path):
            if isinstance(obj, ValueError):
                problems.append(Problem.of(name, lineno, obj))
                continue
            if isinstance(obj, dict) and obj.get("disable") is True:
                if not isinstance(obj.get("id"), str):
                    problems.append(Problem(name, lineno, "rules.disable_needs_id"))
                else:
                    disables.append((name, lineno, obj["id"]))
                continue
            try:
                rule = parse_rule(obj, f"{name}:{lineno}")
            except ValueError as exc:
                problems.append(Problem.of(name, lineno, exc))
                continue
            if rule.id in seen:
                first = seen[rule.id]
                key = "rules.duplicate" if first is not None else "rules.duplicate_builtin"
                problems.append(Problem(name, lineno, key, {"id": rule.id, "first": first}))
            else:
                seen[rule.id] = f"{name}:{lineno}"
    for name, lineno, rid in disables:
        if rid not in seen:
            problems.append(Problem(name, lineno, "rules.disables_unknown", {"id": rid}))
    return problems


def _iter_files(path: Path) -> Iterable[tuple[str, int, Any]]:
    for f in _rule_files(path):
        yield from read_rule_lines(f)


def builtin_rule_lines(lang: str) -> list[tuple[str, int, Any]]:
    """All lines of the packaged rule files of one language, in file order."""
    root = files("tagger.patterns").joinpath(lang)
    out: list[tuple[str, int, Any]] = []
    names = sorted(p.name for p in root.iterdir() if p.name.endswith(".jsonl"))
    for fname in names:
        text = root.joinpath(fname).read_text(encoding="utf-8")
        for lineno, line in enumerate(text.splitlines(), 1):
            if line.strip():
                out.append((f"tagger/patterns/{lang}/{fname}", lineno, json.loads(line)))
    return out


def load_rules(lang: str, extra: Sequence[Path] = ()) -> list[Rule]:
    """The built-in rules of `lang`, plus rules added and minus rules disabled by `extra` files/dirs.

    Raises `UserError` naming the file, line and problem of the first invalid line.
    """
    if lang not in ("nl", "en"):
        raise UserError("error.tag.lang", lang=lang)
    rules: dict[str, Rule] = {}
    for name, lineno, obj in builtin_rule_lines(lang):
        rule = parse_rule(obj, f"{name}:{lineno}")
        if rule.id in rules:
            raise UserError("error.rules.duplicate", name=name, line=lineno, id=rule.id)
        rules[rule.id] = rule
    builtin_ids = list(rules)
    extra = [Path(p) for p in extra]
    problems = validate_paths(extra, known_ids=builtin_ids)
    if problems:
        raise UserError("error.rules.invalid", problem=problems[0])
    for path in extra:
        for name, lineno, obj in _iter_files(path):
            if obj.get("disable") is True:
                rules.pop(obj["id"], None)
            else:
                rule = parse_rule(obj, f"{name}:{lineno}")
                rules[rule.id] = rule
    return list(rules.values())


def read_context(lang: str) -> dict[str, list[str]]:
    """The context cue lists (negation, contrast, question words...) of one language."""
    text = files("tagger.patterns").joinpath(lang, "context.json").read_text(encoding="utf-8")
    data = json.loads(text)
    return {k: v for k, v in data.items() if not k.startswith("_")}
