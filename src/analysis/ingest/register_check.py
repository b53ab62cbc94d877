"""The locality register (localities.csv) checked against, and completed from, the library.

Every row names its era (`legacy`: before 1 July 2025; `2025`: from then; `both`: a unit
the reorganisation left as it was) and its GSO code. For a unit the library lists, the
row's name (Unicode NFC, exactly the library's spelling, with or without the type word),
level and parent must be the library's; what the row leaves blank (name, level, parent)
is taken from it, so a locality can be added by code and era alone. A unit the library
does not list (the country; a unit abolished before the library's tables) says why in
`not_in_library`, and is then not checked.

The 2025 successors of every legacy locality come from the library's converter
(admin_units.successors_2025): a commune's 2025 commune(s), a district's the 2025 communes
that hold its former communes, a province's the 2025 province(s). lineage.csv keeps only
links the converter cannot know, each with its `reason`.

The answer depends only on the two register files, the library's version and this code,
so it is cached under data/processed (paths.REGISTER_CACHE): a build with an unchanged
register never imports the library (its first load takes 2-3 s).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from analysis import paths
from analysis.ingest import admin_unit_libraries
from analysis.ingest import admin_units as au

if TYPE_CHECKING:
    from analysis.ingest.tables import Table

ERAS: dict[str, tuple[au.Era, ...]] = {
    "legacy": ("legacy",),
    "2025": ("2025",),
    "both": ("legacy", "2025"),
}
REORGANISED_ON = "2025-07-01"
CACHE_ENTRIES = 32  # answers kept in paths.REGISTER_CACHE (a few KB to 2 MB each)
# What a register name may add after the library's name, to tell two eras' units of one
# name apart ("Quảng Ngãi (từ 1/7/2025)", the merged province, beside the old one).
ERA_QUALIFIERS: dict[str, str] = {"legacy": " (trước 1/7/2025)", "2025": " (từ 1/7/2025)"}
LEGAL_BASIS = {
    "province": "Resolution 202/2025/QH15 of the National Assembly (12 June 2025)",
    "commune": "The National Assembly Standing Committee's 2025 resolutions on the communes of "
    "each province; codes from Statistics Office letter 1027/CTK-CSCL (25 June 2025)",
}
# English words for the division types, for names the register leaves to the library.
TYPE_EN = {
    "tỉnh": "province", "thành phố": "city", "huyện": "district", "quận": "urban district",
    "thị xã": "town", "xã": "commune", "phường": "ward", "thị trấn": "township",
    "đặc khu": "special zone",
}
# Columns of the resolved register (raw.locality_units) and of the derived lineage.
UNIT_COLUMNS = ("locality_id", "era", "name_vi", "name_ascii", "name_en", "admin_level",
                "parent_id", "library_name_vi", "division_type", "parent_gso_code",
                "province_gso_code", "library")
LINK_COLUMNS = ("predecessor_id", "predecessor_gso_code", "successor_id", "successor_vi",
                "successor_level", "successor_gso_code", "successor_province_gso_code",
                "effective_on", "change_en", "former_communes", "split_communes",
                "outside_communes", "derived_from", "legal_basis", "reason")


@dataclass
class Register:
    """What the check found: problems, the completed register, the derived lineage."""

    problems: list[str]
    units: dict[str, list[str]]  # UNIT_COLUMNS, one entry per register row
    links: dict[str, list[str]]  # LINK_COLUMNS, one entry per predecessor -> successor link


def _library() -> str:
    return " ".join(f"{name} {version}" for name, version in au.library_versions().items())


def ascii_name(text: str) -> str:
    """"Gò Công Tây" -> "Go Cong Tay": marks dropped, đ as d."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _default_name(unit: au.AdminUnit) -> str:
    """The register's convention: communes with their type word, other units without."""
    return unit.name_vi if unit.level == "commune" else unit.short_name_vi


def _english_name(unit: au.AdminUnit) -> str:
    return f"{ascii_name(unit.short_name_vi)} {TYPE_EN.get(unit.division_type.casefold(), '')}"\
        .strip()


def _describe(unit: au.AdminUnit) -> str:
    return f"{unit.era} unit {unit.code} {unit.name_vi!r} ({unit.level})"


def _name_problem(name: str, era: str, unit: au.AdminUnit) -> str | None:
    """Why a register name is not the library's (None when it is)."""
    allowed = {unit.name_vi, unit.short_name_vi}
    base = name.removesuffix(ERA_QUALIFIERS[era])
    if base in allowed:
        return None
    if au.name_key(base) in {au.name_key(n) for n in allowed}:
        how = "the same name spelled differently (tone mark placement, case or composition)"
    else:
        how = "another name"
    return (f"{name!r} is {how}; write the library's spelling {unit.short_name_vi!r} or "
            f"{unit.name_vi!r}")


def check_register(localities: Table, lineage: Table) -> Register:
    """The register checked and completed, from the cache when the inputs are unchanged."""
    key = _cache_key(localities, lineage)
    if key not in _MEMO:  # the raw layer's check and the build's load ask once each
        _MEMO[key] = _cached(key, localities, lineage)
    return _MEMO[key]


_MEMO: dict[str, Register] = {}


def _cache_key(localities: Table, lineage: Table) -> str:
    digest = hashlib.sha256()
    # The answers come from admin_units' lookups over admin_unit_libraries' tables.
    code = b"".join(Path(file).read_bytes()
                    for file in (__file__, au.__file__, admin_unit_libraries.__file__))
    for part in (code, _library().encode(), paths.shown(localities.path).encode(),
                 json.dumps([localities.columns, localities.lines, lineage.columns,
                             lineage.lines], ensure_ascii=False).encode()):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()[:32]


def _cached(key: str, localities: Table, lineage: Table) -> Register:
    path = paths.REGISTER_CACHE / f"{key}.json"
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        found = Register(stored["problems"], stored["units"], stored["links"])
    except (OSError, ValueError, KeyError):
        pass
    else:
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: kept by _prune
        return found
    register = _check(localities, lineage)
    try:  # a cache that cannot be written only costs the next build the library's load
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(register.__dict__, ensure_ascii=False), "utf-8")
        os.replace(temporary, path)
        _prune(path.parent)
    except OSError:
        pass
    return register


def _prune(folder: Path) -> None:
    """Keep the CACHE_ENTRIES answers used last (every edited register writes one)."""
    entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in entries[CACHE_ENTRIES:]:
        stale.unlink(missing_ok=True)


def _check(localities: Table, lineage: Table) -> Register:
    problems: list[str] = []
    library = _library()
    c = localities.columns
    ids = c["locality_id"]
    rows = range(len(ids))
    units: dict[int, dict[str, au.AdminUnit]] = {}  # row -> era -> the library's unit
    by_unit: dict[tuple[str, str], int] = {}  # (era, code) -> row

    for i in rows:
        era, code, reason = c["era"][i], c["gso_code"][i].strip(), c["not_in_library"][i]
        if era not in ERAS or reason.strip():
            continue  # an unknown era is reported by the raw layer's checks
        found: dict[str, au.AdminUnit] = {}
        for one_era in ERAS[era]:
            unit = au.unit(one_era, code)
            if unit is None:
                problems.append(
                    f"{localities.at(i, 'gso_code')}: {library} lists no {one_era} unit with "
                    f"code {code!r}; correct the code or era, or say in not_in_library why "
                    f"the library does not list it ({ids[i]})")
                break
            found[one_era] = unit
            other = by_unit.setdefault((one_era, code), i)
            if other != i:
                problems.append(
                    f"{localities.at(i, 'gso_code')}: {ids[i]!r} and {ids[other]!r} (line "
                    f"{localities.lines[other]}) are both {_describe(unit)}; keep one row per "
                    f"unit and era ({ids[i]})")
        else:
            units[i] = found
            problems.extend(_check_row(localities, i, found, library))
    problems.extend(_check_both(localities, units, library))

    parent_ids = _parents(localities, units, by_unit, library, problems)
    resolved = _resolved_units(localities, units, parent_ids)
    links = _links(localities, lineage, units, by_unit, library, problems)
    return Register(problems, resolved, links)


def _check_row(localities: Table, i: int, found: dict[str, au.AdminUnit],
               library: str) -> list[str]:
    """Name and level of one row against the library's unit in each of its eras.

    One problem per column: a `both` row with a wrong name is one line, not one per era.
    """
    c = localities.columns
    problems: dict[str, str] = {}
    name, level, locality_id = c["name_vi"][i], c["admin_level"][i], c["locality_id"][i]
    for era, unit in found.items():
        if name and (why := _name_problem(name, era, unit)) and "name_vi" not in problems:
            # The name may be right and the code wrong: look the name up where the unit is.
            named = au.match_name(era, unit.parent_code, name.removesuffix(ERA_QUALIFIERS[era]))
            if isinstance(named, au.AdminUnit) and named.code != unit.code:
                problems["name_vi"] = (
                    f"{localities.at(i, 'gso_code')}: {library} lists {era} code {unit.code!r} "
                    f"as {unit.name_vi!r}, and {name!r} as {_describe(named)}; correct the code "
                    f"or the name ({locality_id})")
            else:
                problems["name_vi"] = (
                    f"{localities.at(i, 'name_vi')}: {library} names {era} unit {unit.code} "
                    f"{unit.name_vi!r}: {why} ({locality_id})")
        if level and level != unit.level and "admin_level" not in problems:
            problems["admin_level"] = (
                f"{localities.at(i, 'admin_level')}: {level!r}, but {library} lists "
                f"{_describe(unit)} as {unit.level!r} ({locality_id})")
    return list(problems.values())


def _check_both(localities: Table, units: dict[int, dict[str, au.AdminUnit]],
                library: str) -> list[str]:
    """Era `both` claims the reorganisation left the unit as it was: the converter agrees."""
    problems = []
    for i, found in units.items():
        if set(found) != {"legacy", "2025"}:
            continue
        legacy, new = found["legacy"], found["2025"]
        successors = au.successors_2025(legacy.code)
        kept = (len(successors) == 1 and successors[0].unit == new
                and not successors[0].outside_codes and not successors[0].split_codes)
        if not kept:
            went = ", ".join(f"{s.unit.code} {s.unit.name_vi!r}" for s in successors) or "nothing"
            problems.append(
                f"{localities.at(i, 'era')}: 'both', but {library}'s converter does not keep "
                f"{_describe(legacy)} as {_describe(new)} (its former communes went to "
                f"{went}); register the two eras as two rows "
                f"({localities.columns['locality_id'][i]})")
    return problems


def _eras_of(localities: Table, i: int) -> tuple[str, ...]:
    return ERAS.get(localities.columns["era"][i], ())


def _parents(localities: Table, units: dict[int, dict[str, au.AdminUnit]],
             by_unit: dict[tuple[str, str], int], library: str,
             problems: list[str]) -> list[str]:
    """Each row's parent: the register's, checked, or the library's where it is blank.

    A parent may be the library's parent or, for a legacy commune, its province (the
    register need not hold the district). It must be a unit of the child's era.
    """
    c = localities.columns
    index_of = {locality_id: i for i, locality_id in enumerate(c["locality_id"])}
    parents = list(c["parent_id"])
    for i, found in units.items():
        typed = c["parent_id"][i]
        for era, unit in found.items():
            ancestors = [code for code in dict.fromkeys((unit.parent_code, unit.province_code))
                         if code and code != unit.code]
            registered = [by_unit[era, code] for code in ancestors if (era, code) in by_unit]
            if not typed:
                if registered:
                    parents[i] = c["locality_id"][registered[0]]
                continue
            p = index_of.get(typed)
            if p is None:
                continue  # an unknown parent id is reported by the raw layer's checks
            if p in registered:
                continue
            if c["not_in_library"][p].strip() and not ancestors:
                continue  # under the country, which no library lists
            says = " or ".join(
                f"{code} {au.unit(era, code).name_vi!r}" for code in ancestors
            ) or "no parent (a province is at the top)"
            parent_code = c["gso_code"][p]
            problems.append(
                f"{localities.at(i, 'parent_id')}: {typed!r} ({_eras_text(localities, p)} unit "
                f"{parent_code}) is not the parent of {_describe(unit)}: {library} puts it "
                f"under {says} ({c['locality_id'][i]})")
    return parents


def _eras_text(localities: Table, i: int) -> str:
    return "/".join(_eras_of(localities, i)) or "?"


def _resolved_units(localities: Table, units: dict[int, dict[str, au.AdminUnit]],
                    parents: list[str]) -> dict[str, list[str]]:
    """Every register row, with what it leaves blank taken from the library."""
    c = localities.columns
    out: dict[str, list[str]] = {column: [] for column in UNIT_COLUMNS}
    library = _library()
    for i, locality_id in enumerate(c["locality_id"]):
        found = units.get(i, {})
        # The 2025 unit describes a `both` row (its name and level today).
        unit = found.get("2025") or found.get("legacy")
        name = c["name_vi"][i] or (_default_name(unit) if unit else "")
        values = {
            "locality_id": locality_id,
            "era": c["era"][i],
            "name_vi": name,
            "name_ascii": c["name_ascii"][i] or ascii_name(name),
            "name_en": c["name_en"][i] or (_english_name(unit) if unit else ""),
            "admin_level": c["admin_level"][i] or (unit.level if unit else ""),
            "parent_id": parents[i],
            "library_name_vi": unit.name_vi if unit else "",
            "division_type": unit.division_type if unit else "",
            "parent_gso_code": (unit.parent_code or "") if unit else "",
            "province_gso_code": unit.province_code if unit else "",
            "library": library if unit else "",
        }
        for column in UNIT_COLUMNS:
            out[column].append(values[column])
    return out


def _links(localities: Table, lineage: Table, units: dict[int, dict[str, au.AdminUnit]],
           by_unit: dict[tuple[str, str], int], library: str,
           problems: list[str]) -> dict[str, list[str]]:
    """Predecessor -> successor links: the converter's for every legacy row, then the typed."""
    c = localities.columns
    out: dict[str, list[str]] = {column: [] for column in LINK_COLUMNS}
    derived: set[tuple[str, str]] = set()

    def add(**values: str) -> None:
        for column in LINK_COLUMNS:
            out[column].append(values.get(column, ""))

    for i, found in units.items():
        legacy = found.get("legacy")
        if legacy is None:
            continue
        for s in au.successors_2025(legacy.code):
            row = by_unit.get(("2025", s.unit.code))
            successor_id = c["locality_id"][row] if row is not None else ""
            derived.add((c["locality_id"][i], successor_id))
            level = "province" if legacy.level in au.PROVINCE_LEVELS else "commune"
            add(predecessor_id=c["locality_id"][i], predecessor_gso_code=legacy.code,
                successor_id=successor_id, successor_vi=s.unit.name_vi,
                successor_level=s.unit.level, successor_gso_code=s.unit.code,
                successor_province_gso_code=s.unit.province_code,
                effective_on=REORGANISED_ON, change_en=_change_en(legacy, s, found),
                former_communes=str(len(s.from_codes)), split_communes=str(len(s.split_codes)),
                outside_communes=str(len(s.outside_codes)),
                derived_from=f"{library} (converter_2025)", legal_basis=LEGAL_BASIS[level])

    t = lineage.columns
    index_of = {locality_id: i for i, locality_id in enumerate(c["locality_id"])}
    for j, (before, after) in enumerate(zip(t["predecessor_id"], t["successor_id"],
                                            strict=True)):
        if (before, after) in derived:
            problems.append(f"{lineage.at(j, 'successor_id')}: {library}'s converter already "
                            f"links {before!r} to {after!r}; lineage.csv keeps only links it "
                            f"cannot know, so remove the row ({before} -> {after})")
            continue
        p = index_of.get(after)
        if p is None or before not in index_of:
            continue  # unknown ids are reported by the raw layer's checks
        add(predecessor_id=before, predecessor_gso_code=c["gso_code"][index_of[before]],
            successor_id=after, successor_vi=c["name_vi"][p] or "",
            successor_level=c["admin_level"][p], successor_gso_code=c["gso_code"][p],
            effective_on=t["effective_on"][j], change_en=t["change_en"][j],
            derived_from=f"lineage.csv line {lineage.lines[j]}", legal_basis=t["legal_basis"][j],
            reason=t["reason"][j])
    return out


def _change_en(legacy: au.AdminUnit, s: au.Successor, found: dict[str, au.AdminUnit]) -> str:
    """What happened, in words, from the converter's numbers."""
    new = s.unit
    if "2025" in found:
        return f"Unchanged: same boundary and code {new.code}"
    if legacy.level in au.PROVINCE_LEVELS:
        others = sorted({au.unit("legacy", code).province_code for code in s.outside_codes})
        names = [au.unit("legacy", code).short_name_vi for code in others]
        merged = f"Merged with {', '.join(names)} into " if names else "Became "
        keeps = "keeps its code" if new.code == legacy.code else f"code {new.code}"
        return f"{merged}{new.short_name_vi} ({keeps})"
    if legacy.level == "district":
        text = (f"District abolished; {len(s.from_codes)} of its former communes went into "
                f"{new.name_vi} (code {new.code})")
        if s.split_codes:
            text += f", {len(s.split_codes)} of them only in part"
    elif s.split_codes:
        text = f"Divided; part of it went into {new.name_vi} (code {new.code})"
    else:
        text = f"Went into {new.name_vi} (code {new.code})"
    if s.outside_codes:
        text += f", which also takes in {len(s.outside_codes)} former commune(s) from outside"
    return text
