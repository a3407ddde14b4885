"""What every page does first: page config, the Norwegian menu, the store's state, the filter.

The app runs in Streamlit's classic pages-folder mode without st.navigation, so a deep link
to any page as the very first visit runs that page's own setup (this function) and nothing
depends on the entry file having run first.
"""

from __future__ import annotations

import json

import streamlit as st

from store import database
from store.queries import PilotFilter
from ui import filters, store_access
from ui.charts import FADED_TEXT

# The menu is text only: a Material icon makes the browser load and decode the 375 kB icon font
# on every page view, which was a tenth of the overview's first draw (issue 5).
PAGES = (
    ("dashboard.py", "Oversikt"),
    ("pages/1_virksomheter.py", "Virksomheter"),
    ("pages/2_budsjett.py", "Budsjett"),
    ("pages/3_tidslinje.py", "Tidslinje"),
    ("pages/4_planer.py", "Planer"),
    ("pages/5_importer.py", "Importer"),
)


# Streamlit and plotly draw some texts of their own in English, whatever the page's language: the skip link a
# keyboard user meets first, the «Page not found» dialog for an unknown address, the tables' and the charts'
# toolbar buttons. The page puts Norwegian in their place as they appear (texts matched whole, so nothing of ours
# is touched; Streamlit is pinned, and a browser test reads them). The tables' own «Download as CSV» is hidden:
# it wrote comma-separated files that Norwegian Excel opens in one column; the downloads row writes them right.
DOWNLOAD_FAILED = "Filen kunne ikke lages. Prøv igjen om litt; skjer det igjen, står årsaken i serverens logg."
CHROME_WORDS = {
    "Skip to main content": "Hopp til hovedinnholdet",
    "Page not found": "Fant ikke siden",
    "The page that you have requested does not seem to exist. Running the app's main page.":
        "Siden du ba om, finnes ikke. Oversikten vises i stedet.",
    "Show/hide columns": "Vis eller skjul kolonner",
    "Search": "Søk i tabellen",
    "Fullscreen": "Fullskjerm",
    "Close fullscreen": "Lukk fullskjerm",
    "Download plot as a PNG": "Last ned figuren som PNG",
    "Zoom": "Zoom inn på et område",
    "Pan": "Flytt",
    "Zoom in": "Zoom inn",
    "Zoom out": "Zoom ut",
    "Autoscale": "Vis alt",
    "Reset axes": "Tilbakestill aksene",
    # a table's column menu (⋮ in its header) with its Format and Statistikk menus, its list of columns, its search
    "Sort ascending": "Sorter stigende",
    "Sort descending": "Sorter synkende",
    "Statistics": "Statistikk",
    "Autosize": "Tilpass bredden",
    "Pin column": "Fest kolonnen",
    "Unpin column": "Løsne kolonnen",
    "Hide column": "Skjul kolonnen",
    "Copy column name": "Kopier kolonnenavnet",
    "Automatic": "Automatisk",
    "Localized": "Lokalt format",
    "Plain": "Uten skilletegn",
    "Compact": "Kompakt",
    "Percent": "Prosent",
    "Scientific": "Vitenskapelig",
    "Accounting": "Regnskap",
    "Duration": "Varighet",
    "Calendar": "Kalender",
    "Values": "Verdier",
    "Count": "Antall",
    "Empty": "Tomme",
    "Distinct": "Ulike",
    "Average": "Gjennomsnitt",
    "Maximum": "Maksimum",
    "Standard deviation": "Standardavvik",
    "Based on sample": "Basert på et utvalg",
    "Minimum length": "Korteste",
    "Maximum length": "Lengste",
    "Average length": "Snittlengde",
    "Select all": "Velg alle",
    "Type to search": "Skriv for å søke",
    "Previous Result": "Forrige treff",
    "Next Result": "Neste treff",
    "Close Search": "Lukk søket",
    # what screen readers say of the sidebar, headings and choice boxes
    "Sidebar": "Sidemeny",
    "Collapse sidebar": "Skjul sidemenyen",
    "Expand sidebar": "Vis sidemenyen",
    "Link to heading": "Lenke til overskriften",
    "Open": "Åpne",
    # a choice box's list when nothing matches what was typed
    "No results": "Ingen treff",
    # under a text or number field while something typed is not yet applied
    "Press Enter to apply": "Trykk Enter for å bruke",
    # to screen readers: a number field's − and + (Tidslinje's «Side»), a choice box's ×, the upload field's input
    "Decrement": "Reduser verdien",
    "Increment": "Øk verdien",
    "Clear value": "Tøm feltet",
    "Clear all": "Fjern alle",
    "file upload": "Velg filer",
    "Add files": "Legg til filer",  # the «+» beside files already chosen
    # under a download button whose file could not be made (the server's log has the reason): for a few seconds
    "Download failed": DOWNLOAD_FAILED,
    "Failed to generate file for download": DOWNLOAD_FAILED,
    "Failed to process backend operation": DOWNLOAD_FAILED,
    "Request timed out":
        "Filen ble ikke ferdig i tide. Velg færre virksomheter eller planer i filteret, og prøv igjen.",
    "Connection closed":
        "Forbindelsen til serveren ble brutt mens filen ble laget. Last inn siden på nytt og prøv igjen.",
}
_CHROME_SCRIPT = """<script>
if (!window.poNorwegianChrome) {
  window.poNorwegianChrome = true;
  const hidden = document.createElement('style');  // in the page's head: st.html keeps its own styles to itself
  hidden.textContent = '[data-testid="stTooltipHoverTarget"]:has(> button[aria-label="Download as CSV"])'
    + ' { display: none !important; }'
    // «Flere filter» opening downwards in a 900 px window had «Forsøk» below its edge
    + ' [data-testid="stPopoverBody"] [data-testid="stVerticalBlock"] { gap: 0.5rem; }'
    // captions in a grey that small text can be read in (WCAG 2.1 AA: 4.5:1; Streamlit's, at 60 % opacity, 3.7:1)
    + ' [data-testid="stCaptionContainer"] { color: FADED_TEXT !important; opacity: 1 !important; }'
    // a choice box's list as wide as its names, not as the sidebar: «Departementenes sikkerhets- og
    // serviceorganisasjon (DSS)» was cut before the abbreviation, and two long names looked the same
    + ' [data-testid="stMultiSelectDropdown"] { width: max(var(--trigger-width), 28rem) !important; }'
    + ' [data-testid="stMultiSelectDropdown"] [role="listbox"] > [role="presentation"],'
    + ' [data-testid="stMultiSelectDropdown"] [role="listbox"] > [role="presentation"] > [role="presentation"]'
    + ' { width: 100% !important; }';
  document.head.appendChild(hidden);
  const words = WORDS;
  // Texts are looked for in these parts of the page only (each is small, or there only while open)
  const places = '[data-testid="stSkipToContent"], section[role="dialog"], [data-testid="stTooltipContent"], '
    + '[data-testid="stDataFrameColumnMenu"], [data-testid="stDataFrameColumnVisibilityMenu"], '
    + '[data-testid="stDataFrameColumnFormattingMenu"], [data-testid="stDataFrameStatisticsMenu"], '
    + '[data-testid="stMultiSelectDropdown"], [data-testid="stSelectboxVirtualDropdown"], '
    + '[data-testid="InputInstructions"], [data-testid="stDownloadButtonError"], .gdg-search-bar';
  const labels = '[aria-label], .modebar-btn[data-title], input[placeholder], '
    + '[data-testid="stDataFrameColumnMenu"] [title]';
  const searchCount = /^(?:(\\d+) of )?(?:(over 1000)|(\\d+) results?)$/;
  const norwegian = () => {
    for (const place of document.querySelectorAll(places)) {
      const walker = document.createTreeWalker(place, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.nodeValue.trim();
        if (text === '(index)') {  // the tables hide their index; the list of columns named it all the same
          const row = node.parentElement.closest('label');
          if (row) row.style.display = 'none';
        } else if (Object.hasOwn(words, text)) {
          node.nodeValue = words[text];
        } else if (searchCount.test(text)) {  // a table's search: «0 results», «3 of 12 results», «over 1000»
          const [, at, over, count] = searchCount.exec(text);
          node.nodeValue = (at ? at + ' av ' : '') + (over ? 'over 1\\u00a0000' : count) + ' treff';
        }
      }
    }
    for (const e of document.querySelectorAll(labels)) {
      for (const name of ['aria-label', 'data-title', 'placeholder', 'title']) {
        const text = e.getAttribute(name);
        if (text && text !== 'Download as CSV' && Object.hasOwn(words, text)) e.setAttribute(name, words[text]);
        // an icon beside its words («✓ Dekket» on Planer) was «check icon Dekket» to a screen reader
        else if (name === 'aria-label' && text && text.endsWith(' icon') && e.getAttribute('role') === 'img') {
          e.removeAttribute('aria-label');
          e.setAttribute('aria-hidden', 'true');
        }
        // a widget's «?» button: «Help for Søk i planene» to a screen reader
        else if (name === 'aria-label' && text && text.startsWith('Help for ')) {
          e.setAttribute(name, 'Hjelp til ' + text.slice(9));
        }
        // Importer's chosen files: «Remove plan.xlsx», and a chip read as «plan.xlsx, 23.8KB»
        else if (name === 'aria-label' && text && e.closest('[data-testid="stFileUploader"]')) {
          const size = /^(.*), (\\d+)(?:\\.(\\d+))?(B|KB|MB|GB)$/.exec(text);
          if (size) e.setAttribute(name, size[1] + ', ' + size[2] + (size[3] ? ',' + size[3] : '') + ' '
            + {B: 'byte', KB: 'kB', MB: 'MB', GB: 'GB'}[size[4]]);
          else if (text.startsWith('Remove ')) e.setAttribute(name, 'Fjern ' + text.slice(7));
          else if (text.startsWith('Cancel upload of ')) {
            e.setAttribute(name, 'Avbryt opplastingen av ' + text.slice(17));
          }
        }
      }
    }
  };
  let queued = false;  // once a frame at most: a page's drawing makes many changes in a row
  const soon = () => { if (!queued) { queued = true; requestAnimationFrame(() => { queued = false; norwegian(); }); } };
  // What a choice box tells screen readers as the list changes («12 options available.»), put in a live region at
  // the end of the page: rewritten as it is added, before the screen reader is told of it, not a frame later
  const counted = /^(\\d[\\d,]*) options? available\\.$/;  // «1,234 options available.» past a thousand
  const announced = (records) => {
    for (const record of records) {
      if (!record.target.hasAttribute || !record.target.hasAttribute('aria-live')) continue;
      for (const node of record.addedNodes) {
        const found = counted.exec(node.textContent.trim());
        const count = found && found[1].replaceAll(',', '\\u00a0');
        if (found) node.textContent = count === '0' ? 'Ingen treff.'
          : count === '1' ? '1 alternativ.' : count + ' alternativer.';
      }
    }
  };
  new MutationObserver((records) => { announced(records); soon(); })
    // characterData: the search's count is one text, rewritten as the search goes on
    .observe(document.body, {childList: true, subtree: true, characterData: true});
  norwegian();
}
</script>""".replace("WORDS", json.dumps(CHROME_WORDS, ensure_ascii=False)).replace("FADED_TEXT", FADED_TEXT)


PAGE_LINK_KEY = "_page_own_link"  # page path → the page's own query parameters (Planer's search and toggle)


def _menu(menu: st.delta_generator.DeltaGenerator, f: PilotFilter | None) -> None:
    """The sidebar menu with Norwegian labels; each link carries the current filter."""
    params = filters.query_params(f) if f is not None else {}
    with menu:
        # One element for the name, the tagline and the page's language: every element is a render of its own.
        # The page is in Norwegian: say so, so screen readers pronounce it right (WCAG 3.1.1).
        st.html("<script>document.documentElement.lang = 'nb';</script>" + _CHROME_SCRIPT +
                '<h3 style="font-size:1.25rem;font-weight:600;margin:0.5rem 0 0.25rem 0;padding:0">Pilotoversikt</h3>'
                f'<div style="color:{FADED_TEXT};font-size:0.875rem">Tillitsreformen – piloter i sektoren</div>',
                unsafe_allow_javascript=True)
        for path, label in PAGES:
            # Planer's own choices ride along on its link, so coming back to it from another page keeps them
            own = st.session_state.get(PAGE_LINK_KEY, {}).get(path, {})
            st.page_link(path, label=label, query_params={**params, **own})


def page_setup(title: str, needs_data: bool = True) -> PilotFilter | None:
    """Set up a page: config, menu, title, and the filter; None when the store has no data.

    With needs_data, a missing or empty store shows what to do and stops the page. The menu is
    drawn before any stop: nothing a page adds after st.stop() reaches the browser, and a user
    facing an empty or unreadable store needs the way to Importer most.
    """
    # An emoji icon is drawn in the page; a Material one would be fetched from fonts.gstatic.com.
    st.set_page_config(page_title=f"{title} – Pilotoversikt", page_icon="📊", layout="wide")
    menu = st.sidebar.container()
    st.title(title)
    f, stop = _setup_filter(title, needs_data)
    _menu(menu, f)
    if stop:
        st.stop()
    return f


def _setup_filter(page: str, needs_data: bool) -> tuple[PilotFilter | None, bool]:
    """The store's state and the filter, and whether the page stops: it shows guidance when there is nothing
    to show."""
    try:
        state = store_access.state()
        if state == "broken":
            st.error(f"Databasen {store_access.store_path()} kan ikke leses: filen er skadet eller ikke en "
                     "Pilotoversikt-database. Sett PILOT_DB til riktig fil, eller flytt filen og importer på nytt.",
                     icon=":material/error:")
            return None, True
        if state != "ok":
            if needs_data:
                empty_store_message(state)
            return None, needs_data
        return filters.sidebar_filter(page), False
    except database.StoreBusy as exc:
        st.error(f"{exc}", icon=":material/lock:")
    except database.StoreUnreadable as exc:
        st.error(f"{exc}", icon=":material/error:")
    except database.StoreMissing:
        empty_store_message("missing")
    return None, True


def empty_store_message(state: str) -> None:
    """Tell the user what to do when there is nothing to show yet."""
    what = "Databasen finnes ikke ennå." if state == "missing" else "Databasen har ingen innsendinger ennå."
    st.info(f"{what} Importer virksomhetenes skjemaer, eller last inn eksempeldataene for å se hvordan "
            "oversikten ser ut.", icon=":material/info:")
    left, right = st.columns(2)
    left.page_link("pages/5_importer.py", label="Gå til Importer", icon=":material/upload_file:")
    if right.button("Last inn eksempeldata", key="load_sample_empty", icon=":material/dataset:"):
        with st.spinner("Laster eksempeldata …"):
            store_access.load_sample()
        st.rerun()
