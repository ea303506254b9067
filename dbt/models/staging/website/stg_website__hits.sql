{{ incremental_by_batches('website', ['hit_id']) }}
with

validated as (
    {{ validated_rows('website', 'raw_website_hits') }}
),

renamed as (
    select
        region_id || '|' || watch_id::text as hit_id,
        watch_id::text as event_key,
        region_id,
        hit_at,
        url,
        referer,
        metrica_client_hash,
        goal_ids,
        traffic_source,
        batch_id,
        line_no
    from validated
),

final as (
    select
        hit_id,
        event_key,
        region_id,
        hit_at,
        url,
        referer,
        metrica_client_hash,
        goal_ids,
        traffic_source,
        batch_id,
        line_no
    from renamed
),

deduplicated as (
    -- a day pulled again in a later batch (late hits, re-delivery): the latest batch wins
    {{ latest_per_key('final', ['hit_id'], ['batch_id desc', 'line_no']) }}
)

select * from deduplicated
