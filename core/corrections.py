"""Corrections by hand of a stored session, as data, and how they apply to what the machine made.

Why a log and not an edit in place: a supervisor must be able to see what the machine said, what a person
changed, who and when, and take a change back. So the machine's version stays as it was (the store keeps it
as the *original*), every change is one `Correction`, and the session shown is always
`original + the corrections not undone, in order` (`apply`). That replay is pure and lives here, so the store,
the dashboard and the command line compute the same corrected session.

Utterances have stable keys: a merge gives one speaker's utterances to another speaker but does not join
utterances, and a cut inside an utterance (`is_split`) numbers the utterances after it one higher but gives
its new part a key of its own (`split_key`), so every correction, stored against keys, keeps pointing at the
utterance it was made on, and an older change can be taken back alone (`touches`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.errors import UserError
from core.records import Orientation, Role, Tag, TaggedUtterance, TagResult
from core.splitting import cut, parts
from core.taxonomy import LABELS

#: The kinds of change; `text`, `speaker`, the labels and the orientation are made on one utterance, `role`
#: and `merge` on a whole speaker.
UTTERANCE_KINDS = frozenset({"text", "speaker", "label_add", "label_remove", "orientation"})
SPEAKER_KINDS = frozenset({"role", "merge"})
KINDS = UTTERANCE_KINDS | SPEAKER_KINDS
#: The rule id a label added by hand carries (every stored tag names its rule; this one names a person).
MANUAL_RULE = "manual"

#: Tags `(text, role)` pairs in conversation order: `tagger.Tagger.tag_conversation` for the session's language.
Retag = Callable[[Sequence[tuple[str, str | None]]], list[TagResult]]


@dataclass(frozen=True)
class Correction:
    """One change by hand: what (kind, value), on which utterance (None: a whole speaker), by whom, when."""

    kind: str
    value: Mapping[str, Any]
    utterance_idx: int | None = None
    author: str = ""
    correction_id: int | None = None
    created_at: Any = None


def check(correction: Correction, utterance_ids: set[int], speakers: set[str]) -> None:
    """One plain sentence (UserError) for a correction that cannot apply; nothing is stored then."""
    kind, value, idx = correction.kind, correction.value, correction.utterance_idx
    if kind not in KINDS:
        raise UserError("error.correction.kind", kind=kind)
    if kind in UTTERANCE_KINDS and idx not in utterance_ids:
        raise UserError("error.correction.no_utterance", idx=idx)
    if not correction.author.strip():
        raise UserError("error.correction.no_author")
    if kind == "text" and not str(value.get("text") or "").strip():
        raise UserError("error.correction.empty_text")
    if kind == "speaker" and not str(value.get("speaker") or "").strip():
        raise UserError("error.correction.speaker_needed")
    if is_split(correction) and not isinstance(value.get("at"), int):
        raise UserError("error.correction.split_point")
    if kind == "role":
        if value.get("speaker") not in speakers:
            raise UserError("error.correction.no_speaker", speaker=value.get("speaker"))
        if value.get("role") not in {r.value for r in Role}:
            raise UserError("error.correction.role", role=value.get("role"))
    if kind == "merge":
        keep, gone = value.get("keep"), value.get("gone")
        if keep not in speakers or gone not in speakers:
            raise UserError("error.correction.merge_speakers")
        if keep == gone:
            raise UserError("error.correction.merge_same")
    if kind in ("label_add", "label_remove") and value.get("label") not in LABELS:
        raise UserError("error.correction.label", label=value.get("label"))
    if kind == "label_add" and value.get("value") is not None:
        number = float(value["value"])
        if not 0 <= number <= 10:
            raise UserError("error.correction.scale")
    if kind == "orientation" and value.get("orientation") not in {o.value for o in Orientation}:
        raise UserError("error.correction.orientation", orientation=value.get("orientation"))


def is_split(c: Correction) -> bool:
    """A cut inside an utterance: stored as a `speaker` change of the text from character `at` on (the part
    after the cut becomes a new utterance of that speaker), so the log's kinds stay as they were."""
    return c.kind == "speaker" and c.value.get("at") is not None


def split_key(c: Correction) -> int:
    """The stable key of the utterance a cut makes: the negative correction id (original keys are >= 0)."""
    return -int(c.correction_id or 0)


def touches(c: Correction) -> set[tuple[str, Any]]:
    """What a correction changes: utterances (by stable key) and speakers. A single older change may be taken
    back only when no later one that counts touches any of the same."""
    value = c.value
    if c.kind == "role":
        return {("s", str(value.get("speaker")))}
    if c.kind == "merge":
        return {("s", str(value.get("keep"))), ("s", str(value.get("gone")))}
    out: set[tuple[str, Any]] = {("u", c.utterance_idx)}
    if c.kind == "speaker":
        out.add(("s", str(value.get("speaker")).strip()))
        if is_split(c):
            out.add(("u", split_key(c)))
            if str(value.get("first") or "").strip():
                out.add(("s", str(value["first"]).strip()))
    return out


def order(keys: Sequence[int], corrections: Sequence[Correction]) -> list[int]:
    """The stable keys in the order the utterances now have (only cuts change it): number i is `order[i]`."""
    out = list(keys)
    for c in corrections:
        if is_split(c) and c.utterance_idx in out:
            out.insert(out.index(c.utterance_idx) + 1, split_key(c))
    return out


def blocking(counted: Sequence[Correction], target: Correction) -> Correction | None:
    """The first later correction that counts and touches what `target` changed (then `target` cannot be taken
    back alone: the later one was made on top of it), or None."""
    later = [c for c in counted if (c.correction_id or 0) > (target.correction_id or 0)]
    return next((c for c in later if touches(c) & touches(target)), None)


@dataclass
class Layout:
    """The session's utterances after the text, speaker, cut and role changes, before any tagging.

    `keys[i]` is the stable key of the utterance now numbered i: an original's number, or a cut's
    `split_key`; corrections are stored against keys, so numbers may shift under a cut and every correction
    still points at the utterance it was made on.
    """

    keys: list[int]
    utterances: dict[int, Any]
    roles: dict[str, Role]
    role_changed: set[str] = field(default_factory=set)
    timings: dict[int, str] = field(default_factory=dict)


def layout(
    original: Sequence[TaggedUtterance], roles: Mapping[str, Role], corrections: Sequence[Correction]
) -> Layout:
    """Replay the changes that move text, speakers or utterance boundaries, in order (cheap: no tagger)."""
    state = Layout(
        keys=[t.utterance.idx for t in original],
        utterances={t.utterance.idx: t.utterance for t in original},
        roles=dict(roles),
    )
    for c in corrections:
        key = c.utterance_idx
        if c.kind == "text":
            state.utterances[key] = dataclasses.replace(
                state.utterances[key], text=str(c.value["text"]).strip()
            )
        elif c.kind == "speaker":
            speaker = str(c.value["speaker"]).strip()
            if is_split(c):
                first = str(c.value.get("first") or "").strip() or None
                done = cut(state.utterances[key], int(c.value["at"]), speaker, first)
                new = split_key(c)
                state.utterances[key], state.utterances[new] = done.first, done.second
                state.keys.insert(state.keys.index(key) + 1, new)
                state.timings[new] = done.timing
                for name in (speaker, first):
                    _new_speaker(state, name, c)
            else:
                state.utterances[key] = dataclasses.replace(state.utterances[key], speaker=speaker)
                _new_speaker(state, speaker, c)
        elif c.kind == "role":
            state.roles[str(c.value["speaker"])] = Role(c.value["role"])
            state.role_changed.add(str(c.value["speaker"]))
        elif c.kind == "merge":
            keep, gone = str(c.value["keep"]), str(c.value["gone"])
            for k, u in state.utterances.items():
                if u.speaker == gone:
                    state.utterances[k] = dataclasses.replace(u, speaker=keep)
            state.role_changed.add(keep)
    return state


def check_split(state: Layout, c: Correction) -> None:
    """A cut must leave words on both sides of it (one sentence otherwise)."""
    u = state.utterances[c.utterance_idx]
    first, second = parts(u.text, int(c.value["at"]))
    if not first or not second:
        raise UserError("error.correction.split_point")


def _new_speaker(state: Layout, speaker: str | None, c: Correction) -> None:
    """A speaker the session did not have (a split): a client until said otherwise."""
    if speaker and speaker not in state.roles:
        state.roles[speaker] = Role(c.value.get("role") or Role.CLIENT.value)
        state.role_changed.add(speaker)


def apply(
    original: Sequence[TaggedUtterance],
    roles: Mapping[str, Role],
    corrections: Sequence[Correction],
    retag: Retag,
) -> tuple[list[TaggedUtterance], dict[str, tuple[str, str | None]]]:
    """The corrected session: (tagged utterances numbered in order, speaker → (role, role_source or None
    when unchanged)); `layout(...).keys` gives each number's stable key.

    Text, speaker, cut and role changes come first (`layout`); every utterance whose text, speaker or role
    then differs from the original, and every part of a cut, is tagged again (the whole conversation is
    passed to `retag`, so the previous turn still counts, but only the changed utterances take the new
    result: the others keep exactly what was stored). Label and orientation changes are applied last, in
    order, so a label set by hand stays when the text of its utterance is corrected later.
    """
    state = layout(original, roles, corrections)
    before = {t.utterance.idx: t for t in original}
    rows = []
    for position, key in enumerate(state.keys):
        u = state.utterances[key]
        rows.append(dataclasses.replace(u, idx=position, role=state.roles.get(u.speaker, Role.CLIENT)))
    changed = set()
    for key, u in zip(state.keys, rows, strict=True):
        was = before.get(key)
        if was is None or (u.text, u.speaker, u.role, u.end_s) != (
            was.utterance.text,
            was.utterance.speaker,
            was.utterance.role,
            was.utterance.end_s,
        ):
            changed.add(key)
    results = {k: t.result for k, t in before.items()}
    if changed:
        fresh = retag([(u.text, str(u.role)) for u in rows])
        for key, result in zip(state.keys, fresh, strict=True):
            if key in changed:
                results[key] = result
    for c in corrections:
        if c.kind in ("label_add", "label_remove", "orientation"):
            text = state.utterances[c.utterance_idx].text
            results[c.utterance_idx] = _label_change(results[c.utterance_idx], c, len(text))
    tagged = [TaggedUtterance(u, results[k]) for k, u in zip(state.keys, rows, strict=True)]
    present = list(dict.fromkeys(u.speaker for u in rows))
    speakers = {
        s: (state.roles.get(s, Role.CLIENT).value, "corrected" if s in state.role_changed else None)
        for s in present
    }
    return tagged, speakers


def _label_change(result: TagResult, c: Correction, text_length: int) -> TagResult:
    """A label added (spanning the whole utterance, rule `manual`) or removed, or the orientation set."""
    if c.kind == "orientation":
        chosen = Orientation(c.value["orientation"])
        # set by hand to another one: the machine's cues were its reasons for the answer it gave, so they go
        cues = result.orientation_cues if chosen == result.orientation else ()
        return dataclasses.replace(result, orientation=chosen, orientation_cues=cues)
    label = str(c.value["label"])
    tags = tuple(g for g in result.tags if g.label != label)
    scale_value = result.scale_value
    if c.kind == "label_add":
        value = None if c.value.get("value") is None else float(c.value["value"])
        subtype = c.value.get("subtype") or None
        tags = (*tags, Tag(label, subtype, value, 0, text_length, MANUAL_RULE))
        if label == "scale_answer":
            scale_value = value
    elif label == "scale_answer":
        scale_value = None
    return dataclasses.replace(result, tags=tags, scale_value=scale_value)
