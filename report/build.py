"""`spiegel report`: a supervision report of one session as Markdown, HTML or PDF.

The report is built once as Markdown-like blocks and rendered to each format. Every piece of transcript text
is HTML-escaped in both Markdown and HTML output: a transcript may contain anything a person said or typed.
PDF is the HTML printed by headless Chromium (Debian `chromium`), which the setup installs.
"""

from __future__ import annotations

import html
import json
import shutil
import subprocess
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import store
from core.errors import UserError
from core.records import Transcript
from core.warnings import parse_warning
from tagger.taxonomy import LABELS

TECHNIQUE_LABELS = LABELS  # taxonomy.md order, from the one table in tagger/taxonomy.py
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


@cache
def report_texts(language: str) -> dict[str, Any]:
    data = json.loads(resources.files("report").joinpath("texts.json").read_text(encoding="utf-8"))
    return data.get(language, data["nl"])


@cache
def label_names(language: str) -> dict[str, str]:
    """Display names from the tagger's label file; the machine name when the file lacks one."""
    try:
        data = json.loads(resources.files("tagger").joinpath("data/labels.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, ModuleNotFoundError):
        return {}
    names: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, dict) and language in value:
            names[key] = str(value[language])
    return names


@cache
def warning_texts(language: str) -> dict[str, str]:
    """The dashboard's translations of warning codes, so report and dashboard say the same thing."""
    try:
        data = json.loads(
            resources.files("dashboard").joinpath(f"locales/{language}.json").read_text(encoding="utf-8")
        )
    except (FileNotFoundError, ModuleNotFoundError):
        return {}
    return {key.removeprefix("warning."): value for key, value in data.items() if key.startswith("warning.")}


def _warning(texts: dict[str, str], code: str) -> str:
    name, fields = parse_warning(code)
    return texts[name].format(**fields) if name in texts else code


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes:02d}:{secs:02d}"


def _metrics(db: Path | None, session_id: str) -> tuple[Transcript, dict[str, dict[str, Any]]]:
    with store.connect(db, read_only=True) as con:
        transcript = store.load_transcript(con, session_id)
        rows = store.queries.metrics_by_role(con, session_id)
    return transcript, rows


def build_markdown(db: Path | None, session_id: str, language: str = "nl", pseudonymize: bool = False) -> str:
    """The report as Markdown; with `pseudonymize`, names, places, dates … are placeholders, and so is the id."""
    tx = report_texts(language)
    names = label_names(language)
    transcript, metrics = _metrics(db, session_id)
    if pseudonymize:
        from tagger.pseudonymize import Pseudonymizer, pseudonymize_transcript

        table = Pseudonymizer()
        original = transcript.meta.source_sha256
        transcript = pseudonymize_transcript(transcript, table)
        session_id = table.placeholder(original, "SESSIE")
    meta = transcript.meta
    esc = html.escape
    lines = [f"# {tx['title']}", ""]
    duration = f"{meta.duration_s / 60:.0f} {tx['minutes']}" if meta.duration_s else tx["unknown"]
    for key, value in (
        ("session", session_id),
        ("date", meta.recorded_at),
        ("practitioner", meta.practitioner),
        ("client", meta.client_code),
        ("duration", duration),
        ("language", meta.language),
        ("source", meta.source_name),
    ):
        lines.append(f"- **{tx[key]}:** {esc(str(value)) if value else tx['unknown']}")
    if meta.warnings:
        texts = warning_texts(language)
        lines += ["", f"**{tx['warnings']}:**", ""]
        lines += [f"- {esc(_warning(texts, w))}" for w in meta.warnings]
    if not any(t.utterance.start_s is not None for t in transcript.utterances):
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
            lines.append(f"| {esc(names.get(label, label))} | {count} |")

    lines += ["", f"## {tx['scales']}", ""]
    scales = metrics.get("client", {}).get("scale_answers") or []
    if scales:
        for item in scales:
            subtype = f" ({esc(item['subtype'])})" if item.get("subtype") else ""
            lines.append(f"- {item['value']:g}{subtype}")
    else:
        lines.append(tx["no_scales"])

    lines += ["", f"## {tx['highlights']}", "", tx["highlights_intro"], ""]
    for tagged in transcript.utterances:
        labels = [g.label for g in tagged.result.tags if g.label in HIGHLIGHT_LABELS]
        if labels:
            shown = ", ".join(dict.fromkeys(names.get(label, label) for label in labels))
            lines.append(
                f"- {_clock(tagged.utterance.start_s)} **{esc(shown)}** — {esc(tagged.utterance.text)}"
            )

    lines += ["", f"## {tx['transcript']}", ""]
    for tagged in transcript.utterances:
        u = tagged.utterance
        labels = ", ".join(dict.fromkeys(names.get(g.label, g.label) for g in tagged.result.tags))
        suffix = f" _[{esc(labels)}]_" if labels else ""
        orientation = tx["orientation"][str(tagged.result.orientation)]
        lines.append(f"- {_clock(u.start_s)} **{esc(u.speaker)}** ({orientation}): {esc(u.text)}{suffix}")
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
    raise UserError("A PDF report needs Chromium (Debian package chromium); use --format html or md instead.")


def write_report(
    db: Path | None, session_id: str, fmt: str, out: Path, language: str = "nl", pseudonymize: bool = False
) -> Path:
    markdown = build_markdown(db, session_id, language, pseudonymize=pseudonymize)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "md":
        content = markdown
    else:
        shown = "" if pseudonymize else f" {session_id}"
        content = markdown_to_html(markdown, f"{report_texts(language)['title']}{shown}")
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
                raise UserError("Chromium could not print the report to PDF; use --format html instead.")
        else:
            staged.write_text(content, encoding="utf-8")
        shutil.move(staged, out)
    return out
