{#-
    Client KPIs at the levels the working group reads: journey × stage × touchpoint, journey ×
    stage, journey, and touchpoint (journey null), over the whole published period
    (`period_grain` = 'all') and per month. sample_size counts distinct clients (an observation
    without a known client counts as one).
-#}
{{ config(pre_hook="{{ aggregate_work_mem() }}") }}
with

observations as (
    select
        *,
        date_trunc('month', local_date)::date as local_month
    from {{ ref('int_journey_kpi_observations') }}
),

kpis as (
    select * from {{ ref('dim_kpis') }}
),

aggregated as (
    select
        kpi_id,
        region_id,
        journey_id,
        case when grouping(stage_id) = 0 then stage_id end as stage_id,
        case when grouping(touchpoint_id) = 0 then touchpoint_id end as touchpoint_id,
        case when grouping(local_month) = 0 then 'month' else 'all' end as period_grain,
        grouping(stage_id) = 0 and stage_id is null or grouping(touchpoint_id) = 0 and touchpoint_id is null
            as is_repeated_level,
        case when grouping(local_month) = 0 then local_month else min(local_date) end as period_start,
        count(distinct client_id) + count(*) filter (where client_id is null) as clients,
        {{ kpi_aggregates() }}
    from observations
    group by grouping sets (
        (kpi_id, region_id, journey_id, stage_id, touchpoint_id),
        (kpi_id, region_id, journey_id, stage_id),
        (kpi_id, region_id, journey_id),
        (kpi_id, region_id, touchpoint_id),
        (kpi_id, region_id, journey_id, stage_id, local_month),
        (kpi_id, region_id, journey_id, local_month)
    )
),

valued as (
    select
        kpi_id,
        region_id,
        journey_id,
        stage_id,
        touchpoint_id,
        period_grain,
        period_start,
        clients,
        {{ kpi_value_columns() }}
    from aggregated
    -- a set grouped by a stage or touchpoint the observations do not have repeats the coarser
    -- set; a touchpoint row outside any journey without a touchpoint is noise
    where not is_repeated_level and not (journey_id is null and touchpoint_id is null)
),

final as (
    select
        {{ surrogate_key(['valued.kpi_id', 'valued.region_id', 'valued.journey_id', 'valued.stage_id', 'valued.touchpoint_id', 'valued.period_grain', 'valued.period_start']) }}
            as kpi_row_id,
        valued.kpi_id,
        valued.region_id,
        valued.journey_id,
        valued.stage_id,
        valued.touchpoint_id,
        valued.period_grain,
        valued.period_start,
        {{ kpi_published_columns(clients=true) }}
    from valued
    inner join kpis on valued.kpi_id = kpis.kpi_id
)

select * from final
