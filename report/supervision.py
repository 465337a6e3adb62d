"""The report's positive-supervision part: what went well, what to look at again, each with the notes.

The same moments as the dashboard's supervision page (`tagger.moments.find_moments`), in the same order
and words (`moment.*` in the catalogue), with the supervisor's note under its moment. A note whose moment
is no longer found (the session was corrected since) is not dropped: it is listed at the end, at its time.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence

from core import formatting, texts
from core.records import TaggedUtterance
from store.supervision import Note
from tagger.moments import Moment

MAX_QUOTE_CHARS = 280


def where(start_s: float | None, idx: int, language: str) -> str:
    """A moment's place: its time (mm:ss) where the session has times, else its utterance number."""
    if start_s is not None:
        return formatting.clock(start_s)
    return texts.text("report.utterance", language, n=idx + 1)


def why(moment: Moment, language: str) -> str:
    """The moment's sentence in solution-focused words, with its scale value or count."""
    value = "" if moment.value is None else formatting.number(moment.value, language)
    return texts.text(f"moment.{moment.kind}.why", language, value=value)


def quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_QUOTE_CHARS else text[: MAX_QUOTE_CHARS - 1].rstrip() + "…"


def moment_lines(
    tagged: Sequence[TaggedUtterance],
    moments: Sequence[Moment],
    notes: Mapping[str, Note],
    language: str,
    note_text: Callable[[str], str] = lambda s: s,
) -> list[str]:
    """Markdown lines of the two moment sections and any notes left without their moment.

    `note_text` passes each note through (the pseudonymiser, for a shared report). Text is escaped here.
    """
    esc = html.escape
    by_idx = {t.utterance.idx: t.utterance for t in tagged}
    tx: Callable[..., str] = lambda key, **kw: texts.text(f"report.{key}", language, **kw)  # noqa: E731
    lines: list[str] = []
    for went_well, heading, intro, empty in (
        (True, "went_well", "went_well_intro", "no_went_well"),
        (False, "look_again", "look_again_intro", "no_look_again"),
    ):
        group = [m for m in moments if m.went_well == went_well]
        lines += ["", f"## {tx(heading)}", "", f"_{tx(intro)}_", ""]
        if not group:
            lines.append(tx(empty))
        for moment in group:
            title = texts.text(f"moment.{moment.kind}", language)
            lines += [
                f"### {where(moment.start_s, moment.first_idx, language)} · {esc(title)}",
                "",
                esc(why(moment, language)),
                "",
            ]
            for idx in moment.quote_idx:
                u = by_idx.get(idx)
                if u is not None:
                    lines.append(
                        f"- {formatting.clock(u.start_s)} **{esc(u.speaker)}**: {esc(quote(u.text))}"
                    )
            note = notes.get(moment.key)
            if note is not None:
                lines += ["", f"**{tx('note')}:** {esc(note_text(note.note))}"]
            lines.append("")
    found = {m.key for m in moments}
    orphans = [n for n in notes.values() if n.moment_key not in found]
    if orphans:
        lines += ["", f"## {tx('other_notes')}", ""]
        for note in orphans:
            title = texts.text(f"moment.{note.kind}", language)
            place = where(note.start_s, note.utterance_idx, language)
            lines.append(f"- {place} · {esc(title)}: {esc(note_text(note.note))}")
    return lines
