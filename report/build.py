"""`spiegel report`: a supervision report of one session as Markdown, HTML or PDF.

The report is built once as Markdown-like blocks and rendered to each format. Every piece of transcript text
is HTML-escaped in both Markdown and HTML output: a transcript may contain anything a person said or typed.
PDF is the HTML printed by headless Chromium (Debian `chromium`), which the setup installs.
"""

from __future__ import annotations

import html
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import store
from core import formatting, texts
from core.errors import UserError
from core.records import Session
from core.taxonomy import LABELS

TECHNIQUE_LABELS = LABELS  # taxonomy.md order, from the one table in core/taxonomy.py
HIGHLIGHT_LABELS = frozenset(
    {
        "compliment",
        "miracle_question",
        "exception_question",
        "exception_report",
        "coping_question",
        "scale_question",
        "more_question",
    }
)


def _texts(language: str) -> dict[str, Any]:
    """The report's own texts (`report.*` in the catalogue), keyed without the prefix."""
    return {
        key.removeprefix("report."): value
        for key, value in {**texts.catalogue("nl"), **texts.catalogue(language)}.items()
        if key.startswith("report.")
    }


def _pct(value: float | None) -> str:
    return formatting.percent(value)


def _metrics(db: Path | None, session_id: str) -> tuple[Session, dict[str, dict[str, Any]]]:
    with store.connect(db, read_only=True) as con:
        session = store.load_session(con, session_id)
        rows = store.queries.metrics_by_role(con, session_id)
    return session, rows


def build_markdown(db: Path | None, session_id: str, language: str = "nl", pseudonymize: bool = False) -> str:
    """The report as Markdown; with `pseudonymize`, names, places, dates … are placeholders, and so is the id."""
    tx = _texts(language)
    meta, metrics = _metrics(db, session_id)
    if pseudonymize:
        from tagger.pseudonymize import Pseudonymizer, pseudonymize_session

        table = Pseudonymizer()
        original = meta.source_sha256
        meta = pseudonymize_session(meta, table)
        session_id = table.placeholder(original, "SESSIE")
    esc = html.escape
    lines = [f"# {tx['title']}", ""]
    duration = f"{meta.duration_s / 60:.0f} {tx['minutes']}" if meta.duration_s else tx["unknown"]
    for key, value in (
        ("session", session_id),
        ("date", formatting.date(meta.recorded_at, language, none="")),
        ("practitioner", meta.practitioner),
        ("client", meta.client_code),
        ("duration", duration),
        ("language", meta.language),
        ("source", meta.source_name),
    ):
        lines.append(f"- **{tx[key]}:** {esc(str(value)) if value else tx['unknown']}")
    if meta.warnings:
        lines += ["", f"**{tx['warnings']}:**", ""]
        lines += [f"- {esc(texts.warning_text(w, language))}" for w in meta.warnings]
    if not meta.has_times:
        lines += ["", f"_{tx['no_times']}_"]

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
    first = metrics.get("all", {}).get("first_solution_turn_s")
    if first is not None:
        lines.append(f"| {tx['first_solution_turn_s']} | | | {first:.0f} {tx['seconds']} |")

    lines += ["", f"## {tx['techniques']}", "", f"| {tx['label']} | {tx['count']} |", "|---|---|"]
    for label in TECHNIQUE_LABELS:
        count = metrics.get("all", {}).get(f"label_count_{label}", 0)
        if count:
            lines.append(f"| {esc(texts.label_name(label, language))} | {count} |")

    lines += ["", f"## {tx['scales']}", ""]
    scales = metrics.get("client", {}).get("scale_answers") or []
    if scales:
        for item in scales:
            subtype = f" ({esc(item['subtype'])})" if item.get("subtype") else ""
            lines.append(f"- {item['value']:g}{subtype}")
    else:
        lines.append(tx["no_scales"])

    lines += ["", f"## {tx['highlights']}", "", tx["highlights_intro"], ""]
    for tagged in meta.tagged:
        labels = [g.label for g in tagged.result.tags if g.label in HIGHLIGHT_LABELS]
        if labels:
            shown = ", ".join(dict.fromkeys(texts.label_name(label, language) for label in labels))
            lines.append(
                f"- {formatting.clock(tagged.utterance.start_s)} **{esc(shown)}** — {esc(tagged.utterance.text)}"
            )

    lines += ["", f"## {tx['transcript']}", ""]
    for tagged in meta.tagged:
        u = tagged.utterance
        labels = ", ".join(dict.fromkeys(texts.label_name(g.label, language) for g in tagged.result.tags))
        suffix = f" _[{esc(labels)}]_" if labels else ""
        orientation = tx[f"orientation.{tagged.result.orientation}"]
        lines.append(
            f"- {formatting.clock(u.start_s)} **{esc(u.speaker)}** ({orientation}): {esc(u.text)}{suffix}"
        )
    return "\n".join(lines) + "\n"


def markdown_to_html(markdown: str, title: str) -> str:
    """A small renderer for the report's own Markdown subset (headings, lists, tables, bold, italics).

    Text was escaped when the Markdown was built, so this only adds tags around it.
    """
    import re

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
    style = (
        "body{font-family:sans-serif;max-width:52em;margin:2em auto;line-height:1.45;color:#222}"
        "table{border-collapse:collapse}td{border:1px solid #ccc;padding:.25em .6em}h1{color:#1f5f8b}"
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise UserError("error.report.no_chromium")


def write_report(
    db: Path | None, session_id: str, fmt: str, out: Path, language: str = "nl", pseudonymize: bool = False
) -> Path:
    markdown = build_markdown(db, session_id, language, pseudonymize=pseudonymize)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "md":
        content = markdown
    else:
        shown = "" if pseudonymize else f" {session_id}"
        content = markdown_to_html(markdown, f"{_texts(language)['title']}{shown}")
    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / f"report.{fmt}"
        if fmt == "pdf":
            page = Path(tmp) / "report.html"
            page.write_text(content, encoding="utf-8")
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
                    f"--print-to-pdf={staged}",
                    page.as_uri(),
                ],
                capture_output=True,
                timeout=120,
                check=False,
            )
            if result.returncode != 0 or not staged.exists():
                raise UserError("error.report.pdf_failed")
        else:
            staged.write_text(content, encoding="utf-8")
        shutil.move(staged, out)
    return out
