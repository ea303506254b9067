{#- One row per source and region: when data last arrived and how much was quarantined. -#}
with

batches as (
    select * from {{ source('ingest', 'ingest_batches') }}
    where status in ('validated', 'failed_validation')
),

regions as (
    select * from {{ ref('regions') }}
),

final as (
    select
        batches.source,
        batches.region_id,
        max(batches.loaded_at) as last_loaded_at,
        (max(batches.interval_end) at time zone regions.timezone)::date - 1 as last_data_date,
        count(*) filter (where batches.status = 'validated')::int as batches,
        count(*) filter (where batches.status = 'failed_validation')::int as failed_batches,
        sum(batches.rows_loaded)::bigint as rows_loaded,
        sum(batches.rows_rejected)::bigint as rows_rejected,
        round(sum(batches.rows_rejected)::numeric / nullif(sum(batches.rows_read), 0), 4) as rejected_share
    from batches
    inner join regions on batches.region_id = regions.region_id
    group by batches.source, batches.region_id, regions.timezone
)

select * from final
