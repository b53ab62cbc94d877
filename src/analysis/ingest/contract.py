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
    "indicator_kinds": ["kind", "ratio", "goal", "lower_is_better", "own_scale", "description"],
    "qualifiers": ["word", "language", "qualifier_kind", "meaning"],
    # Checked against, and completed from, the admin-unit library (ingest.register_check).
    "localities": [
        "locality_id", "era", "gso_code", "name_vi", "name_ascii", "name_en", "admin_level",
        "parent_id", "not_in_library",
    ],
    "sources": [
        "source_id", "locality_id", "title", "publisher", "author", "published_on",
        "published_precision", "published_latest", "published_basis", "period_start",
        "period_end", "kind", "language", "reference", "note",
    ],
    "indicators": [
        "indicator_id", "topic", "domain", "label_vi", "label_en", "unit", "kind",
        "denominator_kind", "denominator_en", "denominator_vi", "pipeline", "stage",
        "expected_direction", "per_person_base", "counts_residents", "base_max_days_apart",
    ],
    "figures": [
        "figure_id", "indicator_id", "locality_id", "breakdown", "as_of", "as_of_basis",
        "period_start", "period_end", "numerator", "denominator", "value", "percent",
        "qualifier", "phrase", "locator", "relation", "related_figure", "note",
    ],
    # Figures dated before the programme or their source's period, printed as baselines.
    "baselines": ["figure_id", "reason"],
    # Words that name an indicator in a page's text (read by `draft`; checked here).
    "indicator_keywords": ["indicator_id", "language", "keyword"],
    # Only the links of the 2025 reorganisation the library's converter cannot know.
    "lineage": [
        "predecessor_id", "successor_id", "effective_on", "change_en", "legal_basis",
        "reference", "reason", "note",
    ],
}
# Registers that may be absent or hold no rows: a layer without pre-programme figures;
# lineage.csv holds only what the library's converter cannot know, often nothing.
MAY_BE_EMPTY = {"baselines", "lineage"}
REQUIRED: dict[str, set[str]] = {
    "units": {"unit_id", "label_en", "countable", "compares_across_places"},
    "indicator_kinds": {"kind", "ratio", "goal", "lower_is_better", "own_scale", "description"},
    "qualifiers": {"word", "language", "qualifier_kind"},
    "localities": {"locality_id", "era", "gso_code"},
    "sources": {
        "source_id", "locality_id", "title", "publisher", "published_on",
        "published_precision", "published_basis", "kind", "language", "reference",
    },
    "indicators": {"indicator_id", "topic", "domain", "label_vi", "label_en", "unit", "kind"},
    "figures": {"figure_id", "indicator_id", "locality_id", "as_of", "as_of_basis", "phrase",
                "locator"},
    "lineage": {"predecessor_id", "successor_id", "effective_on", "change_en", "legal_basis",
                "reference", "reason"},
    "baselines": {"figure_id", "reason"},
    "indicator_keywords": {"indicator_id", "language", "keyword"},
}
ALLOWED: dict[tuple[str, str], set[str]] = {
    ("units", "countable"): {"true", "false"},
    ("units", "compares_across_places"): {"true", "false"},
    ("indicator_kinds", "ratio"): {"true", "false"},
    ("indicator_kinds", "goal"): {"true", "false"},
    ("indicator_kinds", "lower_is_better"): {"true", "false"},
    ("indicator_kinds", "own_scale"): {"true", "false"},
    ("qualifiers", "language"): {"vi", "en"},
    ("indicator_keywords", "language"): {"vi", "en"},
    ("qualifiers", "qualifier_kind"): {"approximate", "lower_bound", "upper_bound"},
    ("localities", "admin_level"): {"", "country", "centrally_run_city", "province", "district",
                                    "commune"},
    ("localities", "era"): {"legacy", "2025", "both"},
    # range: known only to lie between published_on and a stated last day, published_latest.
    ("sources", "published_precision"): {"day", "month", "range", "year"},
    ("sources", "published_basis"): {"printed", "inferred"},
    ("sources", "kind"): {"news_article", "official_report"},
    ("sources", "language"): {"vi", "en"},
    ("indicators", "denominator_kind"): {"", "stock", "target", "pipeline_stage"},
    ("indicators", "expected_direction"): {"", "up"},
    # Stated exactly where per_person_base is (registers.check_per_person_columns).
    ("indicators", "counts_residents"): {"", "true", "false"},
    ("figures", "as_of_basis"): {"printed", "inferred"},
    ("figures", "relation"): {"", "part_of", "remainder_of", "percent_of", "subset_of", "change"},
}
# What a ratio indicator (indicator_kinds.csv: ratio) states about its base, in both
# languages, so that figures with one indicator, unit and base are comparable.
BASE_COLUMNS = ("denominator_kind", "denominator_en", "denominator_vi")
DATE_COLUMNS = {"published_on", "published_latest", "period_start", "period_end", "as_of",
                "effective_on"}
NUMBER_FIELDS = ("numerator", "denominator", "value", "percent")
MAX_PHRASE_WORDS = 10

# Ids: lower-case ASCII, the documented pattern of each (docs/raw-layer.md). A slug joins
# words with '-' (source and locality ids, a figure id after its source id), a code name
# with '_' (indicators, units, kinds, topics).
SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
CODE_NAME = r"[a-z0-9]+(?:_[a-z0-9]+)*"
ID_PATTERNS: dict[tuple[str, str], str] = {
    ("units", "unit_id"): CODE_NAME,
    ("indicator_kinds", "kind"): CODE_NAME,
    ("localities", "locality_id"): SLUG,
    ("localities", "parent_id"): SLUG,
    ("sources", "source_id"): SLUG,
    ("sources", "locality_id"): SLUG,
    ("indicators", "indicator_id"): CODE_NAME,
    ("indicators", "topic"): CODE_NAME,
    ("indicators", "domain"): CODE_NAME,
    ("indicators", "unit"): CODE_NAME,
    ("indicators", "kind"): CODE_NAME,
    ("indicators", "pipeline"): CODE_NAME,
    ("figures", "figure_id"): rf"{SLUG}\.{SLUG}",  # <source_id>.<slug>
    ("figures", "indicator_id"): CODE_NAME,
    ("figures", "locality_id"): SLUG,
    ("lineage", "predecessor_id"): SLUG,
    ("lineage", "successor_id"): SLUG,
    ("baselines", "figure_id"): rf"{SLUG}\.{SLUG}",
    ("indicator_keywords", "indicator_id"): CODE_NAME,
}
ERRATUM_ID = r"E[0-9]+-[a-z0-9]+(?:-[a-z0-9]+)*"  # E<number>-<source>-<what is wrong>
# Columns holding numbers, not text: a leading '-' or '+' there is a sign ("+1.61 points").
NUMERIC_COLUMNS = ({("figures", name) for name in NUMBER_FIELDS}
                   | {("indicators", "stage"), ("indicators", "base_max_days_apart")})

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection), so free
# text may not start with them; numbers (NUMERIC_COLUMNS) may carry a sign.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters nobody can see or type on purpose: C0 and C1 controls (tab and line breaks
# included: every value is one line), zero-width and directional marks, soft hyphen, a BOM
# inside the text, line and paragraph separators. Each would make a second "Hà Nội".
INVISIBLE = (r"[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e"
             r"\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]")
# Longest value of any field: Python's csv module refuses longer ones as a broken quote,
# so the reader reads them and refuses them with their length.
MAX_FIELD_CHARS = 131_072

# No figure is dated before Đề án 06 was approved (Decision 06/QĐ-TTg, 6 January 2022), nor
# before its source's own period, unless it is listed in baselines.csv: a level printed
# for comparison (a 2019 population, a 2021 index score the programme starts from).
PROGRAMME_APPROVED = "2022-01-06"
