"""Lookups in Việt Nam's administrative units of both eras, and the 2025 conversion.

What the rest of the project asks: a unit by its code, the units under a parent, the unit
a printed name means, the 2025 units that took in a former unit's communes and the former
communes a 2025 unit took in, and where the two libraries disagree. The libraries are read
into tables by analysis.ingest.admin_unit_libraries (which says what each library holds,
its licence, and the levels); their names and values are re-exported here, so callers
import this module only.

Codes are GSO codes as strings of their printed width: province `'01'`, district `'823'`,
commune `'28651'`. A code means different units in the two eras (`'28651'` was Thị trấn Vĩnh
Bình, and is Xã Vĩnh Bình from 2025), so every lookup names its era.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from analysis.ingest.admin_unit_libraries import (
    PRIMARY_LIBRARY,
    PROVINCE_LEVELS,
    TYPE_WORDS,
    VIETNAM_PROVINCES,
    VIETNAMADMINUNITS,
    AdminUnit,
    Era,
    Level,
    children_in,
    clean_name,
    cross_check_tables,
    library_versions,
    name_key,
    primary_tables,
    split_type_word,
    tables_of,
)

__all__ = [
    "PRIMARY_LIBRARY", "PROVINCE_LEVELS", "VIETNAMADMINUNITS", "VIETNAM_PROVINCES",
    "AdminUnit", "Ambiguous", "Disagreement", "Era", "Level", "Predecessor", "Successor",
    "children", "clean_name", "library_disagreements", "library_versions", "match_name",
    "name_key", "predecessors_legacy", "split_type_word", "successors_2025", "unit",
]


@dataclass(frozen=True)
class Ambiguous:
    """A printed name that fits several units of the same parent (e.g. "Cai Lậy")."""

    printed: str
    candidates: tuple[AdminUnit, ...]


@dataclass(frozen=True)
class Successor:
    """A 2025 unit that holds former communes of a legacy unit.

    `from_codes`: the legacy unit's communes that went into it, wholly or in part;
    `split_codes`: those of them divided between several 2025 units (only part came here);
    `outside_codes`: former communes from outside the legacy unit that it also holds.
    """

    unit: AdminUnit
    from_codes: tuple[str, ...]
    split_codes: tuple[str, ...]
    outside_codes: tuple[str, ...]


@dataclass(frozen=True)
class Predecessor:
    """A former commune that went into a 2025 unit; `split`: only part of it did."""

    unit: AdminUnit
    split: bool


@dataclass(frozen=True)
class Disagreement:
    """A 2025 unit the two libraries list differently.

    `field`: "code" (same unit by province and name, numbered differently), "name" (same
    code and province, another name), or "listed" (in one library only).
    """

    province_code: str
    name_vi: str  # vietnam-provinces' name (vietnamadminunits' where only it lists the unit)
    field: str
    vietnam_provinces: str
    vietnamadminunits: str


def _communes_2025(
    children: dict[tuple[str, str, str | None], list[AdminUnit]], library: str
) -> Iterable[AdminUnit]:
    """Every 2025 commune of `library`, from its children table."""
    for (lib, era, parent), units in children.items():
        if lib == library and era == "2025" and parent is not None:
            yield from units


def _check_era(era: str) -> None:
    if era not in PRIMARY_LIBRARY:
        raise ValueError(f"era must be 'legacy' or '2025', not {era!r}")


# --- the API -------------------------------------------------------------------------------


def unit(era: Era, code: str, library: str | None = None) -> AdminUnit | None:
    """The unit with this GSO code in this era (None if the library lists none).

    `library`: vietnamadminunits by default (both eras); `library=VIETNAM_PROVINCES` asks
    the development cross-check for era '2025'.
    """
    _check_era(era)
    library = library or PRIMARY_LIBRARY[era]
    return tables_of(library).units.get((library, era, str(code).strip()))


def children(era: Era, parent_code: str | None) -> list[AdminUnit]:
    """The units directly under `parent_code` (the provinces for None), in the era's reference."""
    _check_era(era)
    return list(children_in(PRIMARY_LIBRARY[era], era, parent_code))


def match_name(
    era: Era, parent_code: str | None, printed_name: str
) -> AdminUnit | Ambiguous | None:
    """The unit a printed name means among the children of `parent_code` (None: provinces).

    Matches after NFC, case folding and either tone placement, with or without the type
    word ("Xã", "Huyện", "Tỉnh", "Thành phố", "TP."). A printed type word must agree with
    the unit's. Several units fitting (a district and a town both called "Cai Lậy") give
    `Ambiguous`; none gives None.
    """
    _check_era(era)
    candidates = children_in(PRIMARY_LIBRARY[era], era, parent_code)
    full = [u for u in candidates if name_key(u.name_vi) == name_key(printed_name)]
    if not full:
        type_word, rest = split_type_word(printed_name)
        full = [
            u
            for u in candidates
            if name_key(u.short_name_vi) == name_key(rest)
            and (type_word is None or TYPE_WORDS.get(u.division_type.casefold()) == type_word)
        ]
    if len(full) > 1:
        return Ambiguous(printed_name, tuple(full))
    return full[0] if full else None


def successors_2025(legacy_code: str, level: Level | None = None) -> list[Successor]:
    """The 2025 units that hold the former communes of a legacy unit, by the converter.

    A commune gives its 2025 commune, or each of them if it was divided; a district the
    set of 2025 communes holding its former communes; a province (by default) the 2025
    province(s) holding them (`level='commune'`: their communes). A divided commune counts
    under every unit that took part of it, listed in `split_codes`. Unknown code: [].
    """
    tables = primary_tables()
    legacy = unit("legacy", legacy_code)
    if legacy is None:
        return []
    if level is None:
        level = "province" if legacy.level in PROVINCE_LEVELS else "commune"
    if level == "district":
        raise ValueError("the 2025 reorganisation abolished districts: ask for 'commune'")
    pieces = tables.pieces_of.get(legacy.code, [legacy.code])
    own = set(pieces)
    went: dict[str, list[tuple[str, bool]]] = defaultdict(list)  # 2025 code -> (piece, split)
    for piece in pieces:
        targets = _targets(piece, level)
        for target in targets:
            went[target].append((piece, len(targets) > 1))
    result = []
    for code, parts in sorted(went.items()):
        new_unit = tables.units[VIETNAMADMINUNITS, "2025", code]
        outside = sorted({p.unit.code for p in _predecessors_of(new_unit)} - own)
        result.append(
            Successor(
                unit=new_unit,
                from_codes=tuple(sorted({piece for piece, _ in parts})),
                split_codes=tuple(sorted({piece for piece, split in parts if split})),
                outside_codes=tuple(outside),
            )
        )
    return result


def _targets(piece: str, level: Level) -> tuple[str, ...]:
    """The 2025 communes (or, at a province level, provinces) a legacy piece went into."""
    tables = primary_tables()
    communes = tables.conversion.get(piece, ())
    if level not in PROVINCE_LEVELS:
        return communes
    provinces = (tables.units[VIETNAMADMINUNITS, "2025", c].province_code for c in communes)
    return tuple(dict.fromkeys(provinces))


def predecessors_legacy(code_2025: str) -> list[Predecessor]:
    """The former communes (or island districts) a 2025 unit took in, wholly or in part.

    For a 2025 province: every former commune it took in; `split` then means divided
    between provinces.
    """
    new_unit = unit("2025", code_2025)
    return [] if new_unit is None else _predecessors_of(new_unit)


def _predecessors_of(new_unit: AdminUnit) -> list[Predecessor]:
    return list(_predecessor_index().get(new_unit.code, ()))


@lru_cache(maxsize=1)
def _predecessor_index() -> dict[str, tuple[Predecessor, ...]]:
    """2025 code (commune or province) -> its predecessors among the legacy pieces."""
    tables = primary_tables()
    index: dict[str, list[Predecessor]] = defaultdict(list)
    for piece in sorted(tables.conversion):
        legacy = tables.units[VIETNAMADMINUNITS, "legacy", piece]
        for level in ("commune", "province"):
            targets = _targets(piece, level)
            for target in targets:
                index[target].append(Predecessor(legacy, split=len(targets) > 1))
    return {code: tuple(preds) for code, preds in index.items()}


def library_disagreements() -> list[Disagreement]:
    """The 2025 communes the two libraries list differently, by province and name first.

    Names are compared after NFC, spacing and tone placement are folded: "Xã Đàm Thuỷ"
    and "Xã Đàm Thủy" agree. Provinces agree in both (34, same codes and names).
    """
    ours = list(_communes_2025(cross_check_tables().children, VIETNAM_PROVINCES))
    theirs = list(_communes_2025(primary_tables().children, VIETNAMADMINUNITS))
    their_by_name = {(u.province_code, name_key(u.name_vi)): u for u in theirs}
    their_by_code = {u.code: u for u in theirs}
    found, paired = [], set()
    unpaired = []
    for a in ours:
        b = their_by_name.get((a.province_code, name_key(a.name_vi)))
        if b is None:
            unpaired.append(a)
            continue
        paired.add(b.code)
        if b.code != a.code:
            found.append(Disagreement(a.province_code, a.name_vi, "code", a.code, b.code))
    for a in unpaired:
        b = their_by_code.get(a.code)
        if b is not None and b.code not in paired and b.province_code == a.province_code:
            paired.add(b.code)
            found.append(Disagreement(a.province_code, a.name_vi, "name", a.name_vi, b.name_vi))
        else:
            found.append(Disagreement(a.province_code, a.name_vi, "listed", a.code, "—"))
    for b in theirs:
        if b.code not in paired:
            found.append(Disagreement(b.province_code, b.name_vi, "listed", "—", b.code))
    return sorted(found, key=lambda d: (d.province_code, d.field, d.name_vi))
