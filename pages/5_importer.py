"""Importer: upload filled-in forms, see what each file will change, then import."""

import hashlib
from collections import Counter

import numpy as np
import pandas as pd
import streamlit as st

from exports.excel import csv_bytes
from loaders.importer import OUTCOME_TEXT, FilePlan, reported, reported_at
from loaders.reading import megabytes
from loaders.template import template_bytes
from loaders.values import norwegian_today, shown
from store.database import StoreBusy, StoreUnreadable
from ui import formatting as fmt
from ui import store_access
from ui.downloads import CSV_MIME
from ui.layout import page_setup
from ui.page_parts import IMPORTED_AT

page_setup("Importer", needs_data=False)
st.caption("Last opp virksomhetenes utfylte skjemaer (.xlsx) eller CSV-filer. Du ser hva hver fil vil endre, og "
           "alle feil, før noe blir skrevet. En fil med feil blir ikke importert i det hele tatt.")

st.download_button("Last ned tomt rapporteringsskjema (.xlsx)", template_bytes(store_access.reference()),
                   file_name="rapporteringsskjema_tillitsreformen.xlsx", key="last_ned_skjema",
                   icon=":material/download:",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

# Streamlit's uploader says «Upload» and «20MB per file», in English, whatever the page's language. Its own
# texts are hidden and Norwegian ones drawn in their place (Streamlit is pinned; a browser test reads them),
# and an uploaded file's size («22.0MB») is not shown. The widget's own limit (.streamlit/config.toml) is
# above the form's, so a file too large for the form reaches the loader, which refuses it in Norwegian with
# its name and size. A file even over the widget's limit never reaches the server: its chip says so here.
# Ten files chosen showed two rows of chips and a sliver of the third (the box scrolled from 106 px); it now
# grows to about seven rows first.
max_mb = megabytes(store_access.reference().settings.limits.max_file_bytes)
st.html(f"""<style>
[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] p {{ display: none; }}
[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"]::after
  {{ content: "Velg filer"; }}
[data-testid="stFileUploaderDropzoneInstructions"] span {{ display: none; }}
[data-testid="stFileUploaderDropzoneInstructions"] div::after
  {{ content: "eller dra dem hit – høyst {max_mb} MB per fil"; }}
[data-testid="stFileChipName"] + div {{ display: none; }}
[data-testid="stFileChips"] {{ max-height: 18rem !important; }}
[data-testid="stFileChip"][aria-invalid="true"] [data-testid="stFileChipName"]::after
  {{ content: " – for stor, ikke lastet opp (høyst {max_mb} MB per fil)"; }}
</style>""")
upload_key = f"importer_filer_{st.session_state.get('upload_round', 0)}"
# Any type is taken: a file the form cannot be read from (.xls, .pdf) gets the loader's Norwegian reason in the
# preview, where the widget itself would only say in English that the type is not allowed.
uploaded = st.file_uploader("Filer som skal importeres (.xlsx eller .csv)", accept_multiple_files=True,
                            key=upload_key, help="Flere filer kan lastes opp samtidig. Piloter-tabeller "
                            "importeres først, så milepæler og budsjett kan vise til dem.")
OUTCOME_LABELS = {"new": "Ny", "replaces": "Erstatter", "unchanged": "Uendret", "refused": "Avvist",
                  "imported": "Importert"}


def show_plans(plans: list[FilePlan]) -> None:
    """One row per file with its outcome, then every error and warning as the CLI prints them."""
    st.dataframe(pd.DataFrame({
        "Fil": [p.name for p in plans],
        "Utfall": [OUTCOME_LABELS[p.outcome] + (" (eldre)" if p.older and p.outcome != "refused" else "")
                   for p in plans],
        # the counts before the long text: at 1280 px «Hva» pushed them out of view
        "Feil": [len(p.parsed.errors) for p in plans],
        "Advarsler": [len(p.parsed.warnings) for p in plans],
        "Hva": [p.summary for p in plans],
    }), hide_index=True, key=(table_key := f"plan_table_{len(plans)}_{plans[0].name if plans else ''}"),
        column_config={"Hva": st.column_config.TextColumn(width=540),  # the longest text, cut first
                       "Feil": st.column_config.NumberColumn(width="small"),
                       "Advarsler": st.column_config.NumberColumn(width="small")})
    if any(plan.problems for plan in plans):
        # to send back to an agency, or to work through in Excel: the boxes below are gone once the page is left.
        # Made on the click, not on every rerun: 16 000 problems took 0,7 s and sent 4 MB each time.
        st.download_button("Last ned feil og advarsler (CSV)", data=lambda: csv_bytes(problems_frame(plans)),
                           file_name=f"importfeil_{norwegian_today():%Y-%m-%d}.csv", mime=CSV_MIME,
                           key=f"problems_{table_key}", icon=":material/download:", on_click="ignore",
                           help="Semikolonseparert, for norsk Excel: én rad per feil eller advarsel.")
    for plan in plans:
        errors, warnings = plan.parsed.errors, plan.parsed.warnings
        # What the files hold is shown as written, never as markup: a formula «=B2*C2*12» lost its stars to italics
        name = fmt.escape_markdown(plan.name)
        if plan.differences and plan.outcome in ("replaces", "imported"):
            against = "det som lå inne før importen" if plan.outcome == "imported" else "det som ligger inne"
            # what it replaces first: in the table's «Hva» the version and its date were cut off («… i versjon»)
            st.info(f"**{name}** – endringer mot {against}:\n\n"
                    + "\n".join(f"- {fmt.escape_markdown(line)}" for line in [*plan.changes, *plan.differences]),
                    icon=":material/compare_arrows:")
        if errors:
            # several agencies send the template's file name: which one was refused is said beside it
            who = f" ({', '.join(reports)})" if (reports := reported(plan.parsed)) else ""
            st.error(f"**{name}**{who} – {OUTCOME_TEXT[plan.outcome]}:\n\n" + _problem_list(errors),
                     icon=":material/error:")
        if warnings:
            still = " (filen importeres likevel)" if plan.outcome in ("new", "replaces", "imported") else ""
            st.warning(f"**{name}** – advarsler{still}:\n\n" + _problem_list(warnings), icon=":material/warning:")


PROBLEMS_SHOWN = 200  # per file and kind, as the command line shows them


def problems_frame(plans: list[FilePlan]) -> pd.DataFrame:
    """Every error and warning of the files, one per row, with where it is and what was found and expected."""
    return pd.DataFrame([{
        # a CSV of many agencies: whose each row is (reported_at)
        "Fil": plan.name, "Innsending": reported_at(plan.parsed, p),
        "Type": "Advarsel" if p.is_warning else "Feil", "Ark": p.sheet or "", "Rad": p.row or "",
        "Kolonne": p.column or "", "Fant": "" if p.value is None else shown(p.value), "Forventet": p.expected,
    } for plan in plans for p in plan.problems],
        columns=["Fil", "Innsending", "Type", "Ark", "Rad", "Kolonne", "Fant", "Forventet"])


def _problem_list(problems: list) -> str:
    """Problems as a Markdown list, each as the CLI words it, its text escaped; past PROBLEMS_SHOWN, how many more."""
    lines = [f"- {fmt.escape_markdown(f'{p.where}: {p.message}')}" for p in problems[:PROBLEMS_SHOWN]]
    if len(problems) > PROBLEMS_SHOWN:  # 260 errors were listed as 200, without a word of the other 60
        lines.append(f"- … og {len(problems) - PROBLEMS_SHOWN} til (tallet står i tabellen over)")
    return "\n".join(lines)


def store_refused(exc: Exception, doing: str, count: int) -> None:
    """The store could not be opened (another process holds it, or it is damaged): say so; nothing was written,
    and the chosen files stay chosen, so the user can try again once it is free (the store's own message says
    when to try again, and what to do with a damaged one)."""
    icon = ":material/lock:" if isinstance(exc, StoreBusy) else ":material/error:"
    chosen = "filen er" if count == 1 else "filene er"
    st.error(f"{exc}\n\nIngenting er {doing}, og {chosen} fortsatt valgt.", icon=icon)


def previewed(files: list[tuple[str, bytes]]) -> list[FilePlan] | None:
    """The preview of these files, made once per set of files; None when the store could not be read for it."""
    digest = hashlib.sha256(b"".join(hashlib.sha256(c).digest() for _, c in files)).hexdigest()
    if st.session_state.get("preview_digest") != digest:
        try:
            with st.spinner("Leser filene …"):
                st.session_state["preview"] = store_access.preview(files)
        except (StoreBusy, StoreUnreadable) as exc:  # was a traceback after ten silent seconds
            store_refused(exc, "lest inn", len(files))
            st.button("Prøv igjen", key="forhandsvis_igjen", icon=":material/refresh:")
            return None
        st.session_state["preview_digest"] = digest
    return st.session_state["preview"]


def import_files(files: list[tuple[str, bytes]]) -> list[FilePlan] | None:
    """Import the files, with a progress bar; None when the store could not be opened for it."""
    bar = st.progress(0.0, text="Importerer …")
    try:
        return store_access.run_import(files, lambda i, n, name: bar.progress(i / n, text=f"{i} av {n}: {name}"))
    except (StoreBusy, StoreUnreadable) as exc:
        store_refused(exc, "importert", len(files))
        return None
    finally:
        bar.empty()


files = [(u.name, u.getvalue()) for u in uploaded or ()]
if files:
    st.session_state.pop("last_result", None)  # new files: the last import's outcome would stand beside their preview
if files and (plans := previewed(files)) is not None:
    st.subheader("Dette vil skje")
    show_plans(plans)
    importable = [p for p in plans if p.outcome in ("new", "replaces")]
    older = [p for p in importable if p.older]
    if older:
        # an old copy sent again became current over the correction that followed it, with a warning among others
        one = len(older) == 1
        st.warning(f"**{fmt.plural(len(older), 'fil', 'filer')} er eldre enn versjonen {'den' if one else 'de'} "
                   f"erstatter**, men blir gjeldende om du importerer {'den' if one else 'dem'}:\n\n"
                   + "\n".join(f"- {fmt.escape_markdown(p.name)}: {'; '.join(p.older)}" for p in older)
                   + f"\n\nEr {'den en gammel kopi' if one else 'de gamle kopier'}, fjern "
                   f"{'den' if one else 'dem'} fra listen over (×) før du importerer.", icon=":material/history:")
    which = "den eldre filen" if len(older) == 1 else "de eldre filene"
    confirmed = not older or st.checkbox(f"Gjør likevel {which} gjeldende",
                                         key=f"bekreft_eldre_{st.session_state['preview_digest']}")
    label = f"Importer {fmt.plural(len(importable), 'fil', 'filer')}" if importable else "Ingen filer å importere"
    if st.button(label, type="primary", disabled=not importable or not confirmed,
                 key="importer_knapp", icon=":material/upload:") and (done := import_files(files)) is not None:
        st.session_state["last_result"] = done
        st.session_state["result_unseen"] = True
        st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1
        st.session_state.pop("preview_digest", None)
        st.rerun()

if "last_result" in st.session_state:
    result: list[FilePlan] = st.session_state["last_result"]
    counts = Counter(p.outcome for p in result)
    # «8 ikke importert» put files already in the store with refused ones: how many to send back was not said
    told = ", ".join([f"{fmt.plural(counts['imported'], 'fil', 'filer')} importert"]
                     + [f"{counts[o]} {word}" for o, word in (("unchanged", "uendret"), ("refused", "avvist"))
                        if counts[o]])
    if st.session_state.pop("result_unseen", False):
        # the page stayed scrolled to where the button was, below the outcome: the banner was out of view
        st.html("<script>for (const e of [document.querySelector('[data-testid=\"stMain\"]'), "
                "document.querySelector('[data-testid=\"stAppViewContainer\"]'), document.scrollingElement]) "
                "if (e) e.scrollTo({top: 0});</script>", unsafe_allow_javascript=True)
    if counts["refused"]:
        refused = "Den avviste filen" if counts["refused"] == 1 else "De avviste filene"
        st.warning(f"Ferdig: {told}. {refused} må rettes og lastes opp på nytt; feilene står under.",
                   icon=":material/warning:")
    else:
        st.success(f"Ferdig: {told}.", icon=":material/check_circle:")
    show_plans(result)

st.subheader("Importhistorikk")
if store_access.state() == "missing":
    st.caption("Ingen filer er importert ennå.")
else:
    log = store_access.frame("import_log")
    if log.empty:
        st.caption("Ingen filer er importert ennå.")
    else:
        st.dataframe(pd.DataFrame({
            # whose report it was before the file's name and kind: at 1024 px the columns after «Type» were cut off
            "Importert": log["imported_at"], "Innsendinger (versjon)": log["versions"],
            "Advarsler": log["warning_count"], "Fil": log["file_name"],
            "Type": log["table_kind"].map({"workbook": "Arbeidsbok", "pilots": "Piloter (CSV)",
                                          "milestones": "Milepæler (CSV)", "budget": "Budsjett (CSV)"}),
            "Størrelse": np.ceil(log["size_bytes"] / 1024),
        }), hide_index=True, key="importlogg", column_config={  # dates and sizes that sort as such
            "Importert": IMPORTED_AT, "Størrelse": st.column_config.NumberColumn(format="%' ,d kB")})
