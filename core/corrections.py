"""Corrections by hand of a stored session, as data, and how they apply to what the machine made.

Why a log and not an edit in place: a supervisor must be able to see what the machine said, what a person
changed, who and when, and take a change back. So the machine's version stays as it was (the store keeps it
as the *original*), every change is one `Correction`, and the session shown is always
`original + the corrections not undone, in order` (`apply`). That replay is pure and lives here, so the store,
the dashboard and the command line compute the same corrected session.

Utterance numbers never change: a merge gives one speaker's utterances to another speaker but does not join
utterances, so every correction keeps pointing at the utterance it was made on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.errors import UserError
from core.records import Orientation, Role, Tag, TaggedUtterance, TagResult
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


@dataclass
class _State:
    text: dict[int, str] = field(default_factory=dict)
    speaker: dict[int, str] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    role_changed: set[str] = field(default_factory=set)


def apply(
    original: Sequence[TaggedUtterance],
    roles: Mapping[str, Role],
    corrections: Sequence[Correction],
    retag: Retag,
) -> tuple[list[TaggedUtterance], dict[str, tuple[str, str | None]]]:
    """The corrected session: (tagged utterances, speaker → (role, role_source or None when unchanged)).

    Text, speaker and role changes come first; every utterance whose text, speaker or role then differs from
    the original is tagged again (the whole conversation is passed to `retag`, so the previous turn still
    counts, but only the changed utterances take the new result: the others keep exactly what was stored).
    Label and orientation changes are applied last, in order, so a label set by hand stays when the text of
    its utterance is corrected later.
    """
    state = _State(
        text={t.utterance.idx: t.utterance.text for t in original},
        speaker={t.utterance.idx: t.utterance.speaker for t in original},
        roles=dict(roles),
    )
    for c in corrections:
        if c.kind == "text":
            state.text[c.utterance_idx] = str(c.value["text"]).strip()
        elif c.kind == "speaker":
            speaker = str(c.value["speaker"]).strip()
            state.speaker[c.utterance_idx] = speaker
            if speaker not in state.roles:  # a new speaker (a split): a client until said otherwise
                state.roles[speaker] = Role(c.value.get("role") or Role.CLIENT.value)
                state.role_changed.add(speaker)
        elif c.kind == "role":
            state.roles[str(c.value["speaker"])] = Role(c.value["role"])
            state.role_changed.add(str(c.value["speaker"]))
        elif c.kind == "merge":
            keep, gone = str(c.value["keep"]), str(c.value["gone"])
            state.speaker = {i: keep if s == gone else s for i, s in state.speaker.items()}
            state.role_changed.add(keep)
    rows = []
    for t in original:
        u = t.utterance
        speaker = state.speaker[u.idx]
        role = state.roles.get(speaker, Role.CLIENT)
        rows.append(dataclasses.replace(u, text=state.text[u.idx], speaker=speaker, role=role))
    changed = {
        u.idx
        for u, t in zip(rows, original, strict=True)
        if (u.text, u.speaker, u.role) != (t.utterance.text, t.utterance.speaker, t.utterance.role)
    }
    results = {t.utterance.idx: t.result for t in original}
    if changed:
        fresh = retag([(u.text, str(u.role)) for u in rows])
        for u, result in zip(rows, fresh, strict=True):
            if u.idx in changed:
                results[u.idx] = result
    for c in corrections:
        if c.kind in ("label_add", "label_remove", "orientation"):
            text = state.text[c.utterance_idx]
            results[c.utterance_idx] = _label_change(results[c.utterance_idx], c, len(text))
    tagged = [TaggedUtterance(u, results[u.idx]) for u in rows]
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
