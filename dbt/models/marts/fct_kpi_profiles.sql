{#-
    When problems happen: each KPI by ISO weekday (1 = Monday) and by local hour, over the whole
    published period, per office and for the region (office_id null). Same formulas as
    fct_touchpoint_kpis.
-#}
{{ config(pre_hook="{{ aggregate_work_mem() }}") }}
with

observations as (
    select * from {{ ref('int_kpi_observations') }}
),

kpis as (
    select * from {{ ref('dim_kpis') }}
),

aggregated as (
    select
        kpi_id,
        region_id,
        office_id,
        touchpoint_id,
        case when grouping(local_weekday) = 0 then 'weekday' else 'hour' end as profile,
        coalesce(local_weekday, local_hour) as bucket,
        {{ kpi_aggregates() }}
    from observations
    group by grouping sets (
        (kpi_id, region_id, office_id, touchpoint_id, local_weekday),
        (kpi_id, region_id, office_id, touchpoint_id, local_hour),
        (kpi_id, region_id, touchpoint_id, local_weekday),
        (kpi_id, region_id, touchpoint_id, local_hour)
    )
),

valued as (
    select
        kpi_id,
        region_id,
        office_id,
        touchpoint_id,
        profile,
        bucket,
        {{ kpi_value_columns() }}
    from aggregated
),

final as (
    select
        {{ surrogate_key(['valued.kpi_id', 'valued.region_id', 'valued.office_id', 'valued.touchpoint_id', 'valued.profile', 'valued.bucket']) }}
            as kpi_row_id,
        valued.kpi_id,
        valued.region_id,
        valued.office_id,
        valued.touchpoint_id,
        valued.profile,
        valued.bucket::int as bucket,
        {{ kpi_published_columns() }}
    from valued
    inner join kpis on valued.kpi_id = kpis.kpi_id
)

select * from final
