"""The contract of the raw layer: each file's columns, which are required, the values a
column allows and which columns hold dates or printed quantities.

docs/raw-layer.md explains every column; the checks in this package read these lists, so a
column added here is read, checked and loaded without further code.
"""

from __future__ import annotations

# Each raw file's columns, in the order written (the header may order them freely).
COLUMNS: dict[str, list[str]] = {
    "units": ["unit_id", "label_vi", "label_en", "countable", "compares_across_places",
              "description"],
    # The catalog of indicator kinds: what each kind means for the rules and the marts.
    "indicator_kinds": ["kind", "ratio", "goal", "description"],
    "qualifiers": ["word", "language", "qualifier_kind", "meaning"],
    "localities": [
        "locality_id", "name_vi", "name_ascii", "name_en", "admin_level", "parent_id", "gso_code",
        "successor_2025", "successor_codes_2025", "population", "population_basis",
        "population_source", "population_status",
    ],
    "sources": [
        "source_id", "locality_id", "title", "publisher", "author", "published_on",
        "published_precision", "published_basis", "period_start", "period_end", "kind",
        "language", "reference", "note",
    ],
    "indicators": [
        "indicator_id", "topic", "domain", "label_vi", "label_en", "unit", "kind",
        "denominator_kind", "denominator_en", "denominator_vi", "pipeline", "stage",
        "expected_direction",
    ],
    "figures": [
        "figure_id", "indicator_id", "locality_id", "breakdown", "as_of", "as_of_basis",
        "period_start", "period_end", "numerator", "denominator", "value", "percent",
        "qualifier", "phrase", "locator", "relation", "related_figure", "note",
    ],
    # Predecessor -> successor links of the 2025 reorganisation (one row per link).
    "lineage": [
        "predecessor_id", "successor_id", "effective_on", "change_en", "legal_basis",
        "reference", "note",
    ],
}
REQUIRED: dict[str, set[str]] = {
    "units": {"unit_id", "label_en", "countable", "compares_across_places"},
    "indicator_kinds": {"kind", "ratio", "goal", "description"},
    "qualifiers": {"word", "language", "qualifier_kind"},
    "localities": {"locality_id", "name_vi", "name_ascii", "name_en", "admin_level", "gso_code"},
    "sources": {
        "source_id", "locality_id", "title", "publisher", "published_on",
        "published_precision", "published_basis", "kind", "language", "reference",
    },
    "indicators": {"indicator_id", "topic", "domain", "label_vi", "label_en", "unit", "kind"},
    "figures": {"figure_id", "indicator_id", "locality_id", "as_of", "as_of_basis", "phrase",
                "locator"},
    "lineage": {"predecessor_id", "successor_id", "effective_on", "change_en", "legal_basis",
                "reference"},
}
ALLOWED: dict[tuple[str, str], set[str]] = {
    ("units", "countable"): {"true", "false"},
    ("units", "compares_across_places"): {"true", "false"},
    ("indicator_kinds", "ratio"): {"true", "false"},
    ("indicator_kinds", "goal"): {"true", "false"},
    ("qualifiers", "language"): {"vi", "en"},
    ("qualifiers", "qualifier_kind"): {"approximate", "lower_bound", "upper_bound"},
    ("localities", "admin_level"): {"country", "centrally_run_city", "province", "district",
                                    "commune"},
    ("sources", "published_precision"): {"day", "month", "year"},
    ("sources", "published_basis"): {"printed", "inferred"},
    ("sources", "kind"): {"news_article", "official_report"},
    ("sources", "language"): {"vi", "en"},
    ("indicators", "denominator_kind"): {"", "stock", "target", "pipeline_stage"},
    ("indicators", "expected_direction"): {"", "up"},
    ("figures", "as_of_basis"): {"printed", "inferred"},
    ("figures", "relation"): {"", "part_of", "remainder_of", "percent_of", "subset_of", "change"},
}
# What a ratio indicator (indicator_kinds.csv: ratio) states about its base, in both
# languages, so that figures with one indicator, unit and base are comparable.
BASE_COLUMNS = ("denominator_kind", "denominator_en", "denominator_vi")
DATE_COLUMNS = {"published_on", "period_start", "period_end", "as_of", "effective_on"}
NUMBER_FIELDS = ("numerator", "denominator", "value", "percent")
MAX_PHRASE_WORDS = 10
