{#-
    The batches whose Great Expectations suites passed, read once at the start of a build: every
    staging model reads the raw rows of these batches and no other, so a batch validated while
    dbt runs waits for the next build in all models alike.
-#}
{{ config(post_hook=["{{ create_incremental_batches() }}"]) }}
select
    batch_id,
    source,
    region_id,
    interval_start,
    interval_end,
    validated_at
from {{ source('ingest', 'ingest_batches') }}
where status = 'validated'
