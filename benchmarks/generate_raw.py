"""Write a national-scale raw layer in the project's own format, for benchmarks.

    .venv/bin/python benchmarks/generate_raw.py --figures 100000 --out benchmarks/output/raw-100k

Shaped like national reporting: real former provinces and communes (from the admin-unit
library, so the build checks them and derives their 2025 successors) each publish a
monthly official report (cumulative stocks at month end: the CCCD and VNeID pipelines,
insurance records matched; monthly flows: applications online, health-insurance visits with
district and commune parts, documents issued), some in English number format; about one
report in seven is echoed a day later by a news article that dates its figures to the last
working day and prints shares to one decimal, truncated (so `figure_pairs` has work). Printed
percentages are rounded or truncated, per locality. A share of reports carries one source
error of a kind the real sources make (numerator and denominator swapped, a percent that
does not follow from its counts, parts that do not add up, a subset larger than its whole,
a change that is not the difference of its levels), each with a matching erratum, so
`validate` passes on the result.

The catalog files (indicators, units, qualifiers) are copied from data/raw and every file is
written with the column lists of analysis.ingest.COLUMNS, so schema changes flow through. The
output depends only on --figures and --seed.
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from analysis import paths  # noqa: E402  (after the sys.path line, on purpose)
from analysis.ingest import COLUMNS  # noqa: E402
from analysis.ingest import admin_units as au  # noqa: E402

CATALOG_FILES = ("indicators.csv", "indicator_kinds.csv", "indicator_keywords.csv", "units.csv",
                 "qualifiers.csv")
FIRST_MONTH = date(2023, 1, 1)
MONTHS = 24
FIGURES_PER_REPORT = 27  # about: official report figures per locality and month
NEWS_SHARE = 0.15  # official reports echoed by a news article
ERROR_SHARE = 0.08  # official reports carrying one source error (~0.3 % of figures)
ENGLISH_EVERY = 8  # one locality in eight reports in English number format
USED_INDICATORS = (
    "cccd_applications_collected", "cccd_issued", "vneid_collected", "vneid_verified",
    "vneid_activated", "vneid_activated_share_change", "dossiers_received",
    "dossiers_online_share", "health_visits_cccd", "social_insurance_matched",
    "social_insurance_unmatched", "meritorious_records_entered", "meritorious_records_target_met",
    "documents_issued", "tasks_assigned", "tasks_completed", "essential_services_online",
    "population_records_cleaned", "dossiers_digitised_on_receipt",
    "social_payments_cashless_amount", "guidance_points", "etax_accounts",
    "civil_registry_records_digitised", "commune_police_guides", "schools_cashless_fees",
)


# --- printing numbers the way the sources do ---------------------------------------------------

def printed_number(value: int | Decimal, language: str, decimals: int = 0) -> str:
    """A non-negative number in the source's convention: 20.284 / 80,17 (vi), 20,284 (en)."""
    group, mark = (".", ",") if language == "vi" else (",", ".")
    quantised = Decimal(value).quantize(Decimal(1).scaleb(-decimals))
    integer, _, fraction = f"{quantised:f}".partition(".")
    return f"{int(integer):,}".replace(",", group) + (mark + fraction if decimals else "")


def percent_of(numerator: int, denominator: int, decimals: int, truncate: bool) -> Decimal:
    """numerator/denominator in percent, rounded half up or truncated to `decimals`.

    An exact tie (12,5 % to no decimals) is truncated: floating point makes the checker's
    rounding of a tie arbitrary, and truncation is one of the two accepted conventions.
    """
    exact = Decimal(100 * numerator) / Decimal(denominator)
    step = Decimal(1).scaleb(-decimals)
    down = exact.quantize(step, rounding=ROUND_FLOOR)
    if truncate or exact - down == step / 2:
        return down
    return exact.quantize(step, rounding=ROUND_HALF_UP)


def slug_ascii(name: str) -> str:
    ascii_name = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in ascii_name if not unicodedata.combining(c))


# --- localities -----------------------------------------------------------------------------

@dataclass
class Locality:
    locality_id: str
    name_vi: str
    admin_level: str
    parent_id: str
    gso_code: str
    population: int  # citizens due a CCCD
    language: str
    truncates: bool  # prints percentages truncated (else rounded)


def real_units(count: int) -> list[tuple[au.AdminUnit, str | None]]:
    """`count` former units of the whole country from the admin-unit library: provinces,
    then their communes taken in turn, each with its province's code (None: a province).

    The layer is dated 2023-2024, before the 2025 reorganisation, so its units are the
    legacy era's: the build checks each against the library and derives its successors,
    as it does for the project's own register.
    """
    provinces = au.children("legacy", None)[:max(1, min(63, count // 30))]
    communes = {p.code: [c for d in au.children("legacy", p.code)
                         for c in au.children("legacy", d.code)] for p in provinces}
    units: list[tuple[au.AdminUnit, str | None]] = [(p, None) for p in provinces]
    turn = 0
    while len(units) < count:
        province = provinces[turn % len(provinces)]
        taken = turn // len(provinces)
        if taken >= len(communes[province.code]):
            raise SystemExit(f"error: {count} localities exceed the library's communes")
        units.append((communes[province.code][taken], province.code))
        turn += 1
    return units[:count]


def make_localities(count: int, rng: random.Random) -> list[Locality]:
    localities: list[Locality] = []
    id_of: dict[str, str] = {}
    for index, (unit, province) in enumerate(real_units(count)):
        name = unit.short_name_vi if province is None else unit.name_vi
        locality_id = slug_ascii(name).lower().replace(" ", "-") + f"-{unit.code}"
        id_of[unit.code] = locality_id
        localities.append(Locality(
            locality_id=locality_id,
            name_vi=name,
            admin_level=unit.level,
            parent_id="" if province is None else id_of[province],
            gso_code=unit.code,
            population=rng.randint(600_000, 2_500_000) if province is None
            else rng.randint(15_000, 300_000),
            language="en" if index % ENGLISH_EVERY == ENGLISH_EVERY // 2 else "vi",
            truncates=rng.random() < 0.35,
        ))
    return localities


def locality_row(locality: Locality, index: int) -> dict[str, str]:
    """The register row: era and code; the names and level as the library prints them."""
    ascii_name = slug_ascii(locality.name_vi)
    return {
        "locality_id": locality.locality_id, "era": "legacy", "gso_code": locality.gso_code,
        "name_vi": locality.name_vi, "name_ascii": ascii_name, "name_en": ascii_name,
        "admin_level": locality.admin_level, "parent_id": locality.parent_id,
    }


# --- one locality's monthly reports ------------------------------------------------------------

@dataclass
class Report:
    source: dict[str, str]
    figures: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Erratum:
    source_id: str
    kind: str
    breaks: list[tuple[str, str]]
    evidence: str
    action: str
    corrections: list[dict[str, object]] = field(default_factory=list)
    withhold: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class State:
    """A locality's cumulative stocks, grown month by month so every series rises."""

    collected_rate: float
    issued_rate: float
    verified_rate: float
    activated_rate: float
    insured: int
    tasks: int
    services: int
    guidance: int
    etax: int
    meritorious: int
    records: int
    cleaned_records: int
    previous_activated: dict[str, str] | None = None  # last month's activated figure


class ReportWriter:
    """Builds the figures of one source, numbering figure ids and locators."""

    def __init__(self, source_id: str, locality: Locality, language: str, as_of: date,
                 period: tuple[date, date], rng: random.Random):
        self.source_id, self.locality, self.language = source_id, locality, language
        self.as_of, self.period, self.rng = as_of, period, rng
        self.figures: list[dict[str, str]] = []
        self.labels: dict[str, dict[str, str]] = {}

    def number(self, value: int | Decimal, decimals: int = 0) -> str:
        text = printed_number(value, self.language, decimals)
        return f"**{text}**" if self.rng.random() < 0.1 else text

    def percent(self, value: Decimal, decimals: int) -> str:
        text = printed_number(value, self.language, decimals) + "%"
        if self.language == "vi" and decimals and self.rng.random() < 0.03:
            text = text.replace(",", ", ")  # "35, 86%": a stray space the sources print
        return text

    def add(self, slug: str, indicator_id: str, *, flow: bool = False, breakdown: str = "",
            numerator: str = "", denominator: str = "", value: str = "", percent: str = "",
            qualifier: str = "", relation: str = "", related: str = "") -> dict[str, str]:
        label = self.labels[indicator_id]["label_vi" if self.language == "vi" else "label_en"]
        row = {
            "figure_id": f"{self.source_id}.{slug}", "indicator_id": indicator_id,
            "locality_id": self.locality.locality_id, "breakdown": breakdown,
            "as_of": self.as_of.isoformat(), "as_of_basis": "printed",
            "period_start": self.period[0].isoformat() if flow else "",
            "period_end": self.period[1].isoformat() if flow else "",
            "numerator": numerator, "denominator": denominator, "value": value,
            "percent": percent, "qualifier": qualifier,
            "phrase": " ".join(label.replace(",", "").split()[:8]),
            "locator": f"§{len(self.figures) // 6 + 1}, line {10 + 3 * len(self.figures)}",
            "relation": relation, "related_figure": related, "note": "",
        }
        self.figures.append(row)
        return row


def month_end(month_start: date) -> date:
    following = (month_start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def official_report(locality: Locality, month: int, state: State, rng: random.Random,
                    labels: dict[str, dict[str, str]], errata: list[Erratum]) -> Report:
    start = date(FIRST_MONTH.year + month // 12, month % 12 + 1, 1)
    end = month_end(start)
    published = end + timedelta(days=rng.randint(1, 6))
    source_id = f"{locality.locality_id}-{start:%Y-%m}"
    lang = locality.language
    w = ReportWriter(source_id, locality, lang, end, (start, end), rng)
    w.labels = labels
    truncate = locality.truncates
    error = rng.choice(("swapped", "percent", "parts", "subset", "change")) \
        if rng.random() < ERROR_SHARE else ""

    # Cumulative stocks: every rate rises each month, so cumulative series never fall.
    for name, step in (("collected_rate", 0.006), ("issued_rate", 0.006),
                       ("verified_rate", 0.008), ("activated_rate", 0.006)):
        setattr(state, name, getattr(state, name) + step * (0.8 + 0.4 * rng.random()))
    due = locality.population
    collected = int(due * min(state.collected_rate, 0.999))
    issued = min(int(due * min(state.issued_rate, 0.998)), collected)
    vneid_collected = int(issued * (state.verified_rate + 0.05))
    verified = int(issued * state.verified_rate)
    activated = int(verified * state.activated_rate)

    w.add("cccd-collected", "cccd_applications_collected", value=w.number(collected))
    w.add("cccd-issued", "cccd_issued", numerator=w.number(issued), denominator=w.number(due),
          percent=w.percent(percent_of(issued, due, 2, truncate), 2))
    w.add("vneid-collected", "vneid_collected", value=w.number(vneid_collected))
    w.add("vneid-verified", "vneid_verified", numerator=w.number(verified),
          denominator=w.number(issued), percent=w.percent(percent_of(verified, issued, 2,
                                                                       truncate), 2))
    activated_pct = percent_of(activated, verified, 2, truncate)
    activated_row = w.add("vneid-activated", "vneid_activated", numerator=w.number(activated),
                          denominator=w.number(verified), percent=w.percent(activated_pct, 2))
    previous = state.previous_activated
    state.previous_activated = {"figure_id": activated_row["figure_id"],
                                "pct": str(activated_pct)}
    if previous is not None:
        change = activated_pct - Decimal(previous["pct"])
        if change >= 0:
            printed_change = change
            if error == "change":
                printed_change = change + Decimal(rng.randint(5, 40)) / 100
            row = w.add("vneid-activated-change", "vneid_activated_share_change",
                        value=w.number(printed_change, 2), relation="change",
                        related=f"{activated_row['figure_id']};{previous['figure_id']}")
            if error == "change":
                errata.append(Erratum(
                    source_id, "change", [("change_equals_difference", row["figure_id"])],
                    f"printed change {printed_change} points, but {activated_pct} − "
                    f"{previous['pct']} = {change}", "flag",
                    withhold=[(row["figure_id"], "value")]))
    elif error == "change":
        error = ""

    received = rng.randint(800, 40_000)
    online = int(received * (0.3 + 0.6 * rng.random()))
    online_pct = percent_of(online, received, 2, truncate)
    printed_online_pct = online_pct
    if error == "percent":
        shift = Decimal(rng.randint(50, 300)) / 100
        printed_online_pct = online_pct + shift if online_pct + shift <= 100 else online_pct - shift
    w.add("dossiers-received", "dossiers_received", flow=True, value=w.number(received))
    row = w.add("dossiers-online", "dossiers_online_share", flow=True,
                numerator=w.number(online), denominator=w.number(received),
                percent=w.percent(printed_online_pct, 2))
    if error == "percent":
        errata.append(Erratum(
            source_id, "percent", [("percent_matches_ratio", row["figure_id"])],
            f"{online}/{received} = {online_pct} %, printed {printed_online_pct} %", "flag",
            withhold=[(row["figure_id"], "percent")]))

    # Health-insurance visits of the month: a total with its district and commune parts.
    parts = []
    for part in ("district level", "commune level"):
        visits = rng.randint(2_000, 30_000)
        parts.append((part, int(visits * (0.4 + 0.55 * rng.random())), visits))
    used_total = sum(p[1] for p in parts)
    visits_total = sum(p[2] for p in parts)
    printed_used = used_total
    if error == "parts":
        printed_used = used_total + rng.choice((-1, 1)) * rng.randint(1, 99)
    total = w.add("health-visits", "health_visits_cccd", flow=True,
                  numerator=w.number(printed_used), denominator=w.number(visits_total),
                  percent=w.percent(percent_of(printed_used, visits_total, 2, truncate), 2))
    for index, (part, used, visits) in enumerate(parts, start=1):
        w.add(f"health-visits-part{index}", "health_visits_cccd", flow=True, breakdown=part,
              numerator=w.number(used), denominator=w.number(visits), relation="part_of",
              related=total["figure_id"])
    if error == "parts":
        errata.append(Erratum(
            source_id, "parts", [("parts_sum_to_total", total["figure_id"])],
            f"parts add to {used_total}, total printed {printed_used}", "flag",
            withhold=[(total["figure_id"], "numerator")]))

    # Insurance participants matched with the population database, and the remainder.
    state.insured += rng.randint(50, 800)
    matched = int(state.insured * min(0.90 + 0.004 * month, 0.995))
    matched = min(matched, state.insured - 1)
    swap = error == "swapped"
    matched_row = w.add(
        "insurance-matched", "social_insurance_matched",
        numerator=w.number(state.insured if swap else matched),
        denominator=w.number(matched if swap else state.insured),
        percent=w.percent(percent_of(matched, state.insured, 1, truncate), 1))
    unmatched_row = w.add("insurance-unmatched", "social_insurance_unmatched",
                          value=w.number(state.insured - matched), relation="remainder_of",
                          related=matched_row["figure_id"])
    if swap:
        errata.append(Erratum(
            source_id, "swapped",
            [("numerator_le_denominator", matched_row["figure_id"]),
             ("percent_matches_ratio", matched_row["figure_id"]),
             ("remainder_equals_total_minus_done", unmatched_row["figure_id"])],
            f"printed {state.insured}/{matched}: swapped, {matched}/{state.insured} gives the "
            "printed percent and the printed remainder", "correct",
            corrections=[{"figure": matched_row["figure_id"], "numerator": matched,
                          "denominator": state.insured}]))

    state.meritorious += rng.randint(0, 40)
    met = int(state.meritorious * 0.9)
    printed_met = state.meritorious + rng.randint(1, 50) if error == "subset" else met
    whole = w.add("meritorious-entered", "meritorious_records_entered",
                  value=w.number(state.meritorious))
    subset = w.add("meritorious-met", "meritorious_records_target_met",
                   value=w.number(printed_met), relation="subset_of",
                   related=whole["figure_id"])
    if error == "subset":
        errata.append(Erratum(
            source_id, "subset", [("subset_not_larger_than_whole", subset["figure_id"])],
            f"{printed_met} records meet the target, but only {state.meritorious} were entered",
            "flag", withhold=[(subset["figure_id"], "value")]))

    for index, breakdown in enumerate(("district police", "working group"), start=1):
        count = rng.randint(0, 12)
        w.add(f"documents-{index}", "documents_issued", flow=True, breakdown=breakdown,
              value=f"{count:02d}" if lang == "vi" and rng.random() < 0.3 else str(count))
    state.tasks += rng.randint(0, 3)
    done = int(state.tasks * min(0.5 + 0.02 * month, 1.0))
    tasks = w.add("tasks-assigned", "tasks_assigned", value=w.number(state.tasks))
    w.add("tasks-completed", "tasks_completed", numerator=w.number(done),
          denominator=w.number(state.tasks), percent=w.percent(
              percent_of(done, state.tasks, 1, truncate), 1),
          relation="percent_of", related=tasks["figure_id"])
    state.services = min(25, state.services + (rng.random() < 0.3))
    w.add("essential-services", "essential_services_online", numerator=str(state.services),
          denominator="25", percent=w.percent(percent_of(state.services, 25, 0, truncate), 0))
    state.cleaned_records = min(state.records, state.cleaned_records + rng.randint(0, 3_000))
    w.add("records-cleaned", "population_records_cleaned",
          numerator=w.number(state.cleaned_records), denominator=w.number(state.records),
          percent=w.percent(percent_of(state.cleaned_records, state.records, 2, truncate), 2))
    w.add("digitised-on-receipt", "dossiers_digitised_on_receipt", flow=True,
          percent=w.percent(Decimal(rng.randint(6000, 9999)) / 100, 2))
    tenths = rng.randint(5, 90)
    w.add("cashless-amount", "social_payments_cashless_amount", flow=True,
          value=(printed_number(Decimal(tenths) / 10, lang, 1)
                 + (" tỷ đồng" if lang == "vi" else " billion VND")))
    state.guidance += rng.randint(0, 2)
    w.add("guidance-points", "guidance_points", value=w.number(state.guidance))
    state.etax += rng.randint(10, 500)
    w.add("etax-accounts", "etax_accounts", value=w.number(state.etax),
          qualifier=("hơn" if lang == "vi" else "over") if rng.random() < 0.2 else "")
    w.add("civil-registry", "civil_registry_records_digitised",
          numerator=w.number(min(state.records, 1000 + 900 * month)),
          denominator=w.number(state.records),
          percent=w.percent(percent_of(min(state.records, 1000 + 900 * month), state.records,
                                       2, truncate), 2))
    w.add("police-guides", "commune_police_guides", value=str(rng.randint(1, 4)))
    schools = rng.randint(20, 120)
    paying = schools - rng.randint(0, 5)
    w.add("schools-cashless", "schools_cashless_fees", numerator=str(paying),
          denominator=str(schools), percent=w.percent(percent_of(paying, schools, 0, truncate), 0))

    source = {
        "source_id": source_id, "locality_id": locality.locality_id,
        "title": f"{locality.name_vi}: monthly Đề án 06 report, {start:%m/%Y}",
        "publisher": f"Tổ Công tác Đề án 06 {locality.name_vi}", "author": "",
        "published_on": published.isoformat(), "published_precision": "day",
        "published_basis": "printed", "period_start": start.isoformat(),
        "period_end": end.isoformat(), "kind": "official_report", "language": lang,
        "reference": f"generated:{source_id}", "note": "synthetic (benchmark)",
    }
    return Report(source, w.figures)


def news_article(official: Report, locality: Locality, rng: random.Random,
                 labels: dict[str, dict[str, str]]) -> Report:
    """A news article echoing the headline stocks, dated to the day before (working day)."""
    end = date.fromisoformat(official.source["period_end"])
    published = date.fromisoformat(official.source["published_on"]) + timedelta(days=1)
    source_id = f"{locality.locality_id}-{published:%Y-%m-%d}"
    lang = "vi"
    w = ReportWriter(source_id, locality, lang, end - timedelta(days=1), (end, end), rng)
    w.labels = labels
    by_slug = {row["figure_id"].split(".", 1)[1]: row for row in official.figures}

    def count(row: dict[str, str], column: str) -> int:
        return int(row[column].replace("*", "").replace(".", "").replace(",", ""))

    for slug in ("cccd-collected", "vneid-collected"):
        row = by_slug[slug]
        w.add(slug, row["indicator_id"], value=w.number(count(row, "value")),
              qualifier="hơn" if rng.random() < 0.3 else "")
    for slug in ("cccd-issued", "vneid-activated"):
        row = by_slug[slug]
        numerator, denominator = count(row, "numerator"), count(row, "denominator")
        w.add(slug, row["indicator_id"], numerator=w.number(numerator),
              denominator=w.number(denominator),
              percent=w.percent(percent_of(numerator, denominator, 1, truncate=True), 1))
    source = {
        "source_id": source_id, "locality_id": locality.locality_id,
        "title": f"{locality.name_vi} reports Đề án 06 progress ({published:%d/%m/%Y})",
        "publisher": "Báo địa phương", "author": "", "published_on": published.isoformat(),
        "published_precision": "day", "published_basis": "printed", "period_start": "",
        "period_end": end.isoformat(), "kind": "news_article", "language": lang,
        "reference": f"generated:{source_id}", "note": "synthetic (benchmark)",
    }
    return Report(source, w.figures)


# --- the whole layer ---------------------------------------------------------------------------

def _write_csv(path: Path, table: str, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS[table], restval="",
                                extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _yaml_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _write_errata(folder: Path, errata: list[Erratum]) -> None:
    """One file per source with errata, errata/<source_id>.yml (the project's register)."""
    explanations = {
        "swapped": "The numerator and denominator were printed in the wrong order.",
        "percent": "The printed percent does not follow from the printed counts.",
        "parts": "The printed total differs from the sum of its printed parts.",
        "subset": "The subset printed is larger than the whole it is drawn from.",
        "change": "The printed change is not the difference of the printed levels.",
    }
    explanations_vi = {
        "swapped": "Tử số và mẫu số bị in ngược thứ tự.",
        "percent": "Tỷ lệ phần trăm được in không suy ra được từ các số đếm được in.",
        "parts": "Tổng được in khác tổng của các phần được in.",
        "subset": "Tập con được in lớn hơn tổng thể mà nó được lấy ra.",
        "change": "Mức thay đổi được in không bằng hiệu của hai mức được in.",
    }
    files: dict[str, list[str]] = {}
    for number, erratum in enumerate(errata, start=1):
        lines = files.setdefault(erratum.source_id, [
            "# Generated for benchmarks: one entry per injected source error.", "errata:"])
        lines += [f"  - id: E{number:06d}-generated-{erratum.kind}",
                  f"    source_id: {erratum.source_id}",
                  "    breaks:"]
        lines += [f"      - {{rule: {rule}, figure: {figure}}}" for rule, figure in erratum.breaks]
        lines += [f"    evidence: {_yaml_text(erratum.evidence)}",
                  f"    explanation: {_yaml_text(explanations[erratum.kind])}",
                  f"    explanation_vi: {_yaml_text(explanations_vi[erratum.kind])}",
                  f"    action: {erratum.action}"]
        if erratum.corrections:
            lines.append("    corrections:")
            for item in erratum.corrections:
                body = ", ".join(f"{key}: {value}" for key, value in item.items())
                lines.append(f"      - {{{body}}}")
        if erratum.withhold:
            lines.append("    withhold:")
            lines += [f"      - {{figure: {figure}, field: {name}}}"
                      for figure, name in erratum.withhold]
    folder.mkdir(exist_ok=True)
    for source_id, lines in files.items():
        (folder / f"{source_id}.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _catalog_labels(raw_dir: Path) -> dict[str, dict[str, str]]:
    with (raw_dir / "indicators.csv").open(encoding="utf-8", newline="") as handle:
        labels = {row["indicator_id"]: row for row in csv.DictReader(handle)}
    missing = [i for i in USED_INDICATORS if i not in labels]
    if missing:
        raise SystemExit(f"error: indicators.csv lacks {', '.join(missing)}; "
                         "update benchmarks/generate_raw.py")
    return labels


def generate(figures: int, out: Path, seed: int = 6, raw_dir: Path = paths.RAW) -> dict[str, int]:
    """Write a raw layer of about `figures` figures to `out`; return what was written."""
    labels = _catalog_labels(raw_dir)
    rng = random.Random(seed)
    per_locality = FIGURES_PER_REPORT * MONTHS * (1 + NEWS_SHARE * 4 / FIGURES_PER_REPORT)
    localities = make_localities(max(1, round(figures / per_locality)), rng)
    if out.exists():
        shutil.rmtree(out)
    (out / "figures").mkdir(parents=True)
    for name in CATALOG_FILES:
        shutil.copyfile(raw_dir / name, out / name)
    _write_csv(out / "localities.csv", "localities",
               [locality_row(loc, i) for i, loc in enumerate(localities)])
    sources: list[dict[str, str]] = []
    errata: list[Erratum] = []
    written = 0
    for locality in localities:
        local = random.Random(f"{seed}:{locality.locality_id}")
        records = local.randint(50_000, 900_000)
        state = State(collected_rate=0.80, issued_rate=0.78, verified_rate=0.45,
                      activated_rate=0.55, insured=int(locality.population * 0.8), tasks=20,
                      services=local.randint(10, 20), guidance=local.randint(1, 10),
                      etax=local.randint(100, 5_000), meritorious=local.randint(500, 5_000),
                      records=records, cleaned_records=records // 2)
        for month in range(MONTHS):
            report = official_report(locality, month, state, local, labels, errata)
            reports = [report]
            if local.random() < NEWS_SHARE:
                reports.append(news_article(report, locality, local, labels))
            for item in reports:
                sources.append(item.source)
                _write_csv(out / "figures" / f"{item.source['source_id']}.csv", "figures",
                           item.figures)
                written += len(item.figures)
    _write_csv(out / "sources.csv", "sources", sources)
    _write_errata(out / "errata", errata)
    # Every link is derived from the library's converter: lineage.csv holds none.
    _write_csv(out / "lineage.csv", "lineage", [])
    return {"localities": len(localities), "sources": len(sources), "figures": written,
            "errata": len(errata)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--figures", type=int, default=10_000, help="about how many figures")
    parser.add_argument("--out", type=Path, required=True, help="directory to (re)write")
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args(argv)
    counts = generate(args.figures, args.out, args.seed)
    print(", ".join(f"{value} {name}" for name, value in counts.items()) + f" in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
