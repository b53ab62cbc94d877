-- Predecessor -> successor links of the 2025 reorganisation (data/raw/lineage.csv), typed.
-- One row per link: a merged province has one successor, an abolished district one row per
-- successor commune. Populations are not repeated here: they live in the locality register.

CREATE OR REPLACE VIEW staging.lineage AS
SELECT
    predecessor_id,
    successor_id,
    effective_on::DATE AS effective_on,
    nfc_normalize(change_en) AS change_en,
    nfc_normalize(legal_basis) AS legal_basis,
    reference,
    nullif(nfc_normalize(note), '') AS note
FROM raw.lineage;
