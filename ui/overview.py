"""The overview's key figures and everything below them, built once per store, filter and day.

Every new browser tab is a new session that runs the page from the top; the counts and the
HTML depend only on the store, the filter and today's date, so they are built once (from the
cached reads in ui.store_access) and shared, like the reads themselves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from store.queries import CANCELLED, OPEN, PilotFilter, requests_without_letter, to_follow_up
from ui import formatting as fmt
from ui import html_blocks, store_access

STATUS_ORDER = ["Pågår", "Gjennomført", "Planlagt", "Avbrutt"]  # under way first
FOLLOW_UP_ROWS = 10  # the rest are on Virksomheter, one click away
LATE_ROWS = 3  # of them kept for late reports when many are missing
# a list at most this much longer is shown whole: «De andre – 2 ikke levert» sent a leader to another page for two
# names, and the landing page could not answer «who has not reported»
FEW_MORE = 3


@dataclass(frozen=True)
class Overview:
    """What the overview shows for one filter."""

    band: tuple[int, int]  # the ambition: pilots under way or completed
    html: str  # the key figures, the ambition, reporting per round, next milestones and key dates
    follow_up: int = 0  # agencies asked that have not reported, or reported late, for a round
    newest: dt.date | None = None  # the date of the newest submission in the filter


def overview(f: PilotFilter, today: dt.date) -> Overview:
    """The overview for a filter, through a cache keyed by the store's signature (an import is seen at once)."""
    return _cached(store_access.signature(store_access.store_path()), f.key(), today)


@st.cache_resource(show_spinner=False, max_entries=64)
def _cached(sig: tuple, key: tuple, today: dt.date) -> Overview:
    return build(PilotFilter(*key), today)


def build(f: PilotFilter, today: dt.date) -> Overview:
    """The overview's figures and HTML from the store's cached reads."""
    settings = store_access.read("settings")
    by_status = (store_access.frame("status_summary", f, today).set_index("status").reindex(STATUS_ORDER)
                 .dropna(how="all"))
    status = store_access.frame("reporting_status", f, today)
    counted = int(by_status["pilots"].reindex(settings["counting_statuses"]).sum())
    planned = int(by_status["pilots"].get("Planlagt", 0))
    band = (settings["ambition_min"], settings["ambition_max"])
    asked = status[status["was_asked"]]
    verdict = fmt.ambition_words(counted, band, filtered=not f.is_empty)  # the words the deck uses
    rounds = store_access.frame("rounds")
    upcoming = store_access.frame("upcoming_milestones", f, today)
    # under a year filter, that round's deadline: the others' read as this round's, as in the note under the bars
    dates = [(r.deadline, None, f"Frist for rapportering, oppstart {r.start_year}") for r in rounds.itertuples()
             if f.start_year is None or r.start_year == f.start_year]
    # an event with an end is a window («høsten 2023»): its first day alone read as the day of the seminar
    dates += [(e.start_date, e.end_date, f"{e.label} ({e.note})" if e.note else e.label)
              for e in store_access.frame("events").itertuples()]
    dates += [(settings["reform_end"], None, "Reformperioden slutter")]
    dates = sorted(((pd.Timestamp(d).date(), None if pd.isna(end) else pd.Timestamp(end).date(), text)
                    for d, end, text in dates), key=lambda day: (day[0], day[2]))  # by day, then by what

    ambition = html_blocks.section(
        f"Ambisjonen: {fmt.plural(counted, 'pilot', 'piloter')} i gang eller gjennomført{verdict}",
        html_blocks.ambition_bar(counted, planned, band),
        # an agency without pilots had a table of headers only
        html_blocks.note("Ingen piloter i utvalget.") if by_status.empty else html_blocks.table(pd.DataFrame({
            "Status": by_status.index,
            "Piloter": by_status["pilots"].astype(int),
            "Herav forsøk": by_status["forsok"].astype(int),
            "Budsjett": by_status["budget_nok"].map(fmt.kr),
        }), numeric=("Budsjett",)), *_out_of_date_note(by_status, today))
    reporting = html_blocks.section(
        "Rapportering per runde", *_reporting_parts(status),
        # the rounds the bars show: under a year filter the other rounds' deadlines read as this one's
        note_text=" · ".join(f"Oppstart {r.start_year}: frist {fmt.date(r.deadline)}" for r in rounds.itertuples()
                             if f.start_year is None or r.start_year == f.start_year))
    milestones = (html_blocks.note(f"Ingen milepæler etter i dag ({fmt.date(today)}) for pilotene i filteret"
                                   f"{'' if CANCELLED in f.statuses else ' som ikke er avbrutt'}.")
                  if upcoming.empty else html_blocks.table(pd.DataFrame({
                      "Dato": upcoming["from_date"].map(fmt.date),
                      "Milepæl": upcoming["name"],
                      "Pilot": upcoming["pilot_name"],
                      "Virksomhet": upcoming["agency"],
                  })))
    key_dates = html_blocks.table(pd.DataFrame({"Dato": [fmt.date_span(d, end) for d, end, _ in dates],
                                                "Hva": [t for _, _, t in dates]}))
    right = html_blocks.section("Neste milepæler", milestones) + html_blocks.section("Viktige datoer", key_dates)
    forsok = int(by_status["forsok"].sum())
    cancelled_forsok = int(by_status["forsok"].get(CANCELLED, 0) or 0)
    budget_nok = float(by_status["budget_nok"].sum())
    scale = fmt.scale_for(budget_nok)  # billions at the whole state's scale: «121 868,6» millions was hard to read
    delivered = int(asked["submitted_on"].notna().sum())
    still_open = int((asked["reporting_state"] == OPEN).sum())  # not late, so not behind: said beside the «av»
    low, high = band
    figures = html_blocks.key_figures([
        html_blocks.Figure("I gang / gjennomført", fmt.number(counted),
                           f"Piloter med status {' eller '.join(settings['counting_statuses'])}. "
                           f"Ambisjonen er {low}–{high}."),
        html_blocks.Figure("Planlagt", fmt.number(planned),
                           "Piloter med status Planlagt, slik virksomhetene rapporterte den."),
        html_blocks.Figure("Forsøk", fmt.number(forsok), (
            "Piloter som trenger unntak fra lov eller forskrift. "  # all, as the table under the bar counts them
            + (f"Tallet tar med {fmt.plural(cancelled_forsok, 'avbrutt forsøk', 'avbrutte forsøk')}."
               if cancelled_forsok else "")).rstrip()),
        html_blocks.Figure(f"Budsjett, {scale.unit}", fmt.millions(budget_nok, scale=scale),
                           (f"Sum av «Budsjett totalt (kr)» for pilotene i filteret: {fmt.kr(budget_nok)}. "
                            + fmt.cancelled_words(int(by_status["pilots"].get(CANCELLED, 0) or 0),
                                                  float(by_status["budget_nok"].get(CANCELLED, 0) or 0))).rstrip()),
        html_blocks.Figure("Innsendinger", fmt.number(delivered),
                           # under «?status=Gjennomført» every other card fell to 0 and this one stayed: said
                           "Innsendinger fra virksomheter som er bedt om å rapportere, per runde. Følger filteret "
                           "på virksomhet, departement og oppstartsår, men ikke status og forsøk, som gjelder "
                           "pilotene." + (f" Av forespørslene har {fmt.number(still_open)} frist som ikke er ute."
                                          if still_open else ""),
                           of=f"av {fmt.number(len(asked))}"),
    ])
    html = html_blocks.block(figures, ambition, html_blocks.columns(reporting, right))
    to_follow = status.loc[to_follow_up(status), "agency"].nunique()
    newest = status["submitted_on"].max()
    return Overview(band=band, html=html, follow_up=int(to_follow),
                    newest=None if pd.isna(newest) else pd.Timestamp(newest).date())


def _out_of_date_note(by_status: pd.DataFrame, today: dt.date) -> list[str]:
    """A note when reported statuses look out of date by today: the ambition's count rests on them."""
    stale = by_status["out_of_date"].fillna(0).astype(int)
    parts = [f"{fmt.number(stale.get(status, 0))} står som {status} med {when} før i dag"
             for status, when in (("Planlagt", "startdato"), ("Pågår", "sluttdato")) if stale.get(status, 0)]
    if not parts:
        return []
    return [html_blocks.note(f"Statusen kan være utdatert for {fmt.plural(int(stale.sum()), 'pilot', 'piloter')}: "
                             f"{' og '.join(parts)} ({fmt.date(today)}). Tallene bygger på statusen virksomhetene "
                             "rapporterte; Planer viser start og slutt for hver plan.")]


def _reporting_parts(status: pd.DataFrame) -> list[str]:
    """The reporting bars, their counts, and the agencies to follow up (the first ten)."""
    if status.empty:
        return [html_blocks.note("Ingen virksomheter i filteret er bedt om å rapportere.")]
    counts = html_blocks.reporting_counts(status)
    unasked = html_blocks.unasked_counts(status, counts.index)
    columns = {
        "Runde": [f"Oppstart {y}" for y in counts.index],
        **{state: counts[state] for state in counts.columns},
        "I alt": counts.sum(axis=1),  # those asked, as «Innsendinger … av …» counts them
    }
    if unasked.any():
        columns["Uten forespørsel"] = unasked
    parts = [html_blocks.reporting_bars(counts), html_blocks.table(pd.DataFrame(columns))]
    parts += _unregistered_letters_note(status)
    follow_up = status[to_follow_up(status)]
    if not follow_up.empty:
        shown = _follow_up_rows(follow_up)
        parts.append(html_blocks.table(pd.DataFrame({
            "Virksomhet": shown["agency"],
            "Runde": shown["start_year"].astype(str),
            "Status": shown["reporting_state"],
            "Innsendt": shown["submitted_on"].map(fmt.date),
        }), caption=f"Til oppfølging: {fmt.plural(len(follow_up), 'rapport', 'rapporter')} ikke levert eller levert "
                    f"for sent, fra {fmt.plural(follow_up['agency'].nunique(), 'virksomhet', 'virksomheter')}"))
        if len(follow_up) > len(shown):
            rest = follow_up.drop(index=shown.index)
            words = fmt.join_words(
                f"{fmt.number(len(part))} {state.lower()} (oppstart "
                f"{fmt.join_words(str(y) for y in sorted(part['start_year'].unique()))})"
                for state in ("Ikke levert", "For sent") if len(part := rest[rest["reporting_state"] == state]))
            parts.append(html_blocks.note(f"Viser {len(shown)} av {fmt.number(len(follow_up))}. De andre – {words} – "
                                          "står på Virksomheter, under «Bare til oppfølging»."))
    return parts


def _unregistered_letters_note(status: pd.DataFrame) -> list[str]:
    """A note when requests in the register have no letter (date or reference): «Ikke levert» and the follow-up
    rest on them as on the others, and a leader could chase an agency that was never asked."""
    without, asked = requests_without_letter(status)
    if not without:
        return []
    return [html_blocks.note(fmt.unregistered_letters_text(without, asked))]


def _follow_up_rows(follow_up: pd.DataFrame) -> pd.DataFrame:
    """The agencies to follow up that fit: «Ikke levert» first, but the late ones keep a few rows of their own
    (a leader asks who was late, and eleven missing reports used to hide the one late). The newest round first:
    it is the one still being chased, and oldest first cut the 2024 reports off the list."""
    ordered = follow_up.sort_values(["start_year", "agency"], ascending=[False, True])
    missing = ordered[ordered["reporting_state"] == "Ikke levert"]
    late = ordered[ordered["reporting_state"] == "For sent"]
    if len(ordered) <= FOLLOW_UP_ROWS + FEW_MORE:
        return pd.concat([missing, late])
    late_rows = min(len(late), max(FOLLOW_UP_ROWS - len(missing), LATE_ROWS))
    return pd.concat([missing.head(FOLLOW_UP_ROWS - late_rows), late.head(late_rows)])
