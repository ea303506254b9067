{#-
    The journey KPI observations summed per KPI × journey × stage × touchpoint × client × month
    (client null: the observations without a known client, summed together) — what the
    whole-period rows of fct_journey_kpis add up and count distinct clients over. A median KPI's
    observations stay one row each (`median_value`: its median needs every value).

    Incremental by (KPI, region, month) as the other journey KPI marts
    (macros/incremental_journey_months.sql): a build recomputes the months the journey KPI
    observation tables logged as changed. fct_journey_kpis summed every observation of the
    history per client in each build instead — 5.5 of its 6.6 s in a day's build at 10 M events.
-#}
{{ incremental_by_journey_months() }}
with

observations as (
    select
        observations.*,
        date_trunc('month', observations.local_date)::date as local_month
    from {{ journey_observations_of_changed_months() }}
    -- the partitions are months: an observation without a date (none the sources make: each
    -- carries its event's local date) is in no month, as in the month rows and fct_client_kpis
    where observations.local_date is not null
),

summed as (
    select
        kpi_id,
        region_id,
        journey_id,
        stage_id,
        touchpoint_id,
        client_id,
        local_month,
        max(aggregation) as aggregation,
        min(local_date) as first_date,
        count(*) as observations,
        count(*) filter (where is_success) as successes,
        sum(measure) as measure_sum,
        count(measure) as measure_count,
        null::numeric as median_value
    from observations
    where aggregation <> 'median'
    group by kpi_id, region_id, journey_id, stage_id, touchpoint_id, client_id, local_month
    union all
    select
        kpi_id,
        region_id,
        journey_id,
        stage_id,
        touchpoint_id,
        client_id,
        local_month,
        aggregation,
        local_date,
        1,
        case when is_success then 1 else 0 end,
        measure,
        case when measure is not null then 1 else 0 end,
        measure
    from observations
    where aggregation = 'median'
)

select
    kpi_id,
    region_id,
    journey_id,
    stage_id,
    touchpoint_id,
    client_id,
    'month' as period_grain,
    local_month as period_start,
    aggregation,
    first_date,
    observations::integer as observations,
    successes::integer as successes,
    measure_sum::numeric as measure_sum,
    measure_count::integer as measure_count,
    median_value::numeric as median_value
from summed
