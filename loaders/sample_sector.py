"""The bundled sample sector: fictional submissions from KDD's agencies, written as real files.

`write_sample_files(folder)` writes the files under data/samples/ (and their README.md) from
the specification in this module, and returns the form files in the order they should be
imported (an earlier version before the revision that replaces it). Run it again after a
change here or in the template and commit the result; tests/test_sample_sector.py checks that
the committed files are exactly what this module writes.

What the sample shows, so every page of the dashboard has something to say:

* 10 of the 12 agencies report, for both rounds (Oppstartsår 2023 and 2024); Datatilsynet and
  Nkom report for neither, and most agencies have not reported for 2023, so «ikke rapportert»
  shows. 18 pilots: 2 Pågår and 1 Gjennomført (3 count toward the 3–5 ambition), 1 Avbrutt,
  14 Planlagt. 3 are forsøk (exemption from valgloven, forskrift om lån fra Husbanken,
  byggesaksforskriften). Every trust relation is used.
* Husleietvistutvalget answers Nei to «Har planer om piloter» for 2024; Distriktssenteret's 2023
  report is late; Statsbygg sends its 2024 report twice (the revision raises a budget and adds
  a pilot).
* Every pilot has milestones and at least one phase, and budget rows that add up to its
  total, except Kartverket's matrikkel pilot, whose rows are 200 000 kr short: the one
  intended warning.
* The files vary as real ones do: the official template filled in; a home-made workbook
  (Kartverket) with a title row, other column order, label variants and values written as
  text; a CSV set in Windows-1252 with `;` (Digdir); a CSV set in UTF-8 with BOM and `,`, with
  commas and line breaks inside quoted fields (Distriktssenteret).

All people, e-mail addresses (example.no), municipalities and plans are fictional.
xlsx files are written deterministically (fixed zip times and document properties), so a
rerun gives byte-identical files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from loaders.contract import BUDGET, MILESTONES, PILOTS, SUBMISSION, Field, Table
from loaders.register import Reference, load_reference
from loaders.template import (
    DATA_FIRST_ROW,
    DATA_HEADER_ROW,
    SUBMISSION_LABEL_COLUMN,
    SUBMISSION_VALUE_COLUMN,
    build_template,
    data_column,
    submission_row,
)
from loaders.values import MONTH_NAMES

D = dt.date
README_NAME = "README.md"

# ---------------------------------------------------------------------------------------
# The specification: clean values keyed by the contract's field keys


@dataclass(frozen=True)
class Milestone:
    """A milestone (one date) or, with an end date, a phase.

    status None means: worked out from the dates and the submission date.
    """

    name: str
    start: dt.date
    end: dt.date | None = None
    status: str | None = None

    @property
    def kind(self) -> str:
        """Fase when the milestone has an end date, else Milepæl."""
        return "Fase" if self.end else "Milepæl"

    def status_on(self, day: dt.date) -> str:
        """Its status as the agency would write it on the day of the submission."""
        if self.status:
            return self.status
        last = self.end or self.start
        if last < day:
            return "Ferdig"
        return "Pågår" if self.start <= day else "Ikke startet"


@dataclass(frozen=True)
class BudgetLine:
    """A row of the Budsjett sheet; category None is left blank (and means Annet)."""

    year: int
    amount: int
    category: str | None = "Lønn"
    financing: str = "Innenfor rammer"


@dataclass
class SamplePilot:
    """One pilot: its Piloter values (by field key), milestones and budget rows.

    as_written holds a cell's text where the file writes a value as a person would type
    it (home-made workbook); "" leaves the cell blank. budget_mismatch marks the one pilot
    whose budget rows deliberately do not add up to its total.
    """

    values: dict[str, object]
    milestones: tuple[Milestone, ...]
    budget: tuple[BudgetLine, ...]
    as_written: dict[str, str] = field(default_factory=dict)
    budget_mismatch: bool = False

    def __post_init__(self) -> None:
        unknown = set(self.values) - {f.key for f in PILOTS.fields}
        if unknown:
            raise ValueError(f"unknown Piloter fields: {sorted(unknown)}")

    @property
    def name(self) -> str:
        """Pilotnavn."""
        return str(self.values["pilot_name"])

    @property
    def reference(self) -> str:
        """What the Milepæler and Budsjett rows write in «Pilot»: the Pilot-ID, else the name."""
        return str(self.values.get("pilot_ref") or self.values["pilot_name"])


@dataclass
class SampleSubmission:
    """One agency's report for one round, as one file (workbook) or one set of CSV files."""

    stem: str  # file name without extension, e.g. 2024_husbanken
    layout: str  # template | homemade | csv_cp1252 | csv_utf8
    agency: str  # the register's name
    agency_written: str  # as the agency wrote it in the file
    start_year: int
    submitted_on: dt.date
    contact_person: str
    email: str
    has_plans: bool
    union_involvement: str
    assessment: str | None = None
    pilots: list[SamplePilot] = field(default_factory=list)
    shows: str = ""  # what the file demonstrates, for README.md

    def submission_values(self) -> dict[str, object]:
        """The Innsending values by field key (clean, except the agency as written)."""
        return {
            "agency": self.agency_written, "start_year": self.start_year, "submitted_on": self.submitted_on,
            "contact_person": self.contact_person, "email": self.email, "has_plans": self.has_plans,
            "assessment": self.assessment, "union_involvement": self.union_involvement,
        }

    def file_names(self) -> list[str]:
        """The names of the files this submission is written as, in import order."""
        if self.layout.startswith("csv"):
            return [f"{self.stem}_{part}.csv" for part in CSV_PARTS]
        return [f"{self.stem}.xlsx"]


def _pilot(milestones: tuple[Milestone, ...], budget: tuple[BudgetLine, ...], *,
           as_written: dict[str, str] | None = None, budget_mismatch: bool = False, **values: object) -> SamplePilot:
    """A pilot from keyword values (contract keys); blank values are left out."""
    clean = {k: v for k, v in values.items() if v not in (None, "", (), [])}
    return SamplePilot(clean, milestones, budget, as_written or {}, budget_mismatch)


# ---------------------------------------------------------------------------------------
# Round 2023 (deadline 25.08.2023)


def _statsbygg_2023() -> SampleSubmission:
    return SampleSubmission(
        stem="2023_statsbygg", layout="template", agency="Statsbygg", agency_written="Statsbygg",
        start_year=2023, submitted_on=D(2023, 8, 23),
        contact_person="Kari Nordmann (fiktiv)", email="kari.nordmann@example.no", has_plans=True,
        union_involvement="Hovedtillitsvalgte i Parat, NTL og Tekna er orientert i informasjons- og "
                          "drøftingsmøte 15.08.2023. De tillitsvalgte har hver sin plass i styringsgruppen "
                          "for pilotene.",
        shows="Det offisielle skjemaet fylt ut. Én pilot pågår (teller mot ambisjonen), én er planlagt "
              "og sier ingenting om evaluering.",
        pilots=[
            _pilot(
                (
                    Milestone("Oppstartsmøte med tillitsvalgte", D(2023, 6, 1)),
                    Milestone("Forberedelse og opplæring av teamledere", D(2023, 6, 1), D(2023, 8, 31)),
                    Milestone("Utprøving med utvidet fullmakt", D(2023, 9, 1), D(2024, 8, 31)),
                    Milestone("Midtveisevaluering", D(2024, 2, 15)),
                    Milestone("Sluttrapport", D(2024, 11, 29)),
                ),
                (
                    BudgetLine(2023, 600_000, "Lønn"),
                    BudgetLine(2023, 150_000, "Innkjøp"),
                    BudgetLine(2024, 900_000, "Lønn"),
                    BudgetLine(2024, 150_000, "Drift"),
                ),
                pilot_ref="SB-2023-01",
                pilot_name="Selvstyrte team i eiendomsforvaltningen",
                status="Pågår",
                trust_relation="Ledere og ansatte",
                problem="Driftsteamene på eiendommene må i dag innhente godkjenning fra regionledelsen for "
                        "mange små beslutninger om vedlikehold. Det gir lang behandlingstid, dobbeltarbeid og "
                        "lite handlingsrom for de ansatte som kjenner byggene best.",
                goals="Flytte beslutningsmyndighet for mindre vedlikeholdstiltak til driftsteamene, slik at "
                      "tiltakene gjennomføres raskere og de ansatte får større ansvar og tillit.",
                themes=("Delegering", "Tillitsbasert ledelse", "Færre godkjenningsledd"),
                learning_goals="Hvilke beslutninger kan trygt delegeres til teamene, og hvilken støtte trenger "
                               "lederne for å lede selvstyrte team?",
                what_to_test="Fullmakt til driftsteamene for vedlikeholdstiltak opp til 250 000 kr uten "
                             "forhåndsgodkjenning, med etterfølgende rapportering én gang i kvartalet.",
                needs_exemption=False,
                service_scope="Drift og vedlikehold av om lag 40 eiendommer i én region (fiktivt utvalg).",
                org_scope="Fire driftsteam med til sammen 35 ansatte.",
                processes="Bestilling og godkjenning av vedlikeholdstiltak, kvartalsvis rapportering og "
                          "avvikshåndtering.",
                scope_will_expand=True,
                start_date=D(2023, 6, 1), end_date=D(2024, 11, 29),
                users="Leietakerne i de berørte eiendommene gir tilbakemelding på responstid og kvalitet.",
                units_and_staff="Fire driftsteam og regionledelsen; eiendomsforvaltere og driftsteknikere.",
                budget_total_nok=1_800_000, within_budget_frame="Ja",
                resources="Prosjektleder i 50 % stilling, lederstøtte fra HR og kurs for teamlederne.",
                person_years=1.0, follow_up_covered=True,
                admin_consequences="Endringer i fullmaktsmatrisen for regionen. Ingen varige merkostnader.",
                documentation="Teamene fører en enkel logg over beslutninger tatt under fullmakten. "
                              "Prosjektleder samler erfaringene i månedlige refleksjonsmøter og skriver et kort "
                              "notat hvert kvartal.",
                evaluation="Før- og ettermåling av behandlingstid for vedlikeholdstiltak, spørsmål om "
                           "handlingsrom og tillit i medarbeiderundersøkelsen, og intervjuer med leietakere. "
                           "Sluttrapport innen utgangen av november 2024.",
            ),
            _pilot(
                (
                    Milestone("Avklaringsmøte med departementet", D(2023, 10, 2)),
                    Milestone("Utforming av forenklet tildelingsbrev", D(2023, 11, 1), D(2024, 1, 31)),
                    Milestone("Utprøving i budsjettåret 2024", D(2024, 2, 1), D(2024, 11, 30)),
                    Milestone("Felles oppsummering med departementet", D(2024, 12, 13)),
                ),
                (
                    BudgetLine(2023, 50_000, "Lønn"),
                    BudgetLine(2024, 400_000, "Lønn"),
                ),
                pilot_ref="SB-2023-02",
                pilot_name="Tillitsbasert styringsdialog med departementet",
                status="Planlagt",
                trust_relation="Departement og virksomhet",
                problem="Tildelingsbrevet har mange detaljerte resultatkrav og rapporteringspunkter som i liten "
                        "grad brukes i styringen. Rapporteringen binder ressurser i fagavdelingene uten å gi "
                        "tilsvarende læring.",
                goals="Sammen med departementet prøve ut en styringsdialog med færre og mer overordnede mål, og "
                      "redusere antall rapporteringskrav med minst en tredjedel.",
                themes=("Mål- og resultatstyring", "Rapporteringskrav", "Styringsdialog"),
                learning_goals="Hvilke styringsparametere gir departementet informasjonen det trenger, og hvilke "
                               "kan fjernes uten at styringsinformasjon går tapt?",
                what_to_test="Et forenklet tildelingsbrev med færre styringsparametere, og to dialogmøter i "
                             "stedet for skriftlige tertialrapporter.",
                needs_exemption=False,
                service_scope="Styringsdialogen for virksomheten som helhet.",
                org_scope="Ledergruppen og stab for økonomi og styring.",
                processes="Tertialrapportering, etatsstyringsmøter og årsrapport.",
                scope_will_expand=False,
                partner_agencies=("Kommunal- og distriktsdepartementet",),
                start_date=D(2023, 11, 1), end_date=D(2024, 12, 31),
                units_and_staff="Ledergruppen, stab for økonomi og styring og kontaktpersonene i departementet.",
                budget_total_nok=450_000, within_budget_frame="Ja",
                resources="Egne ressurser i staben, om lag 0,4 årsverk.",
                person_years=0.4, follow_up_covered=True,
                admin_consequences="Statsbygg flyttes til Digitaliserings- og forvaltningsdepartementet fra "
                                   "1. januar 2024; piloten må forankres i det nye departementet.",
                documentation="Referater fra dialogmøtene, og en felles logg over rapporteringskrav som er "
                              "fjernet eller endret.",
            ),
        ],
    )


def _husbanken_2023() -> SampleSubmission:
    return SampleSubmission(
        stem="2023_husbanken", layout="template", agency="Husbanken", agency_written="Husbanken",
        start_year=2023, submitted_on=D(2023, 8, 25),
        contact_person="Ola Nordmann (fiktiv)", email="ola.nordmann@example.no", has_plans=True,
        union_involvement="Planen er lagt fram for de tillitsvalgte i informasjons- og drøftingsmøte i mars "
                          "2023, og en tillitsvalgt deltar i arbeidsgruppen.",
        shows="Det offisielle skjemaet, sendt inn på fristdagen. Piloten pågår (teller mot ambisjonen).",
        pilots=[
            _pilot(
                (
                    Milestone("Avtaler med pilotkommunene signert", D(2023, 3, 15)),
                    Milestone("Første dialogrunde", D(2023, 4, 1), D(2023, 9, 29)),
                    Milestone("Andre dialogrunde og skjønnsbank", D(2023, 10, 2), D(2024, 6, 28)),
                    Milestone("Evalueringsrapport", D(2024, 9, 30)),
                ),
                (
                    BudgetLine(2023, 500_000, "Lønn"),
                    BudgetLine(2023, 100_000, "Drift"),
                    BudgetLine(2024, 600_000, "Lønn"),
                ),
                pilot_ref="HB-23-1",
                pilot_name="Tillitsbasert samhandling med kommunene om startlån",
                status="Pågår",
                trust_relation="Stat og kommunesektor",
                problem="Kommunene opplever at veiledningen om startlån er detaljert og preget av kontroll, og "
                        "at rapporteringen til Husbanken tar tid fra arbeidet med vanskeligstilte på "
                        "boligmarkedet.",
                goals="Erstatte deler av den skriftlige rapporteringen fra kommunene med faste dialogmøter, og "
                      "gi kommunene større rom for skjønn innenfor gjeldende regelverk.",
                themes=("Startlån", "Veiledning", "Rapportering fra kommunene"),
                learning_goals="Hvordan kan Husbanken følge opp kommunenes forvaltning av startlån med mindre "
                               "kontroll og mer dialog, uten at kvaliteten svekkes?",
                what_to_test="Dialogmøter hvert kvartal i stedet for halvårlig skriftlig rapportering, og en "
                             "felles «skjønnsbank» med anonymiserte eksempler.",
                needs_exemption=False,
                service_scope="Startlånsforvaltningen i åtte pilotkommuner (fiktive).",
                org_scope="Én region, avdeling for kommunekontakt.",
                processes="Veiledning, rapportering og stikkprøvekontroll av startlån.",
                scope_will_expand=True,
                partner_agencies=("KS",),
                start_date=D(2023, 4, 1), end_date=D(2024, 9, 30),
                users="Saksbehandlere for startlån i pilotkommunene, og et utvalg lånesøkere som intervjues.",
                units_and_staff="Seks rådgivere i regionen og fagavdelingen for startlån.",
                third_parties="Åtte pilotkommuner (fiktive) og KS.",
                budget_total_nok=1_200_000, within_budget_frame="Ja",
                resources="Rådgivere i regionen og en prosjektleder i 60 % stilling.",
                person_years=1.5, follow_up_covered=True,
                admin_consequences="Endret rapporteringsrutine for pilotkommunene; ingen endringer i regelverket.",
                documentation="Referat fra hvert dialogmøte etter fast mal, og logg over saker der kommunene har "
                              "brukt skjønn.",
                evaluation="Behandlingstid, avslagsandel og mislighold i pilotkommunene sammenlignes med et "
                           "utvalg andre kommuner. Spørreundersøkelse til kommunene ved start og slutt.",
            ),
        ],
    )


def _distriktssenteret_2023() -> SampleSubmission:
    return SampleSubmission(
        stem="2023_distriktssenteret", layout="csv_utf8", agency="Distriktssenteret",
        agency_written="Kompetansesenter for distriktsutvikling",
        start_year=2023, submitted_on=D(2023, 9, 29),
        contact_person="Per Eksempel (fiktiv)", email="per.eksempel@example.no", has_plans=True,
        union_involvement="Tillitsvalgte fra Akademikerne og NTL deltok i planleggingen, og pilotene er "
                          "drøftet i medbestemmelsesmøtet.",
        shows="CSV-sett (Piloter, Milepæler, Budsjett) i UTF-8 med BOM og komma som skilletegn, med komma og "
              "linjeskift inne i felt i anførselstegn. Virksomheten er skrevet med aliaset «Kompetansesenter for "
              "distriktsutvikling». Sendt inn for sent (29.09.2023, fristen var 25.08.2023). Én pilot er "
              "gjennomført (teller mot ambisjonen); den andre mangler deltakere, dokumentasjon og evaluering.",
        pilots=[
            _pilot(
                (
                    Milestone("Oppstartssamling", D(2023, 2, 9)),
                    Milestone("Samlingsrekke med kommunene", D(2023, 2, 1), D(2023, 6, 30)),
                    Milestone("Oppsummering, sluttnotat", D(2023, 7, 3), D(2023, 8, 31)),
                    Milestone("Sluttnotat levert", D(2023, 8, 31)),
                ),
                (
                    BudgetLine(2023, 450_000, "Lønn"),
                    BudgetLine(2023, 200_000, "Drift"),
                ),
                pilot_ref="KDU-1",
                pilot_name="Lærende nettverk med distriktskommuner",
                status="Gjennomført",
                trust_relation="Stat og kommunesektor",
                problem="Små distriktskommuner har få ressurser til utviklingsarbeid, og statlige virksomheter "
                        "møter dem ofte med hver sine krav, tilskuddsordninger og rapporteringsskjemaer.",
                goals="Prøve ut et lærende nettverk der seks kommuner selv definerer utfordringene, og der "
                      "staten bidrar med kompetanse, ikke nye krav.",
                themes=("Samordning av statlig innsats", "Kompetanse, rådgivning og nettverk", "Distriktskommuner"),
                learning_goals="Hva skal til for at kommunene opplever nettverket som nyttig, og hvordan kan "
                               "staten samordne seg bedre overfor små kommuner?",
                what_to_test="Samlinger med kommunenes egne problemstillinger, uten søknadsrunder og uten "
                             "rapportering ut over et kort sluttnotat.",
                needs_exemption=False,
                service_scope="Rådgivning til seks distriktskommuner (fiktive), om lag en tidel av senterets "
                              "kommunekontakt.",
                org_scope="To rådgivere og en seniorrådgiver.",
                processes="Planlegging av samlinger, oppfølging mellom samlingene, deling av erfaringer, "
                          "sluttnotat.",
                scope_will_expand=True,
                partner_agencies=("Husbanken", "Statsforvalteren i Innlandet og Fjellet (fiktivt embete)"),
                start_date=D(2023, 2, 1), end_date=D(2023, 8, 31),
                users="Kommunedirektører og planleggere i seks kommuner, til sammen om lag 25 personer.",
                units_and_staff="Avdeling for samfunnsutvikling: to rådgivere, en seniorrådgiver og "
                                "avdelingslederen.",
                third_parties="Seks distriktskommuner (fiktive); en regional høgskole bidro med én fagsamling.",
                budget_total_nok=650_000, within_budget_frame="Ja",
                resources="Egne rådgivere; reiser og samlinger dekkes av driftsbudsjettet.",
                person_years=0.8, follow_up_covered=True,
                admin_consequences="Ingen varige administrative konsekvenser.",
                documentation="Refleksjonsnotat etter hver samling, skrevet sammen med kommunene.\n"
                              "Sluttnotat, august 2023.",
                evaluation="Spørreundersøkelse til deltakerne etter siste samling, og intervjuer med tre "
                           "kommunedirektører. Fem av seks kommuner vil fortsette i nettverket.",
            ),
            _pilot(
                (
                    Milestone("Kortversjon av veiledningsmateriellet ferdig", D(2023, 12, 15)),
                    Milestone("Åpne veiledningstimer", D(2024, 1, 8), D(2024, 9, 30)),
                    Milestone("Oppsummering", D(2024, 10, 31)),
                ),
                (
                    BudgetLine(2023, 80_000, "Innkjøp", "Ekstra behov"),
                    BudgetLine(2024, 250_000, "Lønn"),
                    BudgetLine(2024, 50_000, "Innkjøp", "Ekstra behov"),
                ),
                pilot_ref="KDU-2",
                pilot_name="Dialogbasert veiledning for lokalsamfunn",
                status="Planlagt",
                trust_relation="Innbyggere og brukere",
                problem="Frivillige lag og lokalsamfunn som vil utvikle stedet sitt, finner veiledningsmateriellet "
                        "omfattende og vanskelig å bruke, og mange tar aldri kontakt.",
                goals="Prøve ut en enklere, dialogbasert veiledning der lokalsamfunnene selv beskriver behovet, "
                      "og der rådgiverne står fritt til å tilpasse oppfølgingen.",
                themes=("Stedsutvikling", "Klarspråk", "Brukermedvirkning"),
                learning_goals="Hvilken form for veiledning gir mest nytte for lokalsamfunn med lite kapasitet?",
                what_to_test="Åpne digitale veiledningstimer, og en kortversjon av materiellet, skrevet i "
                             "klarspråk.",
                needs_exemption=False,
                service_scope="Veiledning om lokal samfunnsutvikling, om lag 20 prosent av henvendelsene.",
                org_scope="Kommunikasjonsstaben og to rådgivere.",
                processes="Mottak av henvendelser, veiledningssamtaler, publisering av materiell.",
                start_date=D(2023, 11, 1), end_date=D(2024, 10, 31),
                budget_total_nok=380_000, within_budget_frame="Delvis",
                resources="To rådgivere i 30 % stilling; tekstarbeid kjøpes inn.",
                person_years=0.6, follow_up_covered=False,
                admin_consequences="Innkjøp av klarspråkstjenester, 130 000 kr, krever ekstra midler.",
            ),
        ],
    )


def _dss_2023() -> SampleSubmission:
    return SampleSubmission(
        stem="2023_dss", layout="template", agency="Departementenes sikkerhets- og serviceorganisasjon",
        agency_written="Departementenes sikkerhets- og serviceorganisasjon",
        start_year=2023, submitted_on=D(2023, 8, 24),
        contact_person="Lise Prøve (fiktiv)", email="lise.prove@example.no", has_plans=True,
        union_involvement="Beslutningen om å avbryte piloten ble drøftet med de tillitsvalgte i juni 2023, i "
                          "forbindelse med omorganiseringen.",
        shows="Det offisielle skjemaet. Piloten er avbrutt; planen sier ingenting om evaluering.",
        pilots=[
            _pilot(
                (
                    Milestone("Oppstart i to enheter", D(2023, 3, 1)),
                    Milestone("Utprøving uten månedsrapporter", D(2023, 3, 1), D(2023, 6, 30)),
                    Milestone("Beslutning om å avbryte piloten", D(2023, 6, 20)),
                ),
                (
                    BudgetLine(2023, 250_000, "Lønn"),
                    BudgetLine(2023, 50_000, "Drift"),
                ),
                pilot_ref="DSS-P1",
                pilot_name="Færre interne rapporteringskrav for driftsledere",
                status="Avbrutt",
                trust_relation="Ledere og ansatte",
                problem="Driftslederne i servicetjenestene bruker mye tid på interne rapporter om aktivitet og "
                        "ressursbruk som i liten grad brukes i styringen.",
                goals="Halvere antall interne rapporteringskrav til driftslederne og gi dem mer tid til å følge "
                      "opp medarbeiderne.",
                themes=("Interne rapporteringskrav", "Ledertid"),
                learning_goals="Hvilke interne rapporter er nødvendige, og hvilke kan erstattes av dialog?",
                what_to_test="Fjerne de månedlige aktivitetsrapportene i to enheter og erstatte dem med korte "
                             "statusmøter.",
                needs_exemption=False,
                service_scope="Interne rapporteringsrutiner i servicetjenestene.",
                org_scope="To enheter med til sammen 60 ansatte.",
                processes="Månedlig aktivitetsrapportering og ledermøter.",
                scope_will_expand=False,
                start_date=D(2023, 3, 1), end_date=D(2023, 12, 29),
                units_and_staff="Driftslederne i to enheter i servicetjenestene.",
                budget_total_nok=300_000, within_budget_frame="Ja",
                resources="Egne ressurser i staben for virksomhetsstyring.",
                person_years=0.3, follow_up_covered=True,
                admin_consequences="Piloten ble avbrutt i juni 2023 fordi enhetene inngår i en omorganisering og "
                                   "flyttes til nytt departementsområde fra 1. januar 2024. Erfaringene tas med i "
                                   "arbeidet med ny virksomhetsstyring.",
                documentation="Kort erfaringsnotat fra perioden mars–juni 2023.",
            ),
        ],
    )


# ---------------------------------------------------------------------------------------
# Round 2024 (deadline 31.10.2023)


def _statsbygg_2024(revised: bool) -> SampleSubmission:
    """Statsbygg 2024: the first version, or the revision that raises a budget and adds a pilot."""
    workshops_budget = (
        (BudgetLine(2024, 1_500_000, "Lønn"), BudgetLine(2024, 600_000, "Innkjøp", "Ekstra behov"),
         BudgetLine(2025, 1_000_000, "Lønn"))
        if revised else
        (BudgetLine(2024, 1_200_000, "Lønn"), BudgetLine(2024, 400_000, "Innkjøp", "Ekstra behov"),
         BudgetLine(2025, 800_000, "Lønn"))
    )
    pilots = [
        _pilot(
            (
                Milestone("Valg av tre pilotprosjekter", D(2024, 1, 15)),
                Milestone("Verkstedsrunde i tidligfasen", D(2024, 2, 1), D(2024, 12, 20)),
                Milestone("Midtveisgjennomgang", D(2024, 9, 2)),
                Milestone("Oppfølging i forprosjektet", D(2025, 1, 6), D(2025, 6, 30)),
            ),
            workshops_budget,
            pilot_ref="SB-2024-01",
            pilot_name="Brukerdrevet planlegging av statlige byggeprosjekter",
            status="Planlagt",
            trust_relation="Innbyggere og brukere",
            problem="Brukervirksomhetene opplever at de kommer for sent inn i planleggingen av nye bygg, og at "
                    "behovene deres blir oversatt til krav i mange ledd før de når prosjekteringen.",
            goals="La brukerne av bygget delta direkte i tidligfasen gjennom felles verksteder med "
                  "prosjektgruppen, og gi prosjektlederne fullmakt til å justere romprogrammet innenfor "
                  "kostnadsrammen.",
            themes=("Brukermedvirkning", "Tidligfase", "Fullmakter til prosjektledere"),
            learning_goals="Gir tidlig og direkte brukermedvirkning færre endringer senere i prosjektet, og hvilke "
                           "fullmakter trenger prosjektlederne?",
            what_to_test="Felles planleggingsverksteder med brukere og prosjektgruppe i tre prosjekter i "
                         "tidligfasen, og utvidet fullmakt for prosjektleder.",
            needs_exemption=False,
            service_scope="Tre byggeprosjekter i tidligfasen (fiktive)." if not revised else
                          "Tre byggeprosjekter i tidligfasen (fiktive), og fra 2025 også forprosjektet.",
            org_scope="Prosjektavdelingen; tre prosjektgrupper.",
            processes="Behovsavklaring, romprogram og endringshåndtering.",
            scope_will_expand=True,
            partner_agencies=("Direktoratet for byggkvalitet",),
            start_date=D(2024, 2, 1), end_date=D(2025, 6, 30),
            users="Representanter for tre brukervirksomheter (fiktive), blant dem ansatte og verneombud.",
            units_and_staff="Tre prosjektgrupper i prosjektavdelingen.",
            third_parties="Rådgivende arkitekter i de tre prosjektene.",
            budget_total_nok=3_100_000 if revised else 2_400_000, within_budget_frame="Delvis",
            resources="Prosjektledere og arkitekter i egne prosjekter; fasilitering av verksteder kjøpes inn.",
            person_years=2.0, follow_up_covered=True,
            admin_consequences="Utvidet fullmakt krever endring i den interne instruksen for prosjektstyring.",
            documentation="Hvert verksted dokumenteres med referat og bilder, og prosjektene fører endringslogg.",
            evaluation="Antall og kostnad for endringer etter forprosjektet sammenlignes med tre tilsvarende "
                       "prosjekter; brukertilfredsheten måles når forprosjektet overleveres.",
        ),
        _pilot(
            (
                Milestone("Fullmakter og tiltakspott vedtatt", D(2024, 2, 15)),
                Milestone("Gjennomføring av energitiltak", D(2024, 3, 1), D(2024, 11, 29)),
                Milestone("Måling og oppsummering", D(2024, 12, 20)),
            ),
            (
                BudgetLine(2024, 1_000_000, "Innkjøp"),
                BudgetLine(2024, 300_000, "Lønn"),
            ),
            pilot_ref="SB-2024-02",
            pilot_name="Lokale fullmakter for energitiltak",
            status="Planlagt",
            trust_relation="Ledere og ansatte",
            problem="Driftspersonalet ser ofte enkle energitiltak som kan gjennomføres raskt, men må vente på "
                    "sentrale beslutninger og investeringsrunder.",
            goals="Gi driftspersonalet fullmakt og en egen pott til enkle energitiltak, og redusere "
                  "energibruken i pilotbyggene med minst 5 prosent.",
            themes=("Energieffektivisering", "Delegering"),
            learning_goals="Gir lokale fullmakter raskere og billigere energitiltak enn sentral prioritering?",
            what_to_test="En pott på 100 000 kr per bygg som driftsteamet disponerer etter eget skjønn.",
            needs_exemption=False,
            service_scope="Ti bygg i to regioner (fiktivt utvalg).",
            org_scope="Driftsteamene i ti bygg.",
            processes="Energioppfølging og bestilling av mindre tiltak.",
            scope_will_expand=False,
            start_date=D(2024, 3, 1), end_date=D(2024, 12, 20),
            units_and_staff="Driftsteamene i ti bygg og én energirådgiver.",
            budget_total_nok=1_300_000, within_budget_frame="Ja",
            resources="Tiltakspott på 1 000 000 kr og 0,5 årsverk energirådgiver.",
            person_years=0.5, follow_up_covered=True,
            documentation="Energioppfølgingssystemet viser forbruket per bygg; tiltakene føres i en felles liste.",
            evaluation="Energibruken i pilotbyggene sammenlignes med året før, korrigert for utetemperatur.",
        ),
    ]
    if revised:
        pilots.append(_pilot(
            (
                Milestone("Felles prosessplan godkjent i IDF-møte", D(2024, 3, 15)),
                Milestone("Første omstillingsprosess", D(2024, 4, 1), D(2024, 9, 30)),
                Milestone("Andre omstillingsprosess", D(2024, 10, 1), D(2025, 2, 28)),
                Milestone("Felles evaluering", D(2025, 3, 31)),
            ),
            (
                BudgetLine(2024, 300_000, "Lønn"),
                BudgetLine(2025, 100_000, "Lønn"),
            ),
            pilot_ref="SB-2024-03",
            pilot_name="Tillitsvalgte med fra start i omstillinger",
            status="Planlagt",
            trust_relation="Arbeidsgiver og tillitsvalgte",
            problem="Ved omstillinger kommer de tillitsvalgte ofte inn når løsningene alt er utformet, og "
                    "drøftingene blir formelle i stedet for reelle.",
            goals="Involvere de tillitsvalgte fra idéfasen i to kommende omstillingsprosesser, i partssammensatte "
                  "arbeidsgrupper med ledere, ansatte og tillitsvalgte.",
            themes=("Medbestemmelse", "Omstilling"),
            learning_goals="Hvordan påvirker tidlig involvering kvaliteten på løsningene og tilliten mellom "
                           "partene?",
            what_to_test="Partssammensatte arbeidsgrupper fra oppstart, og en felles prosessplan godkjent i "
                         "IDF-møte.",
            needs_exemption=False,
            service_scope="To omstillingsprosesser i 2024 og 2025.",
            org_scope="Berørte avdelinger, om lag 120 ansatte.",
            processes="Omstillingsprosess, IDF-møter og drøftinger.",
            start_date=D(2024, 4, 1), end_date=D(2025, 3, 31),
            units_and_staff="Berørte avdelinger, HR og hovedtillitsvalgte.",
            budget_total_nok=400_000, within_budget_frame="Ja",
            resources="HR-rådgiver og frikjøp av tillitsvalgte.",
            person_years=0.5, follow_up_covered=True,
            documentation="Arbeidsgruppene fører en felles logg over innspill og beslutninger.",
            evaluation="Partene evaluerer sammen etter hver omstillingsprosess, med spørsmål om medvirkning fra "
                       "medarbeiderundersøkelsen.",
        ))
    return SampleSubmission(
        stem="2024_statsbygg_v2_revidert" if revised else "2024_statsbygg_v1", layout="template",
        agency="Statsbygg", agency_written="Statsbygg",
        start_year=2024, submitted_on=D(2023, 10, 30) if revised else D(2023, 10, 20),
        contact_person="Kari Nordmann (fiktiv)", email="kari.nordmann@example.no", has_plans=True,
        union_involvement=(
            "Hovedtillitsvalgte er orientert i informasjons- og drøftingsmøte 10.10.2023. Etter møtet er en "
            "tredje pilot om medbestemmelse ved omstilling lagt til, etter forslag fra de tillitsvalgte."
            if revised else
            "Hovedtillitsvalgte er orientert i informasjons- og drøftingsmøte 10.10.2023 og inviteres inn i "
            "arbeidsgruppene."),
        shows=("Revidert versjon av Statsbyggs rapportering for 2024 (innsendt 30.10.2023): budsjettet for "
               "«Brukerdrevet planlegging av statlige byggeprosjekter» er økt fra 2,4 til 3,1 mill. kr, og en "
               "tredje pilot er lagt til. Erstatter v1 i alle tall; v1 finnes i historikken."
               if revised else
               "Første versjon av Statsbyggs rapportering for 2024 (innsendt 20.10.2023), det offisielle "
               "skjemaet med to planlagte piloter. Erstattes av v2."),
        pilots=pilots,
    )


def _valgdirektoratet_2024() -> SampleSubmission:
    return SampleSubmission(
        stem="2024_valgdirektoratet", layout="template", agency="Valgdirektoratet",
        agency_written="Valgdirektoratet",
        start_year=2024, submitted_on=D(2023, 10, 31),
        contact_person="Nils Eksempel (fiktiv)", email="nils.eksempel@example.no", has_plans=True,
        union_involvement="Planene er lagt fram for de tillitsvalgte i informasjons- og drøftingsmøte "
                          "17.10.2023, og en tillitsvalgt deltar i prosjektgruppen for forsøket.",
        shows="Det offisielle skjemaet, sendt inn på fristdagen. Ett forsøk (unntak fra valgloven) med budsjett "
              "utenfor rammene, og én pilot uten dokumentasjon og evaluering.",
        pilots=[
            _pilot(
                (
                    Milestone("Søknad om forsøk sendt departementet", D(2024, 1, 15)),
                    Milestone("Utvikling og sikkerhetstesting", D(2024, 2, 1), D(2024, 12, 20)),
                    Milestone("Digital innsamling i forsøksdistriktet", D(2025, 1, 2), D(2025, 3, 31)),
                    Milestone("Ekstern evaluering", D(2025, 9, 15), D(2025, 12, 19)),
                ),
                (
                    BudgetLine(2024, 800_000, "Lønn"),
                    BudgetLine(2024, 2_600_000, "Innkjøp", "Ekstra behov"),
                    BudgetLine(2025, 1_200_000, "Lønn"),
                    BudgetLine(2025, 1_000_000, "Innkjøp", "Ekstra behov"),
                ),
                pilot_ref="VDIR-F1",
                pilot_name="Forsøk med digital støtte til listeforslag",
                status="Planlagt",
                trust_relation="Innbyggere og brukere",
                problem="Partier og grupper som vil stille liste, må samle underskrifter på papir, og valgstyrene "
                        "bruker mye tid på å kontrollere underskriftene manuelt mot manntallet.",
                goals="Gjøre det enklere for velgere å støtte et listeforslag, og redusere det manuelle "
                      "kontrollarbeidet hos valgmyndighetene.",
                themes=("Listeforslag", "Digitalisering", "Valggjennomføring"),
                learning_goals="Hvordan fungerer digital støtte til listeforslag for velgere, listestillere og "
                               "valgmyndigheter, og hvilke sikkerhetsbehov må ivaretas?",
                what_to_test="En løsning der velgerne i ett forsøksdistrikt (fiktivt utvalg) støtter listeforslag "
                             "digitalt med elektronisk ID, med automatisk kontroll mot manntallet.",
                needs_exemption=True,
                exemption_rules="Valgloven og valgforskriften: bestemmelsene om hvordan underskrifter til "
                                "listeforslag skal leveres og kontrolleres. Forsøket forutsetter vedtak om "
                                "forsøk for valget i 2025 (fiktiv plan).",
                service_scope="Listeforslag i ett valgdistrikt ved valget i 2025 (fiktivt utvalg).",
                org_scope="Seksjon for valggjennomføring og IT-seksjonen.",
                processes="Innlevering av listeforslag, kontroll av underskrifter og veiledning av listestillere.",
                scope_will_expand=True,
                partner_agencies=("Digitaliseringsdirektoratet",),
                start_date=D(2024, 1, 15), end_date=D(2025, 12, 19),
                users="Velgere og listestillere i forsøksdistriktet.",
                units_and_staff="Seksjon for valggjennomføring, IT-seksjonen og kommunikasjonsstaben.",
                third_parties="Valgmyndighetene i forsøksdistriktet (fiktive) og leverandøren av elektronisk ID.",
                budget_total_nok=5_600_000, within_budget_frame="Nei",
                resources="Utvikling i eget valgadministrasjonssystem, en prosjektleder og en juridisk rådgiver.",
                person_years=3.0, follow_up_covered=False,
                admin_consequences="Forutsetter vedtak om forsøk og ekstra bevilgning; må avklares med "
                                   "departementet før utviklingen starter.",
                documentation="Løpende risikovurderinger og testprotokoller, og logg over henvendelser fra "
                              "listestillere og valgmyndigheter.",
                evaluation="Ekstern evaluering etter valget: tidsbruk hos valgmyndighetene, feil i kontrollen, og "
                           "erfaringene til listestillere og velgere.",
            ),
            _pilot(
                (
                    Milestone("Invitasjon til kommunene", D(2024, 2, 15)),
                    Milestone("Opplæringsrunde med valgfri form", D(2024, 9, 2), D(2024, 12, 13)),
                    Milestone("Oppsummering", D(2024, 12, 20)),
                ),
                (BudgetLine(2024, 450_000, "Lønn"),),
                pilot_ref="VDIR-P2",
                pilot_name="Opplæring av valgmedarbeidere på kommunenes premisser",
                status="Planlagt",
                trust_relation="Stat og kommunesektor",
                problem="Opplæringen av kommunene er i dag lik for alle, uavhengig av kommunens størrelse og "
                        "erfaring, og kommunene opplever sjekklistene som mange og detaljerte.",
                goals="La kommunene selv velge opplæringsform, og prøve ut færre og mer målrettede sjekklister.",
                themes=("Opplæring", "Veiledning av kommunene"),
                what_to_test="Tre opplæringsformer som kommunene velger mellom, og én samlet sjekkliste.",
                needs_exemption=False,
                service_scope="Opplæringen før valget i 2025.",
                org_scope="Seksjon for opplæring og veiledning.",
                start_date=D(2024, 3, 1), end_date=D(2024, 12, 20),
                users="Valgmedarbeidere i om lag 30 kommuner som melder seg på.",
                units_and_staff="Seksjon for opplæring og veiledning.",
                budget_total_nok=450_000, within_budget_frame="Ja",
                resources="To rådgivere i seksjonen.",
                person_years=0.6, follow_up_covered=True,
            ),
        ],
    )


def _husbanken_2024() -> SampleSubmission:
    return SampleSubmission(
        stem="2024_husbanken", layout="template", agency="Husbanken", agency_written="Husbanken",
        start_year=2024, submitted_on=D(2023, 10, 27),
        contact_person="Ola Nordmann (fiktiv)", email="ola.nordmann@example.no", has_plans=True,
        union_involvement="Forsøket er drøftet med de tillitsvalgte i IDF-møte 24.10.2023. De tillitsvalgte er "
                          "positive, men ber om at arbeidsbelastningen i regionen følges opp.",
        shows="Det offisielle skjemaet. Et forsøk (unntak fra forskrift om lån fra Husbanken) som varer til "
              "30.11.2026, delvis innenfor rammene.",
        pilots=[
            _pilot(
                (
                    Milestone("Forsøkshjemmel avklart med departementet", D(2024, 4, 30)),
                    Milestone("Utvelgelse av kommuner og husstander", D(2024, 6, 3), D(2024, 10, 31)),
                    Milestone("Leieperiode med oppfølging", D(2024, 11, 1), D(2026, 8, 31)),
                    Milestone("Sluttevaluering", D(2026, 6, 1), D(2026, 11, 30)),
                ),
                (
                    BudgetLine(2024, 900_000, "Lønn"),
                    BudgetLine(2025, 1_200_000, "Lønn"),
                    BudgetLine(2025, 800_000, "Innkjøp", "Ekstra behov"),
                    BudgetLine(2026, 900_000, "Innkjøp", "Ekstra behov"),
                ),
                pilot_ref="HB-24-F1",
                pilot_name="Forsøk med leie til eie i startlånsordningen",
                status="Planlagt",
                trust_relation="Innbyggere og brukere",
                problem="Mange husstander med stabil, men lav inntekt får ikke startlån fordi de ikke kan betjene "
                        "lånet fra første dag, selv om de over tid kunne ha eid egen bolig.",
                goals="Prøve ut en modell der kommunen leier ut boligen i inntil fem år før leietakeren kjøper "
                      "den med startlån, slik at flere vanskeligstilte kan eie egen bolig.",
                themes=("Startlån", "Vanskeligstilte på boligmarkedet", "Leie til eie"),
                learning_goals="Hvor mange klarer overgangen fra leie til eie, og hvilken oppfølging trenger "
                               "husstandene og kommunene underveis?",
                what_to_test="Forhåndstilsagn om startlån ved inngåelse av leiekontrakten, med kjøp etter "
                             "leieperioden.",
                needs_exemption=True,
                exemption_rules="Forskrift om lån fra Husbanken, bestemmelsene om startlån: vilkårene for hvem som "
                                "kan få lån, og når et tilsagn kan gis. Om det også trengs unntak fra "
                                "husbankloven, avklares med departementet (fiktiv plan).",
                service_scope="Startlån i fire forsøkskommuner (fiktive), anslagsvis 40 husstander.",
                org_scope="Én region og fagavdelingen for startlån.",
                processes="Søknadsbehandling, lånevilkår og samarbeid med kommunene om oppfølging.",
                scope_will_expand=True,
                partner_agencies=("Distriktssenteret",),
                start_date=D(2024, 6, 3), end_date=D(2026, 11, 30),
                users="Husstander i kommunale utleieboliger som ønsker å eie, anslagsvis 40.",
                units_and_staff="Fire rådgivere i regionen, juridisk seksjon og fagavdelingen for startlån.",
                third_parties="Fire forsøkskommuner (fiktive) og bankene som finansierer lånene sammen med "
                              "kommunene.",
                budget_total_nok=3_800_000, within_budget_frame="Delvis",
                resources="Rådgivere i regionen, juridisk bistand og midler til følgeevaluering.",
                person_years=2.5, follow_up_covered=False,
                admin_consequences="Krever forskriftsendring eller vedtak om forsøk, og tilpasning av "
                                   "saksbehandlingssystemet for startlån.",
                documentation="Fast oppfølging av hver husstand, dokumentert i saksbehandlingssystemet, og "
                              "erfaringsnotater fra kommunene hvert halvår.",
                evaluation="Følgeevaluering ved et eksternt forskningsmiljø: andel som kjøper boligen, "
                           "betalingsproblemer og boforhold, sammenlignet med en kontrollgruppe.",
            ),
        ],
    )


def _dibk_2024() -> SampleSubmission:
    return SampleSubmission(
        stem="2024_dibk", layout="template", agency="Direktoratet for byggkvalitet", agency_written="DiBK",
        start_year=2024, submitted_on=D(2023, 10, 31),
        contact_person="Eva Eksempel (fiktiv)", email="eva.eksempel@example.no", has_plans=True,
        union_involvement="De tillitsvalgte er orientert i informasjons- og drøftingsmøte og får jevnlige "
                          "oppdateringer i samarbeidsutvalget.",
        shows="Det offisielle skjemaet, med virksomheten skrevet som forkortelsen «DiBK». Et forsøk (unntak fra "
              "byggesaksforskriften under plan- og bygningsloven) utenfor rammene, uten brukere og enheter "
              "oppgitt, og én budsjettrad uten kategori (betyr Annet).",
        pilots=[
            _pilot(
                (
                    Milestone("Søknad om forsøk sendt departementet", D(2024, 2, 1)),
                    Milestone("Forberedelse i forsøkskommunene", D(2024, 4, 2), D(2024, 8, 30)),
                    Milestone("Forsøksperiode", D(2024, 9, 2), D(2026, 2, 27)),
                    Milestone("Evalueringsrapport", D(2026, 3, 31)),
                ),
                (
                    BudgetLine(2024, 700_000, "Lønn"),
                    BudgetLine(2025, 900_000, "Lønn", "Ekstra behov"),
                    BudgetLine(2026, 600_000, None, "Ekstra behov"),
                ),
                pilot_ref="DIBK-F1",
                pilot_name="Forsøk med enklere byggesak for små tiltak",
                status="Planlagt",
                trust_relation="Stat og kommunesektor",
                problem="Små kommuner bruker mye tid på søknader om mindre tilbygg og garasjer, og tiltakshaverne "
                        "opplever kravene til dokumentasjon som uforholdsmessige.",
                goals="Prøve ut en ordning der kommunene behandler visse små tiltak etter en forenklet "
                      "meldingsprosedyre, og selv vurderer hvilken dokumentasjon som trengs.",
                themes=("Byggesak", "Forenkling", "Kommunalt skjønn"),
                learning_goals="Gir mer skjønn til kommunene kortere saksbehandlingstid uten flere byggfeil?",
                what_to_test="Forenklet melding for tilbygg og garasjer under 50 m² i fem forsøkskommuner.",
                needs_exemption=True,
                exemption_rules="Byggesaksforskriften (SAK10), gitt med hjemmel i plan- og bygningsloven: "
                                "kravene til søknad og dokumentasjon for mindre tiltak. Forsøket søkes etter "
                                "forsøksloven (fiktiv plan).",
                service_scope="Byggesaker om små tiltak i fem kommuner.",
                org_scope="Avdeling for byggesak og en jurist.",
                processes="Søknad, melding og tilsyn med små tiltak.",
                scope_will_expand=True,
                start_date=D(2024, 4, 2), end_date=D(2026, 3, 31),
                third_parties="Fem forsøkskommuner (fiktive).",
                budget_total_nok=2_200_000, within_budget_frame="Nei",
                resources="Rådgivere i avdeling for byggesak, jurist og midler til ekstern evaluering.",
                person_years=1.2, follow_up_covered=False,
                admin_consequences="Forutsetter vedtak om forsøk; forsøkskommunene må endre sine rutiner og "
                                   "maler.",
                documentation="Forsøkskommunene registrerer sakene i en felles oversikt med tidsbruk og "
                              "eventuelle avvik ved tilsyn.",
                evaluation="Ekstern evaluering: saksbehandlingstid, antall byggfeil avdekket ved tilsyn og "
                           "tilfredshet hos tiltakshaverne, sammenlignet med fem kommuner utenfor forsøket.",
            ),
        ],
    )


def _kartverket_2024() -> SampleSubmission:
    return SampleSubmission(
        stem="2024_kartverket_egen_mal", layout="homemade", agency="Kartverket", agency_written="KV",
        start_year=2024, submitted_on=D(2023, 10, 30),
        contact_person="Jon Prøve (fiktiv)", email="jon.prove@example.no", has_plans=True,
        union_involvement="Tillitsvalgte er informert på allmøte og i IDF-møte i oktober.",
        shows="Egen arbeidsbok, ikke skjemaet: tittelrad og tom rad over overskriftene, kolonnene i annen "
              "rekkefølge, ark kalt «PILOTER» og «Milepaeler», etiketter som «PILOTNAVN*», «Mål:», «Budsjett "
              "totalt» og «Beløp» uten (kr), og «Innenfor gjeldende rammer» med linjeskift. Virksomheten er "
              "skrevet «KV», Ja/Nei som «x», «J» og «nei», beløp som tekst («2,5 mill.», «1 500 000 kr») og "
              "datoer som tekst («1. mars 2024», «mars 2024»). Budsjettradene for matrikkelpiloten summerer "
              "til 2,3 mill. kr mot 2,5 mill. kr totalt: den ene tilsiktede advarselen. Landmålingspiloten har "
              "tom status (betyr Planlagt) og verken tillitsrelasjon, deltakere, dokumentasjon eller evaluering.",
        pilots=[
            _pilot(
                (
                    Milestone("Utvelgelse av pilotkommuner", D(2024, 2, 1)),
                    Milestone("Veiledningsperiode", D(2024, 3, 1), D(2025, 1, 31)),
                    Milestone("Oppsummering", D(2025, 2, 28)),
                ),
                (
                    BudgetLine(2024, 1_500_000, "Lønn"),
                    BudgetLine(2025, 800_000, "Lønn", "Ekstra behov"),
                ),
                budget_mismatch=True,
                as_written={"status": "planlagt", "budget_total_nok": "2,5 mill.", "needs_exemption": "nei",
                            "scope_will_expand": "J", "person_years": "1,5"},
                pilot_name="Tillitsbasert oppfølging av matrikkelføringen",
                status="Planlagt",
                trust_relation="Stat og kommunesektor",
                problem="Kartverket følger opp kommunenes føring av matrikkelen med omfattende kontroller og "
                        "avviksrapporter. Kommunene opplever oppfølgingen som detaljstyring, og avvikene går "
                        "likevel ikke ned.",
                goals="Erstatte deler av kontrollarbeidet med veiledning og felles forbedringsarbeid i ti "
                      "kommuner, og få ned antall avvik i matrikkelen.",
                themes=("Matrikkel", "Veiledning", "Kontroll og tillit"),
                what_to_test="Faste veiledningsmøter og kommunenes egenvurdering i stedet for stikkprøvekontroll "
                             "i ti pilotkommuner.",
                needs_exemption=False,
                scope_will_expand=True,
                start_date=D(2024, 3, 1), end_date=D(2025, 2, 28),
                users="Matrikkelførerne i ti kommuner (fiktivt utvalg).",
                units_and_staff="Divisjon for eiendom, seks matrikkelrådgivere.",
                budget_total_nok=2_500_000, within_budget_frame="Delvis",
                person_years=1.5,
                documentation="Rådgiverne skriver et kort notat etter hvert møte; avvikene følges i de faste "
                              "rapportene.",
                evaluation="Antall avvik per kommune før og etter piloten, og en spørreundersøkelse til "
                           "kommunene.",
            ),
            _pilot(
                (
                    Milestone("Oppstartssamling", D(2024, 3, 4)),
                    Milestone("Forbedringssykluser på seks uker", D(2024, 3, 1), D(2024, 11, 29)),
                    Milestone("Erfaringsdeling", D(2024, 12, 16)),
                ),
                (BudgetLine(2024, 850_000, "Lønn"),),
                as_written={"status": "", "budget_total_nok": "850 000 kr", "start_date": "mars 2024",
                            "needs_exemption": "Nei", "scope_will_expand": "x", "person_years": "0,8"},
                pilot_name="Medarbeiderdrevet forbedring i landmålingen",
                status="Planlagt",
                problem="Landmålerne har mange forslag til bedre arbeidsprosesser, men forslagene behandles "
                        "sentralt og det tar lang tid før noe skjer.",
                goals="Gi landmålingsteamene en egen forbedringspott og myndighet til å prøve ut egne forslag.",
                themes=("Forbedringsarbeid", "Medarbeiderdrevet innovasjon"),
                what_to_test="Teambaserte forbedringsforsøk i korte sykluser på seks uker.",
                needs_exemption=False,
                scope_will_expand=True,
                start_date=D(2024, 3, 1), end_date=D(2024, 12, 31),
                budget_total_nok=850_000, within_budget_frame="Ja",
                person_years=0.8,
            ),
        ],
    )


def _digdir_2024() -> SampleSubmission:
    return SampleSubmission(
        stem="2024_digdir", layout="csv_cp1252", agency="Digitaliseringsdirektoratet", agency_written="Digdir",
        start_year=2024, submitted_on=D(2023, 10, 26),
        contact_person="Åse Ærlig Øien (fiktiv)", email="ase.oien@example.no", has_plans=True,
        union_involvement="Pilotene er drøftet med de tillitsvalgte i IDF-møte 19.10.2023.",
        shows="CSV-sett (Piloter, Milepæler, Budsjett) slik norsk Excel lagrer «CSV (semikolondelt)»: "
              "Windows-1252 med semikolon, med æøå i teksten. Virksomheten er skrevet «Digdir». Milepælene "
              "viser til pilotene med Pilot-ID, budsjettradene med Pilotnavn. Én pilot uten evaluering og uten "
              "brukere og enheter oppgitt.",
        pilots=[
            _pilot(
                (
                    Milestone("Oppstart i tre forvaltningsteam", D(2024, 1, 8)),
                    Milestone("Brukertesting og forbedringer", D(2024, 1, 8), D(2024, 10, 31)),
                    Milestone("Oppsummering og erfaringsdeling", D(2024, 12, 13)),
                ),
                (
                    BudgetLine(2024, 1_400_000, "Lønn"),
                    BudgetLine(2024, 400_000, "Innkjøp"),
                ),
                pilot_ref="DIGDIR-1",
                pilot_name="Klarspråk og brukertesting i fellesløsningene",
                status="Planlagt",
                trust_relation="Innbyggere og brukere",
                problem="Innbyggere som får feilmeldinger i innloggings- og varslingsløsningene, forstår ofte ikke "
                        "hva de skal gjøre, og henvendelsene havner hos brukerstøtten i mange virksomheter.",
                goals="La teamene som forvalter fellesløsningene, selv prioritere og teste forbedringer sammen med "
                      "brukerne, uten å vente på sentral prioritering.",
                themes=("Brukerorientering", "Klarspråk", "Fellesløsninger"),
                learning_goals="Gir teamenes egne prioriteringer færre henvendelser og bedre brukeropplevelse?",
                what_to_test="Brukertesting hver måned og teamenes egen myndighet til å endre tekster og "
                             "feilmeldinger.",
                needs_exemption=False,
                service_scope="Feilmeldinger og veiledningstekster i tre fellesløsninger (fiktivt utvalg).",
                org_scope="Tre forvaltningsteam, om lag 25 ansatte.",
                processes="Prioritering av endringer, brukertesting og publisering.",
                scope_will_expand=True,
                partner_agencies=("Husbanken", "Kartverket"),
                start_date=D(2024, 1, 8), end_date=D(2024, 12, 13),
                users="Innbyggere som rekrutteres til brukertester, om lag 15 hver måned.",
                units_and_staff="Tre forvaltningsteam og brukerstøtten.",
                third_parties="Brukerstøtten i to samarbeidende virksomheter.",
                budget_total_nok=1_800_000, within_budget_frame="Ja",
                resources="Teamenes egne ressurser; rekruttering til brukertester kjøpes inn.",
                person_years=1.5, follow_up_covered=True,
                admin_consequences="Endrede fullmakter for teamene i forvaltningsmodellen.",
                documentation="Hver brukertest oppsummeres i et kort notat; endringene føres i endringsloggen.",
                evaluation="Antall henvendelser om feilmeldinger før og etter, og oppgaveløsning i brukertestene.",
            ),
            _pilot(
                (
                    Milestone("Utvalg av ti prosjekter", D(2024, 2, 15)),
                    Milestone("Første gevinstdialog", D(2024, 3, 1), D(2024, 6, 28)),
                    Milestone("Andre gevinstdialog", D(2025, 3, 3), D(2025, 6, 30)),
                ),
                (
                    BudgetLine(2024, 600_000, "Lønn"),
                    BudgetLine(2025, 350_000, "Lønn"),
                ),
                pilot_ref="DIGDIR-2",
                pilot_name="Gevinstdialog i stedet for halvårsrapporter",
                status="Planlagt",
                trust_relation="Departement og virksomhet",
                problem="Virksomheter som får midler til digitaliseringsprosjekter, rapporterer detaljert hvert "
                        "halvår. Rapportene brukes lite, og virksomhetene opplever ordningen som kontrollpreget.",
                goals="Erstatte halvårsrapportene med en årlig gevinstdialog for ti prosjekter, og frigjøre tid "
                      "både hos mottakerne og i Digdir.",
                themes=("Rapporteringskrav", "Gevinstrealisering"),
                what_to_test="Én årlig gevinstdialog per prosjekt i stedet for to skriftlige rapporter.",
                needs_exemption=False,
                service_scope="Oppfølgingen av ti prosjekter (fiktivt utvalg).",
                processes="Rapportering, oppfølging og gevinstrealisering.",
                scope_will_expand=False,
                start_date=D(2024, 3, 1), end_date=D(2025, 6, 30),
                third_parties="Ti statlige virksomheter med prosjekter i ordningen (fiktivt utvalg).",
                budget_total_nok=950_000, within_budget_frame="Ja",
                resources="To seniorrådgivere i 30 % stilling.",
                person_years=0.6, follow_up_covered=True,
                documentation="Referater fra gevinstdialogene etter en fast mal.",
            ),
        ],
    )


def _staf_2024() -> SampleSubmission:
    return SampleSubmission(
        stem="2024_staf", layout="template", agency="Statsforvalterens fellestjenester", agency_written="STAF",
        start_year=2024, submitted_on=D(2023, 10, 25),
        contact_person="Mari Eksempel (fiktiv)", email="mari.eksempel@example.no", has_plans=True,
        union_involvement="Piloten er foreslått av de hovedtillitsvalgte og utformet sammen med dem.",
        shows="Det offisielle skjemaet, med virksomheten skrevet som forkortelsen «STAF». En pilot om "
              "arbeidsgiver og tillitsvalgte.",
        pilots=[
            _pilot(
                (
                    Milestone("Mandat for utviklingsforumet", D(2024, 1, 15)),
                    Milestone("Forumet deltar i tre utviklingsprosjekter", D(2024, 2, 1), D(2024, 12, 20)),
                    Milestone("Felles evaluering", D(2025, 1, 31)),
                ),
                (
                    BudgetLine(2024, 450_000, "Lønn"),
                    BudgetLine(2025, 150_000, "Lønn"),
                ),
                pilot_ref="STAF-1",
                pilot_name="Tillitsvalgte med i utviklingen av felles IKT-tjenester",
                status="Planlagt",
                trust_relation="Arbeidsgiver og tillitsvalgte",
                problem="Endringer i de felles IKT- og arbeidsplassløsningene for statsforvalterne besluttes ofte "
                        "før de tillitsvalgte er involvert, og drøftingene oppleves som formelle.",
                goals="Etablere et partssammensatt utviklingsforum som deltar fra idéfasen i tre "
                      "utviklingsprosjekter.",
                themes=("Medbestemmelse", "IKT-utvikling", "Arbeidsplassløsninger"),
                learning_goals="Gir tidlig medvirkning bedre løsninger og færre konflikter ved innføring?",
                what_to_test="Et utviklingsforum med ledere, ansatte og tillitsvalgte som møtes hver måned i tre "
                             "prosjekter.",
                needs_exemption=False,
                service_scope="Tre utviklingsprosjekter i 2024.",
                org_scope="IKT-avdelingen og hovedtillitsvalgte; sluttbrukere hos to statsforvaltere.",
                processes="Behovsavklaring, valg av løsning og innføring.",
                scope_will_expand=True,
                start_date=D(2024, 2, 1), end_date=D(2025, 1, 31),
                users="Ansatte hos to statsforvaltere som tester løsningene.",
                units_and_staff="IKT-avdelingen, HR og hovedtillitsvalgte.",
                budget_total_nok=600_000, within_budget_frame="Ja",
                resources="Frikjøp av tillitsvalgte og en prosjektleder i 30 % stilling.",
                person_years=0.7, follow_up_covered=True,
                admin_consequences="Forumet tas inn i retningslinjene for utviklingsprosjekter.",
                documentation="Forumet fører referat og en logg over innspill og hvordan de er fulgt opp.",
                evaluation="Felles evaluering med partene etter ett år, med spørsmål om medvirkning og om "
                           "innføringen av løsningene.",
            ),
        ],
    )


def _husleietvistutvalget_2024() -> SampleSubmission:
    return SampleSubmission(
        stem="2024_husleietvistutvalget_ingen_planer", layout="template", agency="Husleietvistutvalget",
        agency_written="Husleietvistutvalget",
        start_year=2024, submitted_on=D(2023, 10, 13),
        contact_person="Siri Eksempel (fiktiv)", email="siri.eksempel@example.no", has_plans=False,
        assessment="Husleietvistutvalget har vurdert om deler av saksbehandlingen, for eksempel mekling i enkle "
                   "saker om depositum, egner seg for en pilot. Utvalget er lite, og kapasiteten i 2024 går med "
                   "til å få ned saksbehandlingstiden etter en økning i antall klager. Vi har derfor ikke konkrete "
                   "planer om piloter med oppstart i 2024, men vil vurdere en pilot om digital mekling på nytt "
                   "høsten 2024 og deltar gjerne på departementets erfaringsseminar.",
        union_involvement="Vurderingen er drøftet med de tillitsvalgte i informasjons- og drøftingsmøte "
                          "10.10.2023. De tillitsvalgte støtter vurderingen og vil delta i arbeidet hvis en pilot "
                          "blir aktuell.",
        shows="Det offisielle skjemaet med «Har planer om piloter» = Nei: ingen piloter, men vurderingene og "
              "involveringen av tillitsvalgte er fylt ut.",
    )


def sample_sector() -> list[SampleSubmission]:
    """Every sample submission, in the order its files should be imported."""
    return [
        _distriktssenteret_2023(),
        _dss_2023(),
        _husbanken_2023(),
        _statsbygg_2023(),
        _dibk_2024(),
        _digdir_2024(),
        _husbanken_2024(),
        _husleietvistutvalget_2024(),
        _kartverket_2024(),
        _staf_2024(),
        _statsbygg_2024(revised=False),
        _statsbygg_2024(revised=True),
        _valgdirektoratet_2024(),
    ]


def check_specification(submissions: list[SampleSubmission]) -> None:
    """Raise ValueError where the specification breaks its own rules (budget sums, phases)."""
    mismatches = []
    for sub in submissions:
        for pilot in sub.pilots:
            total = sum(line.amount for line in pilot.budget)
            if (total != pilot.values["budget_total_nok"]) != pilot.budget_mismatch:
                raise ValueError(f"{sub.stem}: budget rows of «{pilot.name}» sum to {total}")
            if pilot.budget_mismatch:
                mismatches.append(pilot.name)
            if not any(m.kind == "Fase" for m in pilot.milestones) or not any(m.kind == "Milepæl"
                                                                               for m in pilot.milestones):
                raise ValueError(f"{sub.stem}: «{pilot.name}» needs milestones and a phase")
    if len(mismatches) != 1:
        raise ValueError(f"exactly one pilot should have a budget mismatch, not {mismatches}")


# ---------------------------------------------------------------------------------------
# Rows of the three tables, with clean values


def _pilot_rows(sub: SampleSubmission) -> list[dict[str, object]]:
    return [dict(p.values) for p in sub.pilots]


def _milestone_rows(sub: SampleSubmission) -> list[dict[str, object]]:
    return [
        {"pilot": p.reference, "name": m.name, "kind": m.kind, "from_date": m.start, "to_date": m.end,
         "status": m.status_on(sub.submitted_on)}
        for p in sub.pilots for m in p.milestones
    ]


def _budget_rows(sub: SampleSubmission, by: str = "reference") -> list[dict[str, object]]:
    return [
        {"pilot": p.reference if by == "reference" else p.name, "year": line.year, "amount_nok": line.amount,
         "category": line.category, "financing": line.financing}
        for p in sub.pilots for line in p.budget
    ]


# ---------------------------------------------------------------------------------------
# Writing values


def _long_date(day: dt.date) -> str:
    """1. mars 2024."""
    return f"{day.day}. {MONTH_NAMES[day.month - 1]} {day.year}"


def _grouped(amount: float) -> str:
    """1 500 000 with ordinary spaces."""
    return f"{amount:,.0f}".replace(",", " ")


def _decimal_comma(number: float) -> str:
    """1,5."""
    return f"{number:g}".replace(".", ",")


def _yes_no(value: object) -> str:
    return "Ja" if value else "Nei"


def _as_text(f: Field, value: object, *, list_separator: str = "; ", grouped_amounts: str = "") -> str:
    """A clean value as text in a CSV cell or a home-made sheet."""
    if value is None:
        return ""
    if f.kind == "date":
        return f"{value:%d.%m.%Y}"
    if f.kind == "amount":
        return _grouped(value).replace(" ", grouped_amounts) if grouped_amounts else f"{value:.0f}"
    if f.kind == "number":
        return _decimal_comma(float(value))
    if f.kind == "yes_no":
        return _yes_no(value)
    if f.kind == "list":
        return list_separator.join(value)
    return str(value)


DATE_STYLE = "DD.MM.YYYY"
AMOUNT_STYLE = "#,##0"
WRAP = Alignment(wrap_text=True, vertical="top")


def _set_template_cell(cell, f: Field, value: object) -> None:
    """A clean value into a cell of the official form, typed as Excel would store it."""
    if value is None:
        return
    if f.kind == "date":
        cell.value = value
        cell.number_format = DATE_STYLE
    elif f.kind == "amount":
        cell.value = int(value)
        cell.number_format = AMOUNT_STYLE
    elif f.kind in ("number", "year"):
        cell.value = value
    elif f.kind == "yes_no":
        cell.value = _yes_no(value)
    elif f.kind == "list":
        cell.value = "; ".join(value)
        cell.alignment = WRAP
    else:
        cell.value = str(value)
        if f.kind == "text":
            cell.alignment = WRAP


# ---------------------------------------------------------------------------------------
# The official form, filled in


def _template_workbook(sub: SampleSubmission, reference: Reference) -> Workbook:
    """build_template's blank form with this submission's values in its cells."""
    book = build_template(reference)
    sheet = book[SUBMISSION.sheet]
    values = sub.submission_values()
    for f in SUBMISSION.fields:
        row = submission_row(f.key)
        if sheet.cell(row, SUBMISSION_LABEL_COLUMN).value != f.label:
            raise RuntimeError(f"the template's Innsending row {row} is not «{f.label}»")
        _set_template_cell(sheet.cell(row, SUBMISSION_VALUE_COLUMN), f, values[f.key])
    for table, rows in ((PILOTS, _pilot_rows(sub)), (MILESTONES, _milestone_rows(sub)),
                        (BUDGET, _budget_rows(sub))):
        _fill_data_sheet(book[table.sheet], table, rows)
    book.properties.creator = f"{sub.agency} (fiktiv)"
    book.properties.lastModifiedBy = sub.contact_person
    return book


def _fill_data_sheet(sheet, table: Table, rows: list[dict[str, object]]) -> None:
    for f in table.fields:
        column = data_column(table, f.key)
        if sheet.cell(DATA_HEADER_ROW, column).value != f.label:
            raise RuntimeError(f"the template's {table.sheet} column {column} is not «{f.label}»")
    for index, row in enumerate(rows):
        for f in table.fields:
            _set_template_cell(sheet.cell(DATA_FIRST_ROW + index, data_column(table, f.key)), f, row.get(f.key))


# ---------------------------------------------------------------------------------------
# A home-made workbook (Kartverket): its own layout, labels and habits

HOMEMADE_PILOT_COLUMNS = (
    ("pilot_name", "PILOTNAVN*"), ("status", "Status"), ("start_date", "Startdato"), ("end_date", "Sluttdato"),
    ("budget_total_nok", "Budsjett totalt"), ("within_budget_frame", "Innenfor gjeldende\nrammer"),
    ("person_years", "Årsverk"), ("trust_relation", "Tillitsrelasjon"), ("problem", "Problembeskrivelse:"),
    ("goals", "Mål:"), ("themes", "Temaer"), ("what_to_test", "Hva skal testes"),
    ("needs_exemption", "Behov for unntak fra regelverk"), ("exemption_rules", "Regelverk det søkes unntak fra"),
    ("scope_will_expand", "Omfanget skal utvides"), ("users", "Brukere som deltar"),
    ("units_and_staff", "Deltakende enheter og ansatte"), ("documentation", "Dokumentasjon av funn"),
    ("evaluation", "Evaluering og gevinstmåling (hvordan måle?)"),
)
HOMEMADE_MILESTONE_COLUMNS = (("name", "Navn"), ("pilot", "Pilot"), ("from_date", "Fra dato"),
                              ("to_date", "Til dato"), ("kind", "Type"), ("status", "Status"))
HOMEMADE_BUDGET_COLUMNS = (("year", "År"), ("pilot", "Pilot"), ("amount_nok", "Beløp"),
                           ("category", "Kategori"), ("financing", "Finansiering"))
HOMEMADE_SHEETS = {"pilots": "PILOTER", "milestones": "Milepaeler", "budget": "budsjett"}
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)


def _homemade_text(f: Field, value: object) -> object:
    """How this agency writes a value: dates and amounts as text, choices in lower case."""
    if value is None:
        return None
    if f.kind == "date":
        return _long_date(value)
    if f.kind == "amount":
        return f"{_grouped(value)} kr"
    if f.kind == "year":
        return value
    if f.kind == "choice":
        return str(value).lower() if f.key in ("kind", "status") else value
    return _as_text(f, value)


def _homemade_sheet(book: Workbook, name: str, title: str, columns: tuple[tuple[str, str], ...],
                    table: Table, rows: list[dict[str, object]], overrides: list[dict[str, str]]) -> None:
    """A title, a blank row, a header of the agency's own labels, then the rows."""
    sheet = book.create_sheet(name)
    sheet.cell(1, 1, title).font = TITLE
    for column, (_, label) in enumerate(columns, start=1):
        cell = sheet.cell(3, column, label)
        cell.font, cell.alignment = BOLD, WRAP
        sheet.column_dimensions[cell.column_letter].width = 30 if table.field(columns[column - 1][0]).kind in (
            "text", "list") else 16
    for index, (row, written) in enumerate(zip(rows, overrides), start=4):
        for column, (key, _) in enumerate(columns, start=1):
            value = written[key] if key in written else _homemade_text(table.field(key), row.get(key))
            if value not in (None, ""):
                sheet.cell(index, column, value).alignment = WRAP


def _homemade_workbook(sub: SampleSubmission) -> Workbook:
    """The agency's own workbook: the form's sheets and fields, but not its layout."""
    book = Workbook()
    innsending = book.active
    innsending.title = "Innsending"
    innsending.cell(1, 1, "Kartverket – rapportering av planer for piloter i tillitsreformen").font = TITLE
    values = sub.submission_values()
    written = {"submitted_on": _long_date(sub.submitted_on), "has_plans": "x"}
    for row, f in enumerate((f for f in SUBMISSION.fields if values[f.key] is not None), start=3):
        innsending.cell(row, 1, f"{f.label}:").font = BOLD
        value = written.get(f.key, values[f.key])
        innsending.cell(row, 2, value).alignment = WRAP
    innsending.column_dimensions["A"].width = 34
    innsending.column_dimensions["B"].width = 70
    used = {key for key, _ in HOMEMADE_PILOT_COLUMNS}
    for pilot in sub.pilots:
        missing = set(pilot.values) - used
        if missing:
            raise ValueError(f"the home-made sheet has no column for {sorted(missing)} («{pilot.name}»)")
    _homemade_sheet(book, HOMEMADE_SHEETS["pilots"], "Planlagte piloter med oppstart 2024",
                    HOMEMADE_PILOT_COLUMNS, PILOTS, _pilot_rows(sub), [p.as_written for p in sub.pilots])
    milestones = _milestone_rows(sub)
    _homemade_sheet(book, HOMEMADE_SHEETS["milestones"], "Milepæler og faser", HOMEMADE_MILESTONE_COLUMNS,
                    MILESTONES, milestones, [{} for _ in milestones])
    budget = _budget_rows(sub)
    _homemade_sheet(book, HOMEMADE_SHEETS["budget"], "Budsjett per år", HOMEMADE_BUDGET_COLUMNS, BUDGET,
                    budget, [{} for _ in budget])
    book.properties.creator = f"{sub.agency} (fiktiv)"
    book.properties.lastModifiedBy = sub.contact_person
    return book


# ---------------------------------------------------------------------------------------
# CSV sets

CSV_PARTS = ("piloter", "milepaeler", "budsjett")
CSV_SUBMISSION_KEYS = ("submitted_on", "contact_person", "email", "has_plans", "union_involvement")
CSV_STYLES = {
    # Norwegian Excel, «CSV (semikolondelt)»: Windows-1252, ';', plain numbers.
    "csv_cp1252": {"delimiter": ";", "encoding": "cp1252", "bom": False, "list_separator": "; ",
                   "grouped_amounts": ""},
    # «CSV UTF-8 (kommadelt)»: BOM, ',', amounts as shown (non-breaking space), lists on separate lines.
    "csv_utf8": {"delimiter": ",", "encoding": "utf-8", "bom": True, "list_separator": "\n",
                 "grouped_amounts": "\u00a0"},
}


def _csv_bytes(header: list[str], rows: list[list[str]], style: dict) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=style["delimiter"], lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    data = out.getvalue().encode(style["encoding"])  # strict: every character must exist in the encoding
    return (b"\xef\xbb\xbf" + data) if style["bom"] else data


def _csv_table(sub: SampleSubmission, fields: tuple[Field, ...], rows: list[dict[str, object]],
               style: dict) -> bytes:
    """One table as CSV: Virksomhet and Oppstartsår (and for Piloter the Innsending fields) on every row."""
    keys = [SUBMISSION.field("agency"), SUBMISSION.field("start_year")]
    if fields is PILOTS.fields:
        keys += [SUBMISSION.field(k) for k in CSV_SUBMISSION_KEYS]
    submission = sub.submission_values()
    header = [f.label for f in (*keys, *fields)]
    lines = []
    for row in rows:
        line = [_as_text(f, submission[f.key]) for f in keys]
        line += [_as_text(f, row.get(f.key), list_separator=style["list_separator"],
                          grouped_amounts=style["grouped_amounts"]) for f in fields]
        lines.append(line)
    return _csv_bytes(header, lines, style)


def _csv_set(sub: SampleSubmission) -> list[bytes]:
    """The Piloter, Milepæler and Budsjett CSV files of a submission."""
    style = CSV_STYLES[sub.layout]
    by = "name" if sub.layout == "csv_cp1252" else "reference"
    return [
        _csv_table(sub, PILOTS.fields, _pilot_rows(sub), style),
        _csv_table(sub, MILESTONES.fields, _milestone_rows(sub), style),
        _csv_table(sub, BUDGET.fields, _budget_rows(sub, by), style),
    ]


# ---------------------------------------------------------------------------------------
# Deterministic xlsx


def _xlsx_bytes(book: Workbook, stamp: dt.datetime) -> bytes:
    """The workbook's bytes with fixed zip times and document dates, so reruns are byte-identical."""
    book.properties.created = stamp
    raw = io.BytesIO()
    book.save(raw)
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                              lambda m: m[1] + iso + m[3], data)
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, data)
    return out.getvalue()


# ---------------------------------------------------------------------------------------
# README and the entry point


def _readme(submissions: list[SampleSubmission]) -> str:
    """data/samples/README.md: every file, what it holds and which variation it shows."""
    lines = [
        "# Eksempelsektoren (fiktive data)",
        "",
        "**Alt innhold i disse filene er fiktivt.** Personer, e-postadresser (example.no), kommuner, "
        "prosjekter, beløp og planer er oppdiktet for å vise hva Pilotoversikt kan. Virksomhetene er de "
        "virkelige virksomhetene i KDD-sektoren, men ingen av planene er deres.",
        "",
        "Filene er skrevet av `loaders/sample_sector.py`; ikke rediger dem for hånd. Etter en endring der "
        "eller i skjemaet (`loaders/template.py`), skriv dem på nytt med",
        "",
        "```",
        ".venv/bin/python -c \"from pathlib import Path; from loaders.sample_sector import write_sample_files; "
        "write_sample_files(Path('data/samples'))\"",
        "```",
        "",
        "og last dem inn med `python -m loaders sample`. `tests/test_sample_sector.py` kontrollerer at filene "
        "her er nøyaktig det generatoren skriver, og at alle leses uten feil.",
        "",
        "## Filene",
        "",
        "| Fil | Virksomhet | Oppstartsår | Innsendt | Innhold | Viser |",
        "|---|---|---|---|---|---|",
    ]
    for sub in submissions:
        statuses: dict[str, int] = {}
        for p in sub.pilots:
            status = str(p.values.get("status") or "Planlagt")
            statuses[status] = statuses.get(status, 0) + 1
        noun = "pilot" if len(sub.pilots) == 1 else "piloter"
        held = (f"{len(sub.pilots)} {noun}: " + ", ".join(f"{n} {s.lower()}" for s, n in statuses.items())
                if sub.pilots else "ingen piloter (Har planer om piloter = Nei)")
        names = "<br>".join(f"`{n}`" for n in sub.file_names())
        lines.append(f"| {names} | {sub.agency} | {sub.start_year} | {sub.submitted_on:%d.%m.%Y} | {held} | "
                     f"{sub.shows} |")
    pilots = _current_pilots(submissions)
    counts = {s: sum(1 for p in pilots if p.values.get("status", "Planlagt") == s)
              for s in ("Planlagt", "Pågår", "Gjennomført", "Avbrutt")}
    reported = sorted({s.agency for s in submissions})
    lines += [
        "",
        "## Samlet (gjeldende versjoner)",
        "",
        f"- {len(reported)} av 12 virksomheter har rapportert: {', '.join(reported)}. Datatilsynet og "
        "Nasjonal kommunikasjonsmyndighet har ikke rapportert for noen runde, og de fleste virksomhetene "
        "mangler rapportering for 2023.",
        f"- {len(pilots)} piloter: " + ", ".join(f"{n} {s.lower()}" for s, n in counts.items())
        + f". {counts['Pågår'] + counts['Gjennomført']} teller mot ambisjonen om 3–5 piloter.",
        f"- {sum(1 for p in pilots if p.values.get('needs_exemption'))} forsøk (behov for unntak fra regelverk).",
        f"- Budsjett totalt: {_grouped(sum(p.values['budget_total_nok'] for p in pilots))} kr.",
        "- Statsbygg (2023 og 2024) og Valgdirektoratet (2024) er virksomhetene med registrerte brev i "
        "`data/requests.csv`.",
        "- For sent innsendt: Distriktssenteret 2023. Revidert: Statsbygg 2024 (v1 og v2). Ingen planer: "
        "Husleietvistutvalget 2024.",
        "- Tilsiktet advarsel: budsjettradene for «Tillitsbasert oppfølging av matrikkelføringen» "
        "(Kartverket) summerer ikke til budsjettet totalt. Ingen andre filer gir feil eller advarsler.",
        "",
        "CSV-settene importeres sammen (Piloter-tabellen går først, så Milepæler og Budsjett kan vise til "
        "pilotene i den).",
        "",
    ]
    return "\n".join(lines)


def _current_pilots(submissions: list[SampleSubmission]) -> list[SamplePilot]:
    """The pilots of the latest submission per agency and year."""
    latest: dict[tuple[str, int], SampleSubmission] = {}
    for sub in submissions:
        key = (sub.agency, sub.start_year)
        if key not in latest or sub.submitted_on >= latest[key].submitted_on:
            latest[key] = sub
    return [p for sub in latest.values() for p in sub.pilots]


def _file_contents(sub: SampleSubmission, reference: Reference) -> list[bytes]:
    stamp = dt.datetime.combine(sub.submitted_on, dt.time(12, 0))
    if sub.layout == "template":
        return [_xlsx_bytes(_template_workbook(sub, reference), stamp)]
    if sub.layout == "homemade":
        return [_xlsx_bytes(_homemade_workbook(sub), stamp)]
    return _csv_set(sub)


def write_sample_files(folder: Path, reference: Reference | None = None) -> list[Path]:
    """Write every sample file and README.md into folder; return the form files in import order.

    Files already in the folder with other names are left alone.
    """
    reference = reference or load_reference()
    submissions = sample_sector()
    check_specification(submissions)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for sub in submissions:
        for name, content in zip(sub.file_names(), _file_contents(sub, reference), strict=True):
            path = folder / name
            path.write_bytes(content)
            paths.append(path)
    (folder / README_NAME).write_text(_readme(submissions), encoding="utf-8", newline="\n")
    return paths
