"""The reporting form: every sheet, field, closed list and element of KDD's letter, in one place.

The template writer, the loaders, the store and the pages all read this module, so a label
changes in exactly one place. Labels are the exact Norwegian text agencies see in the form.
"""

from __future__ import annotations

from dataclasses import dataclass

# Closed lists, with the form's Norwegian values.
YES_NO = ("Ja", "Nei")
PILOT_STATUSES = ("Planlagt", "Pågår", "Gjennomført", "Avbrutt")
TRUST_RELATIONS = (
    "Departement og virksomhet",
    "Stat og kommunesektor",
    "Ledere og ansatte",
    "Arbeidsgiver og tillitsvalgte",
    "Innbyggere og brukere",
)
BUDGET_FRAME_ANSWERS = ("Ja", "Nei", "Delvis")
MILESTONE_KINDS = ("Milepæl", "Fase")
MILESTONE_STATUSES = ("Ikke startet", "Pågår", "Ferdig")
BUDGET_CATEGORIES = ("Lønn", "Innkjøp", "Drift", "Annet")
FINANCING_KINDS = ("Innenfor rammer", "Ekstra behov")


@dataclass(frozen=True)
class Element:
    """One of the six elements a plan should cover, as the letter names them."""

    number: int
    name: str
    questions: str


ELEMENTS: tuple[Element, ...] = (
    Element(1, "Problembeskrivelse og mål",
            "Hvilke problem har piloten som mål å løse? Hvilke temaer og forhold omfattes av "
            "piloten? Hva skal virksomheten lære av piloten? Hva skal testes, og trenger man å "
            "søke om unntak fra lover (forsøk)?"),
    Element(2, "Omfang",
            "Hvor stor del av tjenesten/temaet, og hvor stor del av virksomheten, skal piloten "
            "omfatte? Hvilke arbeidsprosesser og rutiner skal inngå? Skal omfanget økes etter "
            "hvert? Omfatter piloteringen samarbeid med andre virksomheter?"),
    Element(3, "Tid",
            "Hvor lenge skal piloten vare? Når skal den starte opp? Hvilke milepæler og faser "
            "skal piloten ha?"),
    Element(4, "Deltakere",
            "Hvilke brukere, deler av virksomheten og tredjeparter skal delta i piloten?"),
    Element(5, "Økonomi og administrative konsekvenser",
            "Dekker virksomheten behovet for ressurser innenfor gjeldende rammer? Med hvilke "
            "ressurser skal piloten gjennomføres? Dekker rammene utgifter for eventuelle "
            "oppfølgingsaktiviteter?"),
    Element(6, "Dokumentasjon og evaluering",
            "Hvordan skal dere observere og dokumentere funn underveis på en strukturert måte? "
            "Hvordan kan gevinstene og resultatene måles og evalueres?"),
)
# The elements' names where a column has little room: the deck's matrix, the Planer page's figures.
ELEMENT_SHORT = {1: "Problem og mål", 2: "Omfang", 3: "Tid", 4: "Deltakere", 5: "Økonomi", 6: "Dok. og evaluering"}


@dataclass(frozen=True)
class Field:
    """One column (or Innsending row) of the form.

    kind is one of: text, list, yes_no, choice, date, amount, number, year, agency.
    default is what a blank cell means for a choice field. ends_period marks a date that ends
    something: a month alone there («desember 2024») is its last day, not its first.
    """

    key: str
    label: str
    kind: str = "text"
    required: bool = False
    choices: tuple[str, ...] = ()
    default: str | None = None
    element: int | None = None
    help: str = ""
    ends_period: bool = False


@dataclass(frozen=True)
class Table:
    """A sheet of the workbook with a header row (or, for CSV, one file)."""

    key: str
    sheet: str
    fields: tuple[Field, ...]

    def field(self, key: str) -> Field:
        """The field with this key."""
        return next(f for f in self.fields if f.key == key)

    @property
    def required_labels(self) -> tuple[str, ...]:
        """Labels of the columns that must be present."""
        return tuple(f.label for f in self.fields if f.required)


SUBMISSION = Table("submission", "Innsending", (
    Field("agency", "Virksomhet", "agency", required=True,
          help="Virksomhetens navn slik det står i listen (eller forkortelsen, f.eks. HB)."),
    Field("start_year", "Oppstartsår", "year", required=True,
          help="Året pilotene i denne rapporteringen skal starte (rapporteringsrunden), f.eks. 2024."),
    Field("submitted_on", "Innsendt dato", "date", required=True,
          help="Datoen dere sender rapporteringen, f.eks. 31.10.2023."),
    Field("contact_person", "Kontaktperson",
          help="Hvem departementet kan kontakte om rapporteringen."),
    Field("email", "E-post", help="Kontaktpersonens e-postadresse."),
    Field("has_plans", "Har planer om piloter", "yes_no", required=True, choices=YES_NO,
          help="Ja dersom dere har konkrete planer om piloter; fyll da ut arket Piloter. "
               "Nei dersom dere ikke har planer; fyll da ut de to feltene under."),
    Field("assessment", "Vurderinger av muligheter for pilotering",
          help="Påkrevd ved Nei: hvilke vurderinger er gjort av muligheter for pilotering?"),
    Field("union_involvement", "Involvering av tillitsvalgte",
          help="Påkrevd ved Nei, og ønsket også ved Ja: hvordan er de tillitsvalgte involvert "
               "i prosessen?"),
))

PILOTS = Table("pilots", "Piloter", (
    Field("pilot_ref", "Pilot-ID",
          help="Valgfri: virksomhetens egen referanse, unik i filen. Kan brukes i Milepæler og "
               "Budsjett i stedet for navnet."),
    Field("pilot_name", "Pilotnavn", required=True, help="Et kort, unikt navn på piloten (høyst 200 tegn)."),
    Field("status", "Status", "choice", choices=PILOT_STATUSES, default="Planlagt",
          help="Planlagt, Pågår, Gjennomført eller Avbrutt. Tom betyr Planlagt."),
    Field("trust_relation", "Tillitsrelasjon", "choice", choices=TRUST_RELATIONS, element=1,
          help="Hvilken tillitsrelasjon fra notatet «Om tillitsreformen» piloten skal styrke."),
    Field("problem", "Problembeskrivelse", required=True, element=1,
          help="Hvilket problem har piloten som mål å løse?"),
    Field("goals", "Mål", required=True, element=1, help="Hva er målet med piloten?"),
    Field("themes", "Temaer", "list", element=1,
          help="Hvilke temaer og forhold omfattes? Skill flere med semikolon (;)."),
    Field("learning_goals", "Læringsmål", element=1,
          help="Hva skal virksomheten lære av piloten?"),
    Field("what_to_test", "Hva skal testes", element=1, help="Hva skal testes i piloten?"),
    Field("needs_exemption", "Behov for unntak fra regelverk", "yes_no", required=True,
          choices=YES_NO, element=1,
          help="Ja dersom piloten krever unntak fra lov eller forskrift (da er den et forsøk)."),
    Field("exemption_rules", "Regelverk det søkes unntak fra", element=1,
          help="Påkrevd når «Behov for unntak fra regelverk» er Ja: hvilke lover eller forskrifter det søkes "
               "unntak fra."),
    Field("service_scope", "Omfang av tjenesten", element=2,
          help="Hvor stor del av tjenesten eller temaet skal piloten omfatte?"),
    Field("org_scope", "Omfang i virksomheten", element=2,
          help="Hvor stor del av virksomheten skal piloten omfatte?"),
    Field("processes", "Arbeidsprosesser og rutiner", element=2,
          help="Hvilke arbeidsprosesser, kontaktpunkter og rutiner skal inngå i piloten?"),
    Field("scope_will_expand", "Omfanget skal utvides", "yes_no", choices=YES_NO, element=2,
          help="Skal omfanget økes etter hvert?"),
    Field("partner_agencies", "Samarbeidende virksomheter", "list", element=2,
          help="Andre virksomheter piloten samarbeider med. Skill flere med semikolon (;)."),
    Field("start_date", "Startdato", "date", required=True, element=3,
          help="Når skal piloten starte? Dato, f.eks. 01.03.2024."),
    Field("end_date", "Sluttdato", "date", required=True, element=3, ends_period=True,
          help="Når skal piloten avsluttes? Ikke før startdatoen."),
    Field("users", "Brukere som deltar", element=4,
          help="Hvilke brukere skal delta i piloten?"),
    Field("units_and_staff", "Deltakende enheter og ansatte", element=4,
          help="Hvilke deler av virksomheten og hvilke ansatte skal delta?"),
    Field("third_parties", "Tredjeparter", element=4,
          help="Hvilke tredjeparter skal delta?"),
    Field("budget_total_nok", "Budsjett totalt (kr)", "amount", required=True, element=5,
          help="Samlet budsjett for piloten i kroner (ikke negativt)."),
    Field("within_budget_frame", "Innenfor gjeldende rammer", "choice", required=True,
          choices=BUDGET_FRAME_ANSWERS, element=5,
          help="Dekker virksomheten ressursbehovet innenfor gjeldende rammer? Ja, Nei eller Delvis."),
    Field("resources", "Ressurser", element=5,
          help="Med hvilke ressurser skal piloten gjennomføres?"),
    Field("person_years", "Årsverk", "number", element=5,
          help="Antall årsverk piloten krever (ikke negativt), f.eks. 1,5."),
    Field("follow_up_covered", "Oppfølging dekket innenfor rammene", "yes_no", choices=YES_NO,
          element=5, help="Dekker rammene utgifter for eventuelle oppfølgingsaktiviteter?"),
    Field("admin_consequences", "Administrative konsekvenser", element=5,
          help="Hvilke administrative konsekvenser har piloten?"),
    Field("documentation", "Dokumentasjon av funn", element=6,
          help="Hvordan skal dere observere og dokumentere funn underveis på en strukturert måte?"),
    Field("evaluation", "Evaluering og gevinstmåling", element=6,
          help="Hvordan kan gevinstene og resultatene måles og evalueres?"),
))

MILESTONES = Table("milestones", "Milepæler", (
    Field("pilot", "Pilot", required=True,
          help="Pilot-ID eller Pilotnavn fra arket Piloter."),
    Field("name", "Navn", required=True, help="Navnet på milepælen eller fasen."),
    Field("kind", "Type", "choice", choices=MILESTONE_KINDS, default="Milepæl",
          help="Milepæl (en dato) eller Fase (en periode). Tom betyr Milepæl."),
    Field("from_date", "Fra dato", "date", required=True,
          help="Datoen for milepælen, eller når fasen starter."),
    Field("to_date", "Til dato", "date", ends_period=True,
          help="Påkrevd for en fase: når fasen slutter (ikke før Fra dato)."),
    Field("status", "Status", "choice", choices=MILESTONE_STATUSES, default="Ikke startet",
          help="Ikke startet, Pågår eller Ferdig. Tom betyr Ikke startet."),
))

BUDGET = Table("budget", "Budsjett", (
    Field("pilot", "Pilot", required=True, help="Pilot-ID eller Pilotnavn fra arket Piloter."),
    Field("year", "År", "year", required=True, help="Budsjettåret, f.eks. 2024."),
    Field("amount_nok", "Beløp (kr)", "amount", required=True,
          help="Beløpet for dette året i kroner (ikke negativt)."),
    Field("category", "Kategori", "choice", choices=BUDGET_CATEGORIES, default="Annet",
          help="Lønn, Innkjøp, Drift eller Annet. Tom betyr Annet."),
    Field("financing", "Finansiering", "choice", choices=FINANCING_KINDS,
          default="Innenfor rammer",
          help="Innenfor rammer eller Ekstra behov. Tom betyr Innenfor rammer."),
))

DATA_TABLES: tuple[Table, ...] = (PILOTS, MILESTONES, BUDGET)
GUIDE_SHEET = "Veiledning"
LISTS_SHEET = "Lister"  # the template's hidden sheet of drop-down values; the loader ignores it
SUBMISSION_HEADERS = ("Felt", "Verdi")

# Columns every CSV row carries besides its table's own, and which Innsending fields a
# Piloter CSV may carry as columns.
CSV_KEY_FIELDS = (SUBMISSION.field("agency"), SUBMISSION.field("start_year"))
CSV_PILOT_EXTRA_FIELDS = tuple(f for f in SUBMISSION.fields if f.key not in ("agency", "start_year"))


def element_fields(number: int) -> tuple[Field, ...]:
    """The Piloter fields that belong to one element of the letter."""
    return _ELEMENT_FIELDS[number]


_ELEMENT_FIELDS = {e.number: tuple(f for f in PILOTS.fields if f.element == e.number) for e in ELEMENTS}


def covered_elements(pilot: dict) -> tuple[bool, ...]:
    """Which of the six elements a parsed pilot covers, by the contract's rule.

    An element is covered when at least one of its fields is filled in; element 3 also
    needs both dates and element 5 the total budget.
    """

    def filled(value: object) -> bool:
        return value not in (None, "", [], ())

    covered = []
    for element in ELEMENTS:
        any_filled = any(filled(pilot.get(f.key)) for f in element_fields(element.number))
        if element.number == 3:
            any_filled = filled(pilot.get("start_date")) and filled(pilot.get("end_date"))
        if element.number == 5:
            any_filled = any_filled and filled(pilot.get("budget_total_nok"))
        covered.append(any_filled)
    return tuple(covered)
