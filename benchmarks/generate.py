"""Synthetic, valid submissions on the reporting form, deterministic from a fixed seed.

Each size gets a folder under benchmarks/work/<size>/ with
    reference/  a full register (agencies.csv, ministries.csv, requests.csv; rounds.csv and
                settings.toml copied from data/), read with loaders.register.load_reference
    files/      the agencies' files: .xlsx workbooks (and, at M, a few CSV sets)
    manifest.json  what was generated and the key of the inputs it was generated from.

The files are regenerated only when the key changes: this module's source, the contract, the
rounds and settings in data/, the size's parameters or the seed. Workbooks are written with
openpyxl's write-only mode and then normalised (fixed zip timestamps and document dates), so
the same inputs give byte-identical files.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import random
import re
import shutil
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

from openpyxl import Workbook

from loaders.contract import BUDGET, MILESTONES, PILOTS, SUBMISSION, SUBMISSION_HEADERS
from loaders.register import DATA_DIR

ROOT = Path(__file__).resolve().parents[1]
WORK = Path(__file__).resolve().parent / "work"
SAMPLE_DIR = DATA_DIR / "samples"
SEED = 20231031


@dataclass(frozen=True)
class SizeSpec:
    """How much one synthetic size holds."""

    name: str
    agencies: int
    pilots_per_submission: tuple[int, int]  # inclusive range (fixed when equal)
    milestones_per_pilot: tuple[int, int]
    budget_lines_per_pilot: tuple[int, int]
    no_plans_share: float  # share of submissions answering Nei
    csv_sets: int  # submissions delivered as three CSV files instead of a workbook
    revised: int  # submissions delivered twice (v1, then a revised v2)
    text_dates_share: float  # share of workbooks with dates and amounts typed as text


SPECS = {
    # ≈ 1 500 current pilots, ≈ 8 000 milestones, ≈ 410 workbooks and 30 CSV files.
    "M": SizeSpec("M", agencies=200, pilots_per_submission=(1, 7), milestones_per_pilot=(2, 9),
                  budget_lines_per_pilot=(1, 4), no_plans_share=0.08, csv_sets=10, revised=20,
                  text_dates_share=0.1),
    # Exactly 20 000 pilots and 60 000 milestones: 400 agencies × 2 rounds × 25 pilots × 3.
    "L": SizeSpec("L", agencies=400, pilots_per_submission=(25, 25), milestones_per_pilot=(3, 3),
                  budget_lines_per_pilot=(2, 2), no_plans_share=0.0, csv_sets=0, revised=0,
                  text_dates_share=0.0),
}

MINISTRIES = {
    "KDD": "Kommunal- og distriktsdepartementet", "DFD": "Digitaliserings- og forvaltningsdepartementet",
    "ASD": "Arbeids- og inkluderingsdepartementet", "BFD": "Barne- og familiedepartementet",
    "ED": "Energidepartementet", "FIN": "Finansdepartementet", "FD": "Forsvarsdepartementet",
    "HOD": "Helse- og omsorgsdepartementet", "JD": "Justis- og beredskapsdepartementet",
    "KLD": "Klima- og miljødepartementet", "KUD": "Kultur- og likestillingsdepartementet",
    "KD": "Kunnskapsdepartementet", "LMD": "Landbruks- og matdepartementet",
    "NFD": "Nærings- og fiskeridepartementet", "SD": "Samferdselsdepartementet",
    "UD": "Utenriksdepartementet",
}
KINDS = ("Direktoratet for", "Tilsynet for", "Senter for", "Etaten for", "Kontoret for", "Nemnda for",
         "Statens senter for", "Forvaltningen for")
TOPICS = ("byggesak", "boligfinansiering", "kartdata", "valggjennomføring", "distriktsutvikling",
          "husleie", "digital samhandling", "statlige bygg", "fellestjenester", "personvern",
          "ekom", "vegdata", "sjøtrafikk", "landbruksstøtte", "kulturminner", "arkiv",
          "folkehelse", "naturforvaltning", "skatteinnkreving", "tolltjenester", "integrering",
          "barnevern", "familievern", "energitilsyn", "havforskning", "fiskeriforvaltning",
          "matsikkerhet", "legemidler", "utdanningskvalitet", "studiestøtte", "jernbane",
          "luftfart", "kystforvaltning", "forbrukertvister", "konkurranse", "lotteri", "medier",
          "likestilling", "samisk forvaltning", "beredskap")
WORDS = ("tillit", "brukerne", "saksbehandling", "tjenesten", "ledere", "ansatte", "tillitsvalgte",
         "kommunene", "virksomheten", "rapportering", "styring", "kontroll", "handlingsrom",
         "samarbeid", "digitale", "løsninger", "erfaringer", "gevinster", "kvalitet", "tid",
         "ressurser", "rutiner", "prosesser", "søknader", "veiledning", "regelverk", "unntak",
         "forsøk", "målinger", "dialog", "innbyggere", "førstelinjen", "fagmiljøet", "data",
         "deling", "oppfølging", "evaluering", "dokumentasjon", "læring", "forenkling", "mindre",
         "bedre", "raskere", "felles", "lokale", "regionale", "nasjonale", "skal", "vil", "kan",
         "gjennom", "med", "for", "og", "i", "på", "av", "til", "som", "mellom", "uten")
PLACES = ("Agder", "Innlandet", "Nordland", "Rogaland", "Troms", "Finnmark", "Trøndelag", "Vestland",
          "Viken", "Vestfold", "Telemark", "Møre og Romsdal", "Oslo", "Buskerud", "Østfold", "Akershus")
FIRST_NAMES = ("Kari", "Ola", "Ingrid", "Per", "Nora", "Lars", "Sigrid", "Anders", "Marit", "Jonas",
               "Hilde", "Eirik", "Astrid", "Magnus", "Silje", "Tor")
LAST_NAMES = ("Nordmann", "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen",
              "Kristiansen", "Jensen", "Karlsen", "Berg", "Haugen", "Hagen", "Bakken", "Dahl")
PILOT_STATUS_WEIGHTS = {2023: {"Planlagt": 3, "Pågår": 5, "Gjennomført": 3, "Avbrutt": 1},
                        2024: {"Planlagt": 8, "Pågår": 3, "Gjennomført": 0, "Avbrutt": 1}}
MILESTONE_NAMES = ("Oppstart", "Kartlegging", "Utprøving", "Midtveisevaluering", "Rapport", "Avslutning",
                   "Opplæring")
TRUST = ("Departement og virksomhet", "Stat og kommunesektor", "Ledere og ansatte",
         "Arbeidsgiver og tillitsvalgte", "Innbyggere og brukere")
FIXED_ZIP_TIME = (2023, 10, 31, 12, 0, 0)
FIXED_DOC_TIME = "2023-10-31T12:00:00Z"
LABEL = {f.key: f.label for t in (SUBMISSION, PILOTS, MILESTONES, BUDGET) for f in t.fields}


# ---------------------------------------------------------------------------------------
# Folders and the cache key


def size_dir(size: str) -> Path:
    """benchmarks/work/<size>."""
    return WORK / size


def files_dir(size: str) -> Path:
    """The folder of a size's submission files (data/samples for S)."""
    return SAMPLE_DIR if size == "S" else size_dir(size) / "files"


def reference_dir(size: str) -> Path:
    """The reference folder of a size (data/ for S)."""
    return DATA_DIR if size == "S" else size_dir(size) / "reference"


def input_key(size: str) -> str:
    """A hash of everything the generated files depend on."""
    h = hashlib.sha256()
    for path in (Path(__file__), ROOT / "loaders" / "contract.py", DATA_DIR / "rounds.csv",
                 DATA_DIR / "settings.toml"):
        h.update(path.read_bytes())
    h.update(json.dumps(asdict(SPECS[size]), sort_keys=True).encode())
    h.update(str(SEED).encode())
    return h.hexdigest()


def submission_files(size: str) -> list[Path]:
    """The .xlsx and .csv files of a size, sorted by name as the CLI imports a folder."""
    return sorted(p for p in files_dir(size).iterdir() if p.suffix.lower() in (".xlsx", ".csv"))


def ensure(size: str, log=print) -> dict:
    """Generate a size unless its files are there for the same inputs; returns the manifest."""
    if size == "S":
        files = submission_files("S")
        return {"size": "S", "files": len(files), "cached": True, "source": str(SAMPLE_DIR)}
    folder = size_dir(size)
    manifest_path = folder / "manifest.json"
    key = input_key(size)
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("key") == key and all((files_dir(size) / n).exists() for n in manifest["file_names"]):
            manifest["cached"] = True
            return manifest
    log(f"  generating {size} …")
    if folder.exists():
        shutil.rmtree(folder)
    manifest = _generate(SPECS[size], folder)
    manifest["key"] = key
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    manifest["cached"] = False
    return manifest


# ---------------------------------------------------------------------------------------
# The register


@dataclass(frozen=True)
class SynthAgency:
    name: str
    short_name: str
    alias: str
    ministry: str


def _agencies(rng: random.Random, count: int) -> list[SynthAgency]:
    out = []
    ministries = list(MINISTRIES)
    for i in range(1, count + 1):
        topic = TOPICS[(i - 1) % len(TOPICS)]
        kind = KINDS[((i - 1) // len(TOPICS)) % len(KINDS)]
        name = f"{kind} {topic} {i:03d}"
        alias = f"Statens {topic}kontor {i:03d}" if rng.random() < 0.3 else ""
        out.append(SynthAgency(name, f"SY{i:03d}", alias, ministries[(i - 1) % len(ministries)]))
    return out


def _write_reference(folder: Path, agencies: list[SynthAgency], years: list[int]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(DATA_DIR / "rounds.csv", folder / "rounds.csv")
    shutil.copy(DATA_DIR / "settings.toml", folder / "settings.toml")
    with (folder / "ministries.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["short_name", "name"])
        writer.writerows(MINISTRIES.items())
    with (folder / "agencies.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "short_name", "aliases", "ministry", "previous_ministry", "ministry_changed_on"])
        for a in agencies:
            moved = a.ministry == "DFD"
            writer.writerow([a.name, a.short_name, a.alias, a.ministry, "KDD" if moved else "",
                             "2024-01-01" if moved else ""])
    with (folder / "requests.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["start_year", "agency", "letter_date", "letter_ref", "note"])
        for year in years:
            for i, a in enumerate(agencies):
                writer.writerow([year, a.name, "2023-06-12", f"23/{100 + i}-{year - 2000}",
                                 "Syntetisk brev (benchmark)"])


def _rounds() -> dict[int, dt.date]:
    with (DATA_DIR / "rounds.csv").open(encoding="utf-8-sig", newline="") as handle:
        return {int(r["start_year"]): dt.date.fromisoformat(r["deadline"]) for r in csv.DictReader(handle)}


# ---------------------------------------------------------------------------------------
# Content


def _sentence(rng: random.Random, low: int, high: int) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    return (" ".join(words).capitalize() + ".")


def _text(rng: random.Random, sentences: tuple[int, int] = (1, 3)) -> str:
    return " ".join(_sentence(rng, 6, 16) for _ in range(rng.randint(*sentences)))


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    return dt.date(year, month % 12 + 1, min(day.day, 28))


def _pilot(rng: random.Random, year: int, index: int, agency: SynthAgency, others: list[SynthAgency]) -> dict:
    statuses = PILOT_STATUS_WEIGHTS[year]
    status = rng.choices(list(statuses), weights=list(statuses.values()))[0]
    start = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
    end = _add_months(start, rng.randint(6, 36))
    exemption = rng.random() < 0.15
    total = rng.randrange(200_000, 12_000_000, 10_000)
    topic = agency.name.rsplit(" ", 2)[-2] if " " in agency.name else agency.name
    return {
        "pilot_ref": f"P{year % 100:02d}-{index:02d}",
        "pilot_name": f"{rng.choice(('Tillitsbasert', 'Forenklet', 'Digital', 'Lokal', 'Felles'))} "
                      f"{rng.choice(('oppfølging', 'saksbehandling', 'veiledning', 'styring', 'rapportering'))} "
                      f"av {topic} i {rng.choice(PLACES)} ({index})",
        "status": status,
        "trust_relation": rng.choice(TRUST),
        "problem": _text(rng, (2, 4)),
        "goals": _text(rng, (1, 2)),
        "themes": "; ".join(rng.sample(WORDS[:30], rng.randint(1, 4))),
        "learning_goals": _text(rng) if rng.random() < 0.9 else None,
        "what_to_test": _text(rng) if rng.random() < 0.9 else None,
        "needs_exemption": "Ja" if exemption else "Nei",
        "exemption_rules": f"Forskrift om {rng.choice(TOPICS)} § {rng.randint(1, 40)}" if exemption else None,
        "service_scope": _text(rng, (1, 2)),
        "org_scope": _text(rng, (1, 2)),
        "processes": _text(rng, (1, 2)) if rng.random() < 0.8 else None,
        "scope_will_expand": rng.choice(("Ja", "Nei")),
        "partner_agencies": "; ".join(o.name for o in rng.sample(others, rng.randint(0, 2))),
        "start_date": start,
        "end_date": end,
        "users": _text(rng, (1, 1)) if rng.random() < 0.85 else None,
        "units_and_staff": _text(rng, (1, 1)) if rng.random() < 0.85 else None,
        "third_parties": _text(rng, (1, 1)) if rng.random() < 0.5 else None,
        "budget_total_nok": total,
        "within_budget_frame": rng.choices(("Ja", "Nei", "Delvis"), weights=(6, 2, 2))[0],
        "resources": _text(rng, (1, 2)),
        "person_years": round(rng.uniform(0.2, 8.0), 1),
        "follow_up_covered": rng.choice(("Ja", "Nei")),
        "admin_consequences": _text(rng, (1, 2)) if rng.random() < 0.7 else None,
        "documentation": _text(rng, (1, 2)) if rng.random() < 0.85 else None,
        "evaluation": _text(rng, (1, 2)) if rng.random() < 0.8 else None,
    }


def _milestones(rng: random.Random, pilot: dict, count: int) -> list[dict]:
    start, end = pilot["start_date"], pilot["end_date"]
    span = (end - start).days
    rows = []
    for i in range(count):
        first = start + dt.timedelta(days=span * i // max(count, 1))
        phase = rng.random() < 0.35
        to = min(end, first + dt.timedelta(days=rng.randint(30, 180))) if phase else None
        rows.append({
            "pilot": pilot["pilot_ref"] if rng.random() < 0.5 else pilot["pilot_name"],
            "name": f"{rng.choice(MILESTONE_NAMES)} {i + 1}",
            "kind": "Fase" if phase else rng.choice(("Milepæl", None)),
            "from_date": first,
            "to_date": to,
            "status": rng.choice(("Ikke startet", "Pågår", "Ferdig", None)),
        })
    return rows


def _budget(rng: random.Random, pilot: dict, count: int) -> list[dict]:
    total = pilot["budget_total_nok"]
    years = list(range(pilot["start_date"].year, pilot["end_date"].year + 1))
    cuts = sorted(rng.sample(range(10_000, total, 10_000), count - 1)) if count > 1 else []
    amounts = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    return [{
        "pilot": pilot["pilot_name"] if rng.random() < 0.6 else pilot["pilot_ref"],
        "year": years[min(i, len(years) - 1)],
        "amount_nok": amount,
        "category": rng.choice(("Lønn", "Innkjøp", "Drift", "Annet", None)),
        "financing": rng.choice(("Innenfor rammer", "Ekstra behov", None)),
    } for i, amount in enumerate(amounts)]


def _submission(rng: random.Random, spec: SizeSpec, agency: SynthAgency, year: int, deadline: dt.date,
                others: list[SynthAgency], version: int = 2) -> dict:
    no_plans = rng.random() < spec.no_plans_share
    pilots, milestones, budget = [], [], []
    if not no_plans:
        count = rng.randint(*spec.pilots_per_submission)
        if version == 1:
            count = max(1, count - 1)
        for i in range(1, count + 1):
            p = _pilot(rng, year, i, agency, others)
            pilots.append(p)
            milestones += _milestones(rng, p, rng.randint(*spec.milestones_per_pilot))
            budget += _budget(rng, p, rng.randint(*spec.budget_lines_per_pilot))
    written = rng.choices((agency.name, agency.short_name, agency.alias or agency.name), weights=(7, 2, 1))[0]
    submitted = deadline - dt.timedelta(days=rng.randint(-12, 45))
    if version == 1:
        submitted -= dt.timedelta(days=20)
    person = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    fields = {
        "agency": written, "start_year": year, "submitted_on": submitted, "contact_person": person,
        "email": f"{person.split()[0].lower()}@{agency.short_name.lower()}.example.no",
        "has_plans": "Nei" if no_plans else "Ja",
        "assessment": _text(rng, (2, 3)) if no_plans else None,
        "union_involvement": _text(rng, (1, 2)),
    }
    return {"fields": fields, "pilots": pilots, "milestones": milestones, "budget": budget}


# ---------------------------------------------------------------------------------------
# Writing files


def _as_text(value: object) -> object:
    """Dates and amounts typed as text, as some agencies do."""
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, int) and value >= 10_000:
        return f"{value:,}".replace(",", " ") + " kr"
    return value


def _normalise_zip(content: bytes) -> bytes:
    """Fixed timestamps in the zip and in docProps/core.xml, so output is byte-identical; a dimension per sheet.

    Excel writes each sheet's extent (<dimension ref="A1:AC9"/>) and the loader reads it to
    refuse a sheet reaching far beyond its table before calamine lays it out; openpyxl's
    write-only mode leaves it out, and a sheet without one is scanned instead.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", FIXED_DOC_TIME.encode(), data)
            elif info.filename.startswith("xl/worksheets/") and b"<dimension " not in data:
                data = _with_dimension(data)
            dst.writestr(zipfile.ZipInfo(info.filename, FIXED_ZIP_TIME), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _with_dimension(sheet: bytes) -> bytes:
    """A sheet's XML with the dimension element Excel writes, from its first to its last cell."""
    cells = re.findall(rb'<c r="([A-Z]+)(\d+)"', sheet)
    if not cells:
        return sheet
    last_column = max((c for c, _ in cells), key=lambda c: (len(c), c))
    last_row = max(int(r) for _, r in cells)
    element = b'<dimension ref="A1:' + last_column + str(last_row).encode() + b'"/>'
    at = sheet.index(b"<sheetViews") if b"<sheetViews" in sheet else sheet.index(b"<sheetData")
    return sheet[:at] + element + sheet[at:]


def workbook_bytes(sub: dict, as_text: bool = False) -> bytes:
    """A filled-in form (Veiledning, Innsending, Piloter, Milepæler, Budsjett) as .xlsx bytes."""
    conv = _as_text if as_text else (lambda v: v)
    book = Workbook(write_only=True)
    guide = book.create_sheet("Veiledning")
    guide.append(["Rapporteringsskjema for piloter i tillitsreformen"])
    guide.append(["Syntetisk fil for ytelsesmåling."])
    sheet = book.create_sheet(SUBMISSION.sheet)
    sheet.append(list(SUBMISSION_HEADERS))
    for f in SUBMISSION.fields:
        value = sub["fields"].get(f.key)
        sheet.append([f.label, conv(value) if f.key != "start_year" else value])
    for table, rows in ((PILOTS, sub["pilots"]), (MILESTONES, sub["milestones"]), (BUDGET, sub["budget"])):
        sheet = book.create_sheet(table.sheet)
        keys = [f.key for f in table.fields]
        sheet.append([f.label for f in table.fields])
        for row in rows:
            sheet.append([conv(row.get(k)) if k != "year" else row.get(k) for k in keys])
    out = io.BytesIO()
    book.save(out)
    return _normalise_zip(out.getvalue())


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float):
        return f"{value}".replace(".", ",")
    return str(value)


def csv_set(sub: dict, agency_written: str) -> dict[str, bytes]:
    """One submission as three CSV files (UTF-8 with BOM, semicolons), keyed by table."""
    fields = sub["fields"]
    keys = {"agency": agency_written, "start_year": fields["start_year"]}
    extra = ("submitted_on", "contact_person", "email", "has_plans", "union_involvement")
    out = {}
    for table, rows, extra_keys in ((PILOTS, sub["pilots"], extra), (MILESTONES, sub["milestones"], ()),
                                    (BUDGET, sub["budget"], ())):
        columns = ["agency", "start_year", *extra_keys, *(f.key for f in table.fields)]
        text = io.StringIO(newline="")
        writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
        writer.writerow([LABEL[c] for c in columns])
        for row in rows:
            merged = {**keys, **{k: fields[k] for k in extra_keys}, **row}
            writer.writerow([_csv_value(merged.get(c)) for c in columns])
        out[table.key] = text.getvalue().encode("utf-8-sig")
    return out


def _generate(spec: SizeSpec, folder: Path) -> dict:
    rng = random.Random(f"{SEED}-{spec.name}")
    rounds = _rounds()
    years = sorted(rounds)
    agencies = _agencies(rng, spec.agencies)
    _write_reference(folder / "reference", agencies, years)
    out_dir = folder / "files"
    out_dir.mkdir(parents=True)
    keys = [(a, y) for a in agencies for y in years]
    order = list(range(len(keys)))
    rng.shuffle(order)
    csv_keys = set(order[:spec.csv_sets])
    revised_keys = set(order[spec.csv_sets:spec.csv_sets + spec.revised])
    text_keys = set(order[spec.csv_sets + spec.revised:][:int(len(keys) * spec.text_dates_share)])
    counts = {"submissions": 0, "pilots": 0, "milestones": 0, "budget_lines": 0, "xlsx": 0, "csv": 0}
    names = []
    largest = 0
    for index, (agency, year) in enumerate(keys):
        others = [a for a in rng.sample(agencies, min(3, len(agencies))) if a != agency]
        stem = f"{year}_{agency.short_name.lower()}"
        if index in revised_keys:
            first = _submission(rng, spec, agency, year, rounds[year], others, version=1)
            content = workbook_bytes(first)
            (out_dir / f"{stem}_v1.xlsx").write_bytes(content)
            names.append(f"{stem}_v1.xlsx")
            counts["xlsx"] += 1
            stem += "_v2_revidert"
        sub = _submission(rng, spec, agency, year, rounds[year], others)
        if index in csv_keys:
            if not sub["pilots"]:  # a CSV set carries pilots; give it one plan at least
                sub["fields"].update(has_plans="Ja", assessment=None)
                p = _pilot(rng, year, 1, agency, others)
                sub.update(pilots=[p], milestones=_milestones(rng, p, 3), budget=_budget(rng, p, 2))
            for table, content in csv_set(sub, sub["fields"]["agency"]).items():
                suffix = {"pilots": "piloter", "milestones": "milepaeler", "budget": "budsjett"}[table]
                (out_dir / f"{stem}_{suffix}.csv").write_bytes(content)
                names.append(f"{stem}_{suffix}.csv")
                counts["csv"] += 1
                largest = max(largest, len(content))
        else:
            content = workbook_bytes(sub, as_text=index in text_keys)
            (out_dir / f"{stem}.xlsx").write_bytes(content)
            names.append(f"{stem}.xlsx")
            counts["xlsx"] += 1
            largest = max(largest, len(content))
        counts["submissions"] += 1
        counts["pilots"] += len(sub["pilots"])
        counts["milestones"] += len(sub["milestones"])
        counts["budget_lines"] += len(sub["budget"])
    return {"size": spec.name, "spec": asdict(spec), "seed": SEED, "counts": counts,
            "largest_file_bytes": largest, "file_names": sorted(names), "files": len(names)}


def write_bare_page(path: Path) -> Path:
    """The one-line Streamlit page the overview is compared with in the browser."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = 'import streamlit as st\n\nst.write("x")\n'
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path
