"""The printed quantities of the figures (numerator, denominator, value, percent), parsed
with each source's number format, and the rules on which column holds which quantity."""

from __future__ import annotations

import operator

from analysis.ingest.contract import NUMBER_FIELDS
from analysis.ingest.numbers import NumberFormatError, NumberValues, parse_number_values
from analysis.ingest.tables import Table, true_indices

# One parsed quantity: the figure, its column, the number and how it was printed.
NUMBER_KEYS = ("figure_id", "field", "number", "decimals", "scale", "direction")


def parse_quantities(figures: Table, languages: list[str], units: list[str],
                     problems: list[str]) -> dict[str, list]:
    """Parse every printed quantity; `languages` and `units` are per figure row.

    Returns one entry per parsed quantity (NUMBER_KEYS), field by field and in row order.

    Each distinct (text, language) is parsed once; rows are visited one by one only where
    a problem may stand.
    """
    numbers: dict[str, list] = {k: [] for k in NUMBER_KEYS}
    ids = figures.columns["figure_id"]
    columns = figures.columns
    present = {name: list(map(bool, map(str.strip, columns[name]))) for name in NUMBER_FIELDS}
    for name in NUMBER_FIELDS:
        texts = columns[name]
        filled = true_indices(present[name])  # an empty cell holds no quantity
        keys = list(zip(map(texts.__getitem__, filled), map(languages.__getitem__, filled),
                        strict=True))
        readings: dict[tuple[str, str], NumberValues] = {}
        errors: dict[tuple[str, str], NumberFormatError] = {}
        for key in dict.fromkeys(keys):
            try:
                readings[key] = parse_number_values(*key)  # type: ignore[arg-type]
            except NumberFormatError as error:
                errors[key] = error
        failed = [i for i, key in zip(filled, keys, strict=True) if key in errors] \
            if errors else []
        if failed:
            filled = [i for i, key in zip(filled, keys, strict=True) if key not in errors]
            keys = [key for key in keys if key not in errors]
        number, decimals, is_percent, scale, direction = (
            zip(*map(readings.__getitem__, keys), strict=True) if keys else ((),) * 5)
        # Rows that may break a rule; the rules themselves are applied below, row by row.
        suspects = set(failed)
        suspects.update(filled[j] for j in true_indices(
            map(operator.not_, is_percent) if name == "percent" else is_percent))
        if name != "value":
            suspects.update(filled[j] for j in true_indices(direction))
        for index in sorted(suspects):
            text = texts[index]
            key = (text, languages[index])
            if key in errors:
                problems.append(f"{figures.at(index, name)}: {errors[key]}")
                continue
            _, _, percent_sign, _, direction_word = readings[key]
            if percent_sign and name != "percent" and not (
                    name == "value" and units[index] == "percentage_points"):
                problems.append(f"{figures.at(index, name)}: {text!r} is a percentage; "
                                "put it in the 'percent' column")
            if name == "percent" and not percent_sign:
                problems.append(f"{figures.at(index, name)}: {text!r} has no '%' sign")
            if direction_word and name != "value":
                problems.append(f"{figures.at(index, name)}: direction words belong in 'value' "
                                f"({text})")
        numbers["figure_id"].extend(map(ids.__getitem__, filled))
        numbers["field"].extend([name] * len(filled))
        for entry, values in zip(NUMBER_KEYS[2:], (number, decimals, scale, direction),
                                 strict=True):
            numbers[entry].extend(values)
    numerators, denominators = columns["numerator"], columns["denominator"]
    values, percents = columns["value"], columns["percent"]
    # No quantity at all, or a numerator without a denominator or a percent.
    empty = true_indices(map(operator.not_, map(any, zip(*present.values(), strict=True))))
    lone = true_indices(map(operator.gt, present["numerator"],
                            map(operator.or_, present["denominator"], present["percent"])))
    for index in sorted({*empty, *lone}):
        if not (numerators[index].strip() or denominators[index].strip()
                or values[index].strip() or percents[index].strip()):
            problems.append(f"{figures.at(index, 'value')}: the figure has no quantity "
                            "(numerator, denominator, value or percent) ()")
        elif numerators[index].strip() and not denominators[index].strip() \
                and not percents[index].strip():
            problems.append(f"{figures.at(index, 'numerator')}: a numerator needs a denominator "
                            f"or a percent; a lone count goes in 'value' ({numerators[index]})")
    return numbers
