{#- One row per event source with the names the pages give it, its ingest source and its channel (seed sources). -#}
with

sources as (
    select * from {{ ref('sources') }}
),

final as (
    select
        source_id,
        source_name_ru,
        ingest_source,
        ingest_source_name_ru,
        channel,
        channel_name_ru,
        has_touchpoint_events,
        has_identity_occurrences,
        sort_order
    from sources
)

select * from final
