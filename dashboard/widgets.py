"""Streamlit's own widgets in the interface language: what no widget option of Streamlit 1.67 sets.

The date picker takes its month and day names, first day of the week and field placeholder from
`navigator.language`, and the file chooser's button and size line are fixed English. `browser_locale`
gives the page the interface language's locale (nl-NL, en-GB: both Monday first); `uploader_css` writes the
file chooser's texts from the catalogue. The ⋮ menu is switched off in the launcher (`client.toolbarMode`).
"""

from __future__ import annotations

import json

import streamlit as st
import streamlit.components.v2  # st.components.v2 is not loaded by `import streamlit`

from dashboard.i18n import t


def uploader_css(max_mb: int) -> str:
    """Streamlit's file chooser in the page's language: its button and size line are fixed English in the
    widget, so CSS hides them and writes ours (no option of `st.file_uploader` sets them)."""
    size = f"{max_mb // 1024} GB" if max_mb >= 1024 else f"{max_mb} MB"

    def css_text(value: str) -> str:
        return json.dumps(value)  # a JSON string is a valid CSS string for plain text

    return f"""<style>
[data-testid=stFileUploaderDropzone] button > * {{display:none}}
[data-testid=stFileUploaderDropzone] button::after {{content:{css_text(t("upload.choose_button"))}}}
[data-testid=stFileUploaderDropzoneInstructions] > * {{display:none}}
[data-testid=stFileUploaderDropzoneInstructions]::after {{content:{css_text(t("upload.limit", size=size))};
  font-size:.85rem;opacity:.75}}
</style>"""


#: The browser locale Streamlit's own widgets get in each interface language: the date picker's month and
#: day names and first day of the week, the date field's placeholder and the table's number format follow
#: `navigator.language` (no widget option sets them in Streamlit 1.67).
BROWSER_LOCALES = {"nl": "nl-NL", "en": "en-GB"}


#: Runs in the page itself (a Streamlit v2 component): gives `navigator.language` the interface's locale and,
#: when that changed it, asks for one rerun. Streamlit hands its widgets the locale only when the app draws
#: again, and a script in `st.html` can run after the run's last drawing (its code loads lazily; on a loaded
#: machine the date picker then kept the browser's language until the next click).
_LOCALE_JS = """
export default function ({ data, setTriggerValue }) {
  const want = data.locale;
  if (navigator.language === want) return;
  for (const [name, value] of [["language", want], ["languages", Object.freeze([want])]]) {
    Object.defineProperty(window.navigator, name, { get: () => value, configurable: true });
  }
  document.documentElement.lang = want.slice(0, 2);
  setTriggerValue("changed", want);
}
"""

_locale_component = st.components.v2.component("gs_browser_locale", js=_LOCALE_JS)

#: Streamlit's status widget says a fixed English "Running..."/"Stop".
_STATUS_CSS = "<style>[data-testid=stStatusWidget] {visibility:hidden}</style>"


def browser_locale(lang: str) -> None:
    """Give Streamlit's widgets the interface language (see BROWSER_LOCALES) and hide the status widget's fixed
    English; the locale is checked on every page view, so a language switch takes effect at once, and it costs
    one extra rerun only when the browser's locale had to change."""
    st.html(_STATUS_CSS)
    _locale_component(
        key="gs_browser_locale",
        data={"locale": BROWSER_LOCALES.get(lang, "nl-NL")},
        on_changed_change=lambda: None,
    )
