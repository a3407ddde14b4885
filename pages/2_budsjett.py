"""Budsjett: budget per agency and per year, within current frames or not."""

import pandas as pd
import streamlit as st

from exports.common import budget_gap_words, budget_gaps
from store.queries import PLAN_KEYS
from ui import charts, html_blocks, store_access
from ui import formatting as fmt
from ui.downloads import chart_config
from ui.layout import page_setup
from ui.page_parts import (
    TABLE_LIMIT,
    agency_click_handler,
    capped,
    chart_with_table,
    export_row,
    kroner_columns,
    moves_note,
)

f = page_setup("Budsjett")
pilots = store_access.frame("pilots", f)
lines = store_access.frame("budget_lines", f)
cancelled = pilots[pilots["status"] == "Avbrutt"]  # in the sums, while the ambition leaves them out: said
cancelled_note = fmt.cancelled_words(len(cancelled), cancelled["budget_total_nok"].sum())
st.caption(f"Viser {f.describe()}.{moves_note(f)} «Budsjett totalt (kr)» fra hver plan er tallet som gjelder; "
           f"årsfordelingen bygger på budsjettradene. {cancelled_note}".rstrip())

if pilots.empty:
    st.info("Ingen piloter passer filteret (se over).", icon=":material/filter_alt:")  # as Tidslinje says it
    st.stop()

total = pilots["budget_total_nok"].sum()
by_frame = pilots.groupby("within_budget_frame")["budget_total_nok"].sum()
frames = [(label, answer) for answer, label in charts.FRAME_LABELS.items()]  # the chart's order
# Cards that wrap onto a second row on a narrow window; st.metric in four columns cut «8 762,7» to «8 76…» at 1024 px.
scale = fmt.scale_for(total)  # the four cards in one unit: millions, or billions at the whole state's scale
st.html(html_blocks.block(html_blocks.key_figures([
    html_blocks.Figure(f"Budsjett, {scale.unit}", fmt.millions(total, scale=scale),
                       f"Sum av «Budsjett totalt (kr)»: {fmt.kr(total)}. {cancelled_note}".rstrip()),
    *(html_blocks.Figure(f"{label}, {scale.unit}", fmt.millions(by_frame.get(answer, 0), scale=scale),
                         f"Pilotene som svarer {answer} på «Innenfor gjeldende rammer»: "
                         f"{fmt.kr(by_frame.get(answer, 0))}.") for label, answer in frames),
])))
parts_sum = fmt.parts_shown_sum(total, [by_frame.get(answer, 0) for _, answer in frames], scale)
if parts_sum:  # 10,8 + 9,8 + 7,8 beside a total of 28,3 read as a mistake
    st.caption(f"Hvert kort er avrundet for seg, så de tre andre kortene summerer til {parts_sum} og ikke til "
               f"{fmt.millions(total, scale=scale)}; kronebeløpene står under «?» og i tabellene.")

st.subheader("Budsjett per virksomhet")
per_agency = charts.budget_per_agency(pilots)  # largest first, as the chart draws them
amounts = per_agency.reindex(columns=["Ja", "Delvis", "Nei", "Totalt"], fill_value=0)
table = pd.DataFrame({  # the total (the order of the rows) next to the name: on a laptop it stays in view
    "Virksomhet": per_agency.index,
    "Piloter": pilots.groupby("agency").size().reindex(per_agency.index).values,
    "Totalt": fmt.whole_kroner(amounts["Totalt"].values),
    "Innenfor rammer": fmt.whole_kroner(amounts["Ja"].values),
    "Delvis": fmt.whole_kroner(amounts["Delvis"].values),
    "Utenfor rammer": fmt.whole_kroner(amounts["Nei"].values),
})
rest = fmt.rest_note(per_agency["Totalt"], charts.MAX_BARS, "tabellen under")
chart_with_table(charts.budget_by_agency(per_agency), table, "budsjett_virksomhet",
                 caption=(rest + " " if rest else "") + "Klikk på en virksomhets stolpe for å filtrere hele oversikten "
                                                       "til den.",
                 on_select=agency_click_handler("budsjett_virksomhet_chart"),
                 column_config=kroner_columns("Innenfor rammer", "Delvis", "Utenfor rammer", "Totalt"),
                 config=chart_config("budsjett per virksomhet", f))

st.subheader("Budsjett per år (budsjettrader)")
if lines.empty:
    st.info("Pilotene i filteret har ingen budsjettrader (arket Budsjett).")
else:
    per_year = charts.budget_per_year(lines)  # summed once, for the chart and its table
    shown = per_year.assign(Totalt=per_year.sum(axis=1))[["Totalt", *per_year.columns]]
    year_table = pd.DataFrame({"År": shown.index.astype(str)})
    for column in shown.columns:
        year_table[column] = fmt.whole_kroner(shown[column].values)
    chart_with_table(charts.budget_by_year(per_year), year_table, "budsjett_aar",
                     column_config=kroner_columns(*shown.columns), config=chart_config("budsjett per år", f))
    financing = lines.groupby("financing")["amount_nok"].sum()
    # «Innenfor rammer» is also a card's label above, for the plans' answer: 4,8 mill. here beside «0,0» there
    st.caption("Kolonnen «Finansiering» i budsjettradene: " + " · ".join(f"{k}: {fmt.kr(v)}" for k, v in
                                                                        financing.items())
               + ". Den sier hvordan hver rad skal finansieres, og er ikke planenes svar på «Innenfor gjeldende "
                 "rammer», som kortene øverst bygger på.")
    totals = pilots.set_index(PLAN_KEYS)["budget_total_nok"]
    shown = budget_gaps(totals, lines.groupby(PLAN_KEYS)["amount_nok"].sum())
    if not shown.empty:
        # Two sums side by side, not «X av Y»: rows above one pilot's total can make up for another with none.
        st.warning(f"{budget_gap_words(shown)}. Tallene per år bygger på budsjettradene "
                   f"({fmt.kr(lines['amount_nok'].sum())}); nøkkeltallene og tallene per virksomhet på «Budsjett "
                   f"totalt (kr)» ({fmt.kr(totals.sum())}).", icon=":material/warning:")
        st.dataframe(pd.DataFrame({
            "Virksomhet": [i[0] for i in shown.index], "Pilot": [i[2] for i in shown.index],
            "Budsjett totalt": fmt.whole_kroner(shown["total"].values),
            "Sum budsjettrader": fmt.whole_kroner(shown["rows"].values)}), hide_index=True, key="budsjett_avvik",
            column_config=kroner_columns("Budsjett totalt", "Sum budsjettrader"), placeholder="–")

st.subheader("Budsjett per pilot")
# Beyond what a table sends, the largest budgets: the ones a reader looks for first.
largest = (capped(pilots.sort_values("budget_total_nok", ascending=False, kind="stable"), "piloter",
                  "størst budsjett først") if len(pilots) > TABLE_LIMIT else pilots)
per_pilot = pd.DataFrame({
    "Virksomhet": largest["agency"], "Pilot": largest["pilot_name"], "Status": largest["status"],
    "Budsjett totalt": fmt.whole_kroner(largest["budget_total_nok"]),
    "Innenfor gjeldende rammer": largest["within_budget_frame"],
    # As text, with the decimal comma no column format has, padded so that it sorts as numbers (a pandas
    # Styler would sort it as numbers too, at 60 ms more per run at M and twice the data sent).
    "Årsverk": fmt.aligned_numbers(largest["person_years"], 1),
    "Ressurser": largest["resources"].fillna("–"),
})
st.dataframe(per_pilot, hide_index=True, key="budsjett_piloter", placeholder="–",
             column_config={**kroner_columns("Budsjett totalt"), "Årsverk": st.column_config.Column(width=90),
                            # the cards' word: sized to «Ja» and «Delvis», the full label was cut to «Innenfor gjel…»
                            "Innenfor gjeldende rammer": st.column_config.TextColumn(
                                "Innenfor rammer", help="Planens svar på «Innenfor gjeldende rammer»")})
export_row(f, "budsjett")
