"""`spiegel report`: the supervision report of one session (Markdown, HTML, PDF); reads through `store`."""

from report.build import build_markdown, markdown_to_html, render_report, write_report

__all__ = ["build_markdown", "markdown_to_html", "render_report", "write_report"]
