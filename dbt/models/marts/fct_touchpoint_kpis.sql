{#-
    Client KPIs per touchpoint × office × day and month, plus the whole region (office_id null):
    a call that overflowed between queues counts in each queue's office but once in its region.
    Shares: numerator = observations meeting the threshold, denominator = all observations.
    Means: numerator = sum, denominator = count. Medians have no numerator/denominator.
    Status compares the value with the norm of the kpi_definitions seed. Incremental by (KPI,
    region, month) (macros/incremental_events.sql): a build recomputes the months that hold an
    observation of an event new batches touched.
-#}
{{ incremental_by_kpi_months(indexes=[{'columns': ['kpi_id', 'period_grain']}, {'columns': ['period_grain', 'period_start']}]) }}
with

observations as not materialized (
    select
        observations.*,
        date_trunc('month', observations.local_date)::date as local_month
    from {{ kpi_observations_of_changed_months() }}
),

kpis as (
    select * from {{ ref('dim_kpis') }}
),

region_observations as (
    -- the region counts an overflowed call once, with its whole wait (int_kpi_observations)
    select
        kpi_id,
        region_id,
        touchpoint_id,
        local_date,
        local_month,
        aggregation,
        -- a row without region figures (none in the data: unit-test fixtures) counts as its office's
        coalesce(region_is_success, is_success) as is_success,
        coalesce(region_measure, measure) as measure
    from observations
    where coalesce(counts_in_region, true)
),

aggregated as (
    select
        kpi_id,
        region_id,
        office_id,
        touchpoint_id,
        case when grouping(local_date) = 0 then 'day' else 'month' end as period_grain,
        coalesce(local_date, local_month) as period_start,
        {{ kpi_aggregates() }}
    from observations
    group by grouping sets (
        (kpi_id, region_id, office_id, touchpoint_id, local_date),
        (kpi_id, region_id, office_id, touchpoint_id, local_month)
    )
    union all
    select
        kpi_id,
        region_id,
        null::text as office_id,
        touchpoint_id,
        case when grouping(local_date) = 0 then 'day' else 'month' end as period_grain,
        coalesce(local_date, local_month) as period_start,
        {{ kpi_aggregates() }}
    from region_observations
    group by grouping sets (
        (kpi_id, region_id, touchpoint_id, local_date),
        (kpi_id, region_id, touchpoint_id, local_month)
    )
),

valued as (
    select
        kpi_id,
        region_id,
        office_id,
        touchpoint_id,
        period_grain,
        period_start,
        {{ kpi_value_columns() }}
    from aggregated
),

final as (
    select
        {{ surrogate_key(['valued.kpi_id', 'valued.region_id', 'valued.office_id', 'valued.touchpoint_id', 'valued.period_grain', 'valued.period_start']) }}
            as kpi_row_id,
        valued.kpi_id,
        valued.region_id,
        valued.office_id,
        valued.touchpoint_id,
        valued.period_grain,
        valued.period_start,
        {{ kpi_published_columns() }}
    from valued
    inner join kpis on valued.kpi_id = kpis.kpi_id
)

select * from final
