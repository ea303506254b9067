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

deduplicated as (
    -- a day pulled again in a later batch: the latest batch wins
    select distinct on (visit_id) *
    from renamed
    order by visit_id asc, batch_id desc, line_no asc
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
        traffic_source
    from deduplicated
)

select * from final
