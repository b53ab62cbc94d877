-- The publisher and publication date of each source a page-03 chart draws from.
SELECT source_id, publisher, published_on::DATE AS published_on, published_precision
FROM sources
WHERE source_id IN (SELECT unnest(?))
ORDER BY published_on, source_id
