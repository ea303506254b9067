{{ incremental_by_batches('website', ['visit_id']) }}
with

validated as (
    {{ validated_rows('website', 'raw_website_visits') }}
),

renamed as (
    select
        region_id || '|' || visit_id::text as visit_id,
        visit_id::text as event_key,
        region_id,
        visit_started_at,
        metrica_client_hash,
        start_url,
        page_views,
        duration_seconds,
        goal_ids,
        traffic_source,
        batch_id,
        line_no
    from validated
),

final as (
    select
        visit_id,
        event_key,
        region_id,
        visit_started_at,
        metrica_client_hash,
        start_url,
        page_views,
        duration_seconds,
        goal_ids,
        traffic_source,
        batch_id,
        line_no
    from renamed
),

deduplicated as (
    -- a day pulled again in a later batch: the latest batch wins
    {{ latest_per_key('final', ['visit_id'], ['batch_id desc', 'line_no']) }}
)

select * from deduplicated
