"""Việt Nam's administrative units in both eras, read from the libraries that ship them.

The only module that talks to the libraries; analysis.ingest.admin_units answers lookups
from the tables built here, and everything else asks it in plain values.

- **vietnamadminunits** (MIT), the runtime's only library: the units before 1 July 2025
  (63 provinces, 696 districts, 10,035 communes, GSO list), the units from then (34
  provinces, 3,321 communes and wards), and its table converting every former commune to
  the 2025 unit(s) that took it in. Both eras and `successors_2025` read it. Its 2025 codes
  are those of the Statistics Office's letter 1027/CTK-CSCL (25 June 2025).
- **vietnam-provinces** (GPL-3.0-or-later, as its pyproject.toml declares; a development
  dependency only, never imported by the build): the 2025 units again, as a cross-check.
  It numbers 123 communes differently (spot checks against letter 1027/CTK-CSCL side with
  vietnamadminunits: Phường Cửa Nam is 00082, not 00073). `unit('2025', code,
  library=VIETNAM_PROVINCES)` and `library_disagreements()` show where the two differ.

Both load from the data files they ship; nothing is fetched. vietnamadminunits'
`convert_address` is not used: for a commune that was divided it geocodes the street
online (ArcGIS) or, without a street, returns one "default" part only. Its conversion
tables, read here, list every part.

Levels: provinces are `province` or `centrally_run_city` (the "thành phố trực thuộc trung
ương"); every district-level unit is a `district` (huyện, quận, thị xã and provincial
cities, "thành phố thuộc tỉnh"); every commune-level unit is a `commune` (xã, phường, thị
trấn, and the 2025 special zones, đặc khu). `division_type` keeps the Vietnamese type word.

The tables are built once per process, on first use: importing this module costs
nothing; the first lookup imports vietnamadminunits and builds the tables (about 2 s on
the 2-core machine, most of it the library's own import of its address parser), every
later lookup is a dictionary access. The build avoids even that on an unchanged register:
analysis.ingest.register_check caches what it asked.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

Era = Literal["legacy", "2025"]
Level = Literal["province", "centrally_run_city", "district", "commune"]
PROVINCE_LEVELS: frozenset[str] = frozenset({"province", "centrally_run_city"})

VIETNAM_PROVINCES = "vietnam-provinces"
VIETNAMADMINUNITS = "vietnamadminunits"
PRIMARY_LIBRARY: dict[str, str] = {"legacy": VIETNAMADMINUNITS, "2025": VIETNAMADMINUNITS}


@dataclass(frozen=True)
class AdminUnit:
    """One administrative unit of one era, as one library lists it."""

    era: Era
    code: str
    name_vi: str  # full name, NFC: "Huyện Gò Công Tây"
    short_name_vi: str  # without the type word: "Gò Công Tây"
    division_type: str  # the type word: "Huyện", "Thị trấn", "Thành phố", "Đặc khu"
    level: Level
    # province of a district or a 2025 commune; district of a legacy commune; None: province
    parent_code: str | None
    province_code: str
    library: str


# --- names ------------------------------------------------------------------------------

# The five tone marks, as combining characters after NFD. Vietnamese writes one tone per
# syllable; where it sits ("Hòa" or "Hoà", "Thủy" or "Thuỷ") is spelling, not meaning.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "’": "'", "‘": "'", "`": "'"})

# Type words as printed in front of names, longest first; abbreviations common in reports.
TYPE_WORDS: dict[str, str] = {
    "thành phố": "thành phố",
    "thủ đô": "thành phố",  # vietnamadminunits' and some pages' "Thủ đô Hà Nội"
    "tp.": "thành phố",
    "tp": "thành phố",
    "tỉnh": "tỉnh",
    "huyện": "huyện",
    "quận": "quận",
    "thị xã": "thị xã",
    "tx.": "thị xã",
    "thị trấn": "thị trấn",
    "tt.": "thị trấn",
    "phường": "phường",
    "xã": "xã",
    "đặc khu": "đặc khu",
}


def _syllable_key(syllable: str) -> str:
    """The syllable without its tone mark, followed by the tone: placement-independent."""
    decomposed = unicodedata.normalize("NFD", syllable)
    tones = "".join(c for c in decomposed if c in _TONES)
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    return bare + tones


@lru_cache(maxsize=65536)  # the tables repeat each province and district name per commune
def clean_name(text: str) -> str:
    """NFC, one space between words, ASCII dashes and apostrophes; case kept."""
    text = unicodedata.normalize("NFC", text).translate(_DASHES)
    text = re.sub(r"\s*-\s*", " - ", text)
    return " ".join(text.split())


@lru_cache(maxsize=65536)
def name_key(text: str) -> str:
    """What two spellings of one name share: case, NFC/NFD and tone placement folded."""
    return " ".join(_syllable_key(s) for s in clean_name(text).casefold().split())


_TYPE_WORDS_LONGEST_FIRST = sorted(TYPE_WORDS, key=len, reverse=True)


def split_type_word(text: str) -> tuple[str | None, str]:
    """("huyện", "Gò Công Tây") from "Huyện Gò Công Tây"; (None, text) without a type word."""
    cleaned = clean_name(text)
    folded = cleaned.casefold()
    for word in _TYPE_WORDS_LONGEST_FIRST:
        after = folded[len(word) : len(word) + 1]
        if folded.startswith(word) and (word.endswith(".") or after == " "):
            rest = cleaned[len(word) :].strip()
            if rest:
                return TYPE_WORDS[word], rest
    return None, cleaned


# --- the tables ---------------------------------------------------------------------------


@dataclass
class Tables:
    """One library's units, indexed, and (vietnamadminunits only) its conversion."""

    units: dict[tuple[str, str, str], AdminUnit]  # (library, era, code)
    children: dict[tuple[str, str, str | None], list[AdminUnit]]  # (library, era, parent)
    # legacy piece (a commune, or a district without communes) -> its 2025 commune(s)
    conversion: dict[str, tuple[str, ...]]
    pieces_of: dict[str, list[str]]  # legacy district or province -> its pieces
    versions: dict[str, str]


def _province_level(type_word: str) -> Level:
    return "centrally_run_city" if type_word.casefold().startswith("thành phố") else "province"


def _names(full: str, type_word: str) -> tuple[str, str]:
    """(full name, short name), the type word spelled as the division type.

    The short name is the full name without its type word. vietnamadminunits' own short
    names are not used: they add "(Thị trấn)" where a town and a commune share a name,
    and some keep the type word ("Quận 6").
    """
    full = clean_name(full)
    if type_word and full.casefold().startswith(type_word.casefold() + " "):
        short = full[len(type_word) :].strip()
        return f"{type_word} {short}", short
    if type_word:  # vietnam-provinces names provinces without "Tỉnh"
        return f"{type_word} {full}", full
    return full, full


def _province_type(full: str) -> str:
    folded = clean_name(full).casefold()
    return (
        "Thành phố"
        if folded.startswith("thành phố ")
        else "Tỉnh"
        if folded.startswith("tỉnh ")
        else ""
    )


def _legacy_units(rows: Iterable[dict]) -> Iterable[AdminUnit]:
    seen: set[str] = set()
    for r in rows:
        province_code, district_code = r["provinceCode"], r["districtCode"]
        if province_code not in seen:
            seen.add(province_code)
            type_word = _province_type(r["province"])
            name, short = _names(r["province"], type_word)
            level = _province_level(type_word)
            yield AdminUnit(
                "legacy",
                province_code,
                name,
                short,
                type_word,
                level,
                None,
                province_code,
                VIETNAMADMINUNITS,
            )
        if district_code not in seen:
            seen.add(district_code)
            name, short = _names(r["district"], r["districtType"])
            yield AdminUnit(
                "legacy",
                district_code,
                name,
                short,
                r["districtType"],
                "district",
                province_code,
                province_code,
                VIETNAMADMINUNITS,
            )
        if r["wardCode"]:
            name, short = _names(r["ward"], r["wardType"])
            yield AdminUnit(
                "legacy",
                r["wardCode"],
                name,
                short,
                r["wardType"],
                "commune",
                district_code,
                province_code,
                VIETNAMADMINUNITS,
            )


def _vietnam_provinces_units() -> Iterable[AdminUnit]:
    from vietnam_provinces import Province, VietNamDivisionType, Ward

    for p in Province.iter_all():
        code = f"{int(p.code):02d}"
        city = p.division_type is VietNamDivisionType.THANH_PHO_TRUNG_UONG
        type_word = "Thành phố" if city else "Tỉnh"
        name, short = _names(p.name, type_word)
        level: Level = "centrally_run_city" if city else "province"
        yield AdminUnit("2025", code, name, short, type_word, level, None, code, VIETNAM_PROVINCES)
    for w in Ward.iter_all():
        type_word = w.division_type.value.capitalize()
        name, short = _names(w.name, type_word)
        province_code = f"{int(w.province_code):02d}"
        yield AdminUnit(
            "2025",
            f"{int(w.code):05d}",
            name,
            short,
            type_word,
            "commune",
            province_code,
            province_code,
            VIETNAM_PROVINCES,
        )


def _vietnamadminunits_2025(rows: Iterable[dict]) -> Iterable[AdminUnit]:
    seen: set[str] = set()
    for r in rows:
        province_code = r["provinceCode"]
        if province_code not in seen:
            seen.add(province_code)
            type_word = _province_type(r["province"])
            name, short = _names(r["province"], type_word)
            yield AdminUnit(
                "2025",
                province_code,
                name,
                short,
                type_word,
                _province_level(type_word),
                None,
                province_code,
                VIETNAMADMINUNITS,
            )
        name, short = _names(r["ward"], r["wardType"])
        yield AdminUnit(
            "2025",
            r["wardCode"],
            name,
            short,
            r["wardType"],
            "commune",
            province_code,
            province_code,
            VIETNAMADMINUNITS,
        )


@lru_cache(maxsize=1)
def primary_tables() -> Tables:
    """vietnamadminunits' tables, both eras, and its conversion (the runtime's only library)."""
    import importlib.metadata

    from vietnamadminunits.converter import converter_2025
    from vietnamadminunits.database import query

    legacy_rows = query(
        "SELECT province, provinceCode, provinceKey, district, districtType, districtCode,"
        " districtKey, ward, wardType, wardCode, wardKey FROM admin_units_legacy"
    )
    new_rows = query(
        "SELECT province, provinceCode, provinceKey, ward, wardType, wardCode, wardKey"
        " FROM admin_units"
    )
    units: dict[tuple[str, str, str], AdminUnit] = {}
    children: dict[tuple[str, str, str | None], list[AdminUnit]] = defaultdict(list)
    for u in (*_legacy_units(legacy_rows), *_vietnamadminunits_2025(new_rows)):
        units[u.library, u.era, u.code] = u
        children[u.library, u.era, u.parent_code].append(u)

    # The converter names units by keys ("tinhtiengiang_huyengocongtay_xavinhhuu"); a former
    # district without communes (the island districts) is a piece of its own.
    piece_of_key: dict[str, str] = {}
    pieces_of: dict[str, list[str]] = defaultdict(list)
    for r in legacy_rows:
        piece = r["wardCode"] or r["districtCode"]
        piece_of_key[f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey'] or ''}"] = piece
        pieces_of[r["districtCode"]].append(piece)
        pieces_of[r["provinceCode"]].append(piece)
    new_code_of_key = {(r["provinceKey"], r["wardKey"]): r["wardCode"] for r in new_rows}

    conversion: dict[str, list[str]] = defaultdict(list)
    for province_key, wards in converter_2025.DICT_PROVINCE_WARD_NO_DIVIDED.items():
        for ward_key, old_keys in wards.items():
            for old_key in old_keys:
                conversion[piece_of_key[old_key]].append(new_code_of_key[province_key, ward_key])
    for province_key, divided in converter_2025.DICT_PROVINCE_WARD_DIVIDED.items():
        for old_key, parts in divided.items():
            for part in parts:
                new_code = new_code_of_key[province_key, part["newWardKey"]]
                conversion[piece_of_key[old_key]].append(new_code)

    versions = {VIETNAMADMINUNITS: importlib.metadata.version("vietnamadminunits")}
    return Tables(
        units,
        dict(children),
        {piece: tuple(dict.fromkeys(codes)) for piece, codes in conversion.items()},
        dict(pieces_of),
        versions,
    )


@lru_cache(maxsize=1)
def cross_check_tables() -> Tables:
    """vietnam-provinces' 2025 units, for the cross-check only (a development dependency)."""
    import importlib.metadata

    try:
        import vietnam_provinces
    except ImportError as missing:
        raise ImportError(
            "vietnam-provinces is a development dependency (the cross-check of the 2025 "
            "units); install the dev extra: pip install -e '.[dev]'"
        ) from missing
    units: dict[tuple[str, str, str], AdminUnit] = {}
    children: dict[tuple[str, str, str | None], list[AdminUnit]] = defaultdict(list)
    for u in _vietnam_provinces_units():
        units[u.library, u.era, u.code] = u
        children[u.library, u.era, u.parent_code].append(u)
    version = importlib.metadata.version("vietnam-provinces")
    versions = {VIETNAM_PROVINCES: f"{version} (data {vietnam_provinces.__data_version__})"}
    return Tables(units, dict(children), {}, {}, versions)


def tables_of(library: str) -> Tables:
    """The tables of `library`, built on first use."""
    return cross_check_tables() if library == VIETNAM_PROVINCES else primary_tables()


def children_in(library: str, era: str, parent: str | None) -> list[AdminUnit]:
    """The units `library` lists directly under `parent` in `era` (the provinces for None)."""
    return tables_of(library).children.get((library, era, parent), [])


def library_versions() -> dict[str, str]:
    """{library: version} of the runtime's library, for provenance and cache keys.

    Read from the installed package's metadata: no table is loaded.
    """
    import importlib.metadata

    return {VIETNAMADMINUNITS: importlib.metadata.version("vietnamadminunits")}
