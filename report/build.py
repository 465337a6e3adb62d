"""`spiegel report`: a supervision report of one session as Markdown, HTML or PDF.

The report is built once as Markdown-like blocks and rendered to each format. Every piece of transcript text
is HTML-escaped in both Markdown and HTML output: a transcript may contain anything a person said or typed.
PDF is the HTML printed by headless Chromium (Debian `chromium`), which the setup installs.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import store
from core import formatting, texts
from core.errors import UserError
from core.records import Session
from core.taxonomy import LABELS
from report import charts
from report.supervision import moment_lines
from store.export import write_atomic
from store.supervision import Note
from tagger.cue_names import cue_phrases
from tagger.moments import find_moments

TECHNIQUE_LABELS = LABELS  # taxonomy.md order, from the one table in core/taxonomy.py


def _texts(language: str) -> dict[str, Any]:
    """The report's own texts (`report.*` in the catalogue), keyed without the prefix."""
    return {
        key.removeprefix("report."): value
        for key, value in {**texts.catalogue("nl"), **texts.catalogue(language)}.items()
        if key.startswith("report.")
    }


def _pct(value: float | None) -> str:
    return formatting.percent(value)


def _load(db: Path | None, session_id: str) -> tuple[Session, dict[str, dict[str, Any]], dict[str, Note]]:
    """The session, its figures per role and its supervision notes, in one short read-only connection."""
    with store.connect(db, read_only=True) as con:
        session = store.load_session(con, session_id)
        rows = store.queries.metrics_by_role(con, session_id)
        rows["corrections"] = dict(
            zip(("n", "at", "by"), store.corrections.summary(con, session_id), strict=True)
        )
        notes = store.supervision.notes_for(con, session_id)
    return session, rows, notes


def _language_name(code: str | None, language: str) -> str | None:
    key = f"report.lang.{code}"
    return texts.text(key, language) if code and texts.has(key, language) else code


def build_markdown(db: Path | None, session_id: str, language: str = "nl", pseudonymize: bool = False) -> str:
    """The report as Markdown; with `pseudonymize`, names, places, dates … are placeholders, and so is the id.

    Order as a positive supervision goes: the facts, what went well, what to look at again (each moment with
    the supervisor's note), then the figures and charts, the techniques, the scales and the transcript.
    """
    tx = _texts(language)
    meta, metrics, notes = _load(db, session_id)
    corrected = metrics.pop("corrections")
    note_text: Callable[[str], str] = lambda s: s  # noqa: E731
    if pseudonymize:
        from tagger.pseudonymize import Pseudonymizer, pseudonymize_session

        table = Pseudonymizer()
        if corrected["by"]:
            corrected["by"] = table.placeholder(corrected["by"], "PERSOON")
        original = meta.source_sha256
        meta = pseudonymize_session(meta, table)
        session_id = table.placeholder(original, "SESSIE")
        note_text = lambda s: table.text(s, meta.language) or ""  # noqa: E731
    esc = html.escape
    tagged = meta.tagged
    moments = find_moments(tagged, meta.language)
    lines = [f"# {tx['title']}", ""]
    for key, value in (
        ("session", session_id),
        ("date", formatting.long_date(meta.recorded_at, language, none="")),
        ("practitioner", meta.practitioner),
        ("client", meta.client_code),
        ("duration", formatting.duration(meta.duration_s, none="")),
        ("language", _language_name(meta.language, language)),
        ("source", meta.source_name),
    ):
        lines.append(f"- **{tx[key]}:** {esc(str(value)) if value else tx['unknown']}")
    if meta.warnings:
        lines += ["", f"**{tx['warnings']}:**", ""]
        lines += [f"- {esc(texts.warning_text(w, language))}" for w in meta.warnings]
    if not meta.has_times:
        lines += ["", f"_{tx['no_times']}_"]
    if corrected["n"]:  # corrected by hand (store/corrections.py): the figures below are of that version
        when = formatting.date(corrected["at"], language, none="")
        lines += ["", f"_{esc(tx['corrected'].format(n=corrected['n'], who=corrected['by'], date=when))}_"]

    lines += moment_lines(tagged, moments, notes, language, note_text)

    lines += [
        "",
        f"## {tx['metrics']}",
        "",
        f"| | {tx['practitioner_role']} | {tx['client_role']} | {tx['all']} |",
        "|---|---|---|---|",
    ]
    for key in (
        "solution_talk_ratio",
        "solution_talk_ratio_count",
        "talk_share",
        "question_share",
        "problem_question_share",
        "exception_followup_rate",
    ):
        cells = [_pct(metrics.get(role, {}).get(key)) for role in ("practitioner", "client", "all")]
        lines.append(f"| {tx[key]} | " + " | ".join(cells) + " |")
    every = metrics.get("all", {})
    if every.get("first_solution_turn_s") is not None:
        lines.append(
            f"| {tx['first_solution_turn_s']} | | | {formatting.clock(every['first_solution_turn_s'])} |"
        )
    if every.get("utterance_count"):
        left_out = texts.text(
            "report.neutral_left_out",
            language,
            neutral=every.get("neutral_count", 0),
            total=every["utterance_count"],
        )
        lines += ["", f"_{esc(left_out)}_"]
    ratio_chart = charts.data_uri(charts.ratio_svg(metrics, meta.has_times, language))
    timeline = charts.data_uri(charts.timeline_svg(tagged, moments, language))
    lines += [
        "",
        f"## {tx['charts']}",
        "",
        f"![{esc(tx['ratio_chart'])}]({ratio_chart})",
        "",
        f"![{esc(tx['timeline'])}]({timeline})",
    ]

    lines += ["", f"## {tx['techniques']}", "", f"| {tx['label']} | {tx['count']} |", "|---|---|"]
    for label in TECHNIQUE_LABELS:
        count = every.get(f"label_count_{label}", 0)
        if count:
            lines.append(f"| {esc(texts.label_name(label, language))} | {count} |")

    lines += ["", f"## {tx['scales']}", ""]
    scales = metrics.get("client", {}).get("scale_answers") or []
    if scales:
        for item in scales:
            subtype = (
                f" ({esc(texts.subtype_name(item['subtype'], language))})" if item.get("subtype") else ""
            )
            lines.append(f"- {formatting.number(item['value'], language)}{subtype}")
    else:
        lines.append(tx["no_scales"])

    lines += ["", f"## {tx['transcript']}", ""]
    for item in tagged:
        u = item.utterance
        labels = ", ".join(dict.fromkeys(texts.label_name(g.label, language) for g in item.result.tags))
        suffix = f" _[{esc(labels)}]_" if labels else ""
        orientation = tx[f"orientation.{item.result.orientation}"]
        why = cue_phrases(
            item.result.orientation_cues, language
        )  # its strongest cues, as on the session page
        orientation += f": {esc(', '.join(why))}" if why else ""
        lines.append(
            f"- {formatting.clock(u.start_s)} **{esc(u.speaker)}** ({orientation}): {esc(u.text)}{suffix}"
        )
    return "\n".join(lines) + "\n"


#: An image line of our own Markdown: only an SVG data URI the report made itself becomes an <img>.
_IMAGE = re.compile(r"^!\[([^\]]*)\]\((data:image/svg\+xml;base64,[A-Za-z0-9+/=]+)\)$")
#: Printed on A4 (Chromium otherwise prints US Letter), with room for a hole punch.
STYLE = (
    "@page{size:A4;margin:16mm 16mm 18mm 20mm}"
    "body{font-family:sans-serif;max-width:52em;margin:2em auto;line-height:1.45;color:#222}"
    "@media print{body{margin:0;max-width:none;font-size:10.5pt}h2{break-after:avoid}h3{break-after:avoid}}"
    "table{border-collapse:collapse}td{border:1px solid #ccc;padding:.25em .6em}h1{color:#1f5f8b}"
    "h3{font-size:1.05em;margin:1.2em 0 .2em}img{max-width:100%;height:auto}figure{margin:1em 0}"
)


def markdown_to_html(markdown: str, title: str, language: str = "nl") -> str:
    """A small renderer for the report's own Markdown subset (headings, lists, tables, bold, italics, its
    own chart images).

    Text was escaped when the Markdown was built, so this only adds tags around it.
    """

    def inline(text: str) -> str:
        text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
        return re.sub(r"(?<!\w)_(.+?)_(?!\w)", r"<em>\1</em>", text)

    body: list[str] = []
    in_list = in_table = False
    for line in markdown.splitlines():
        if in_list and not line.startswith("- "):
            body.append("</ul>")
            in_list = False
        if in_table and not line.startswith("|"):
            body.append("</table>")
            in_table = False
        if line.startswith("# "):
            body.append(f"<h1>{inline(line[2:])}</h1>")
        elif line.startswith("## "):
            body.append(f"<h2>{inline(line[3:])}</h2>")
        elif line.startswith("### "):
            body.append(f"<h3>{inline(line[4:])}</h3>")
        elif image := _IMAGE.match(line):
            body.append(f"<figure><img alt='{image[1]}' src='{image[2]}'></figure>")
        elif line.startswith("- "):
            if not in_list:
                body.append("<ul>")
                in_list = True
            body.append(f"<li>{inline(line[2:])}</li>")
        elif line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if all(set(c) <= {"-"} for c in cells):
                continue
            if not in_table:
                body.append("<table>")
                in_table = True
            body.append("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in cells) + "</tr>")
        elif line.strip():
            body.append(f"<p>{inline(line)}</p>")
    if in_list:
        body.append("</ul>")
    if in_table:
        body.append("</table>")
    return (
        f"<!doctype html><html lang='{html.escape(language)}'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise UserError("error.report.no_chromium")


def render_report(
    db: Path | None, session_id: str, fmt: str, language: str = "nl", pseudonymize: bool = False
) -> bytes:
    """The report file's bytes: what `spiegel report` writes and what the dashboard's buttons download
    (the dashboard runs `spiegel report`, so both are this one function)."""
    markdown = build_markdown(db, session_id, language, pseudonymize=pseudonymize)
    if fmt == "md":
        return markdown.encode("utf-8")
    shown = "" if pseudonymize else f" {session_id}"
    page = markdown_to_html(markdown, f"{_texts(language)['title']}{shown}", language)
    if fmt == "html":
        return page.encode("utf-8")
    return _print_pdf(page)


def _print_pdf(page: str) -> bytes:
    """The HTML printed by headless Chromium, offline, with its own throwaway profile."""
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
        source.write_text(page, encoding="utf-8")
        result = subprocess.run(
            [
                _chromium(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--no-pdf-header-footer",
                f"--user-data-dir={tmp}/profile",
                f"--print-to-pdf={target}",
                source.as_uri(),
            ],
            capture_output=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0 or not target.exists():
            raise UserError("error.report.pdf_failed")
        return target.read_bytes()


def write_report(
    db: Path | None, session_id: str, fmt: str, out: Path, language: str = "nl", pseudonymize: bool = False
) -> Path:
    """`spiegel report`: the report written to `out` whole or not at all (staged beside it, then moved)."""
    return write_atomic(out, render_report(db, session_id, fmt, language, pseudonymize))
