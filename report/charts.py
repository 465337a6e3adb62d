"""The report's two charts as SVG images: the session's timeline and its solution/problem talk per role.

SVG written here, not a chart library: the report must print to PDF offline through Chromium and stay one
self-contained file (the images go in as data URIs), and two small charts do not justify a plotting
dependency. Colours are the Okabe-Ito pair blue/orange (told apart with every common colour-vision
deficiency); every text in the images is escaped, and times on the axis are written as mm:ss.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence
from typing import Any

from core import formatting, texts
from core.records import TaggedUtterance
from tagger.moments import Moment

COLOURS = {"solution": "#0072B2", "problem": "#E69F00", "neutral": "#BBBBBB"}
WIDTH = 720
FONT = "font-family='sans-serif' font-size='11'"


def data_uri(svg: str) -> str:
    """The SVG as a data URI, so the Markdown and the HTML carry their images inside the one file."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _svg(height: int, body: Sequence[str], title: str) -> str:
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{height}' "
        f"viewBox='0 0 {WIDTH} {height}' role='img'><title>{html.escape(title)}</title>"
        "<rect width='100%' height='100%' fill='white'/>" + "".join(body) + "</svg>"
    )


def _legend(y: int, language: str) -> list[str]:
    parts, x = [], 140
    for orientation, colour in COLOURS.items():
        name = html.escape(texts.text(f"orientation.{orientation}", language))
        parts.append(f"<rect x='{x}' y='{y}' width='12' height='12' fill='{colour}'/>")
        parts.append(f"<text x='{x + 17}' y='{y + 10}' {FONT}>{name}</text>")
        x += 30 + 7 * len(name)
    return parts


def timeline_svg(tagged: Sequence[TaggedUtterance], moments: Sequence[Moment], language: str) -> str:
    """One row per speaker, a bar per utterance coloured by orientation; moments that went well as marks."""
    title = texts.text("report.timeline", language)
    speakers = list(dict.fromkeys(t.utterance.speaker for t in tagged))
    timed = any(t.utterance.start_s is not None for t in tagged)

    def span(t: TaggedUtterance, position: int) -> tuple[float, float]:
        u = t.utterance
        if timed and u.start_s is not None:
            return u.start_s, u.end_s if u.end_s is not None else u.start_s
        return float(position), position + 0.9

    spans = [span(t, i) for i, t in enumerate(tagged)]
    total = max((end for _, end in spans), default=1.0) or 1.0
    left, right, row_h, top = 140, 16, 26, 26
    scale = (WIDTH - left - right) / total
    height = top + row_h * len(speakers) + 58
    body: list[str] = []
    for row, speaker in enumerate(speakers):
        role = next(t.utterance.role for t in tagged if t.utterance.speaker == speaker)
        label = f"{speaker} ({texts.text(f'role.{role}', language)})"
        y = top + row * row_h
        body.append(f"<text x='4' y='{y + 16}' {FONT}>{html.escape(label[:24])}</text>")
        for t, (start, end) in zip(tagged, spans, strict=True):
            if t.utterance.speaker == speaker:
                x, w = left + start * scale, max(1.0, (end - start) * scale)
                colour = COLOURS.get(str(t.result.orientation), COLOURS["neutral"])
                body.append(f"<rect x='{x:.1f}' y='{y + 4}' width='{w:.1f}' height='16' fill='{colour}'/>")
    index = {t.utterance.idx: i for i, t in enumerate(tagged)}
    for moment in moments:
        if moment.went_well and moment.first_idx in index:
            x = left + spans[index[moment.first_idx]][0] * scale
            body.append(f"<path d='M{x:.1f},{top - 4} l-5,-8 h10 z' fill='#009E73'/>")
    axis_y = top + row_h * len(speakers) + 4
    body.append(f"<line x1='{left}' y1='{axis_y}' x2='{WIDTH - right}' y2='{axis_y}' stroke='#555'/>")
    for k in range(6):
        value = total * k / 5
        x = left + value * scale
        tick = formatting.clock(value) if timed else str(round(value))
        body.append(f"<text x='{x:.1f}' y='{axis_y + 14}' text-anchor='middle' {FONT}>{tick}</text>")
    body += _legend(axis_y + 26, language)
    mark = html.escape(texts.text("report.went_well_mark", language))
    body.append(f"<path d='M{WIDTH - 130},{axis_y + 28} l5,8 l5,-8 z' fill='#009E73'/>")
    body.append(f"<text x='{WIDTH - 116}' y='{axis_y + 36}' {FONT}>{mark}</text>")
    return _svg(height, body, title)


def ratio_svg(metrics: Mapping[str, Mapping[str, Any]], has_times: bool, language: str) -> str:
    """Per role a bar split into solution and problem talk (neutral talk left out, as the ratio defines)."""
    title = texts.text("report.ratio_chart", language)
    left, right, row_h, top = 140, 60, 30, 12
    roles = ("practitioner", "client", "all")
    height = top + row_h * len(roles) + 30
    width = WIDTH - left - right
    body: list[str] = []
    for row, role in enumerate(roles):
        m = metrics.get(role, {})
        ratio = m.get("solution_talk_ratio") if has_times else None
        if ratio is None or ratio != ratio:
            ratio = m.get("solution_talk_ratio_count")
        y = top + row * row_h
        name = texts.text("report.all", language) if role == "all" else texts.text(f"role.{role}", language)
        body.append(f"<text x='4' y='{y + 15}' {FONT}>{html.escape(name)}</text>")
        if ratio is None or ratio != ratio:
            body.append(f"<text x='{left}' y='{y + 15}' {FONT}>{formatting.NONE}</text>")
            continue
        solution_w = width * float(ratio)
        body.append(
            f"<rect x='{left}' y='{y}' width='{solution_w:.1f}' height='20' fill='{COLOURS['solution']}'/>"
        )
        body.append(
            f"<rect x='{left + solution_w:.1f}' y='{y}' width='{width - solution_w:.1f}' height='20' "
            f"fill='{COLOURS['problem']}'/>"
        )
        body.append(
            f"<text x='{left + width + 6}' y='{y + 15}' {FONT}>{formatting.percent(float(ratio))}</text>"
        )
    body += _legend(top + row_h * len(roles) + 4, language)[:4]  # solution and problem only
    return _svg(height, body, title)
