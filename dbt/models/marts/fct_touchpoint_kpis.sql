{#-
    Client KPIs per touchpoint × office × day and month, plus the whole region (office_id null):
    a call that overflowed between queues counts in each queue's office but once in its region.
    Shares: numerator = observations meeting the threshold, denominator = all observations.
    Means: numerator = sum, denominator = count. Medians have no numerator/denominator.
    Status compares the value with the norm of the kpi_definitions seed. Incremental by (KPI,
    region, month) (macros/incremental_events.sql): a build recomputes the months that hold an
    observation of an event new batches touched.
-#}
{#- hashed, not sorted: PostgreSQL estimates the office-days at ten times their number and would sort every observation -#}
{{ incremental_by_kpi_months(
    indexes=[{'columns': ['kpi_id', 'period_grain']}, {'columns': ['period_grain', 'period_start']}],
    pre_hook=['{{ without_sorts() }}'],
) }}
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

region_observations as not materialized (
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

-- shares and means add up: their observations are summed per day (hashed: a few rows per office
-- and day), and the months from the days. Grouping sets over every observation sorted the history
-- twice instead (11.4 M observations at 10 M events: 87 s → 20 s).
office_days as (
    select
        kpi_id,
        region_id,
        office_id,
        touchpoint_id,
        local_date,
        local_month,
        max(aggregation) as aggregation,
        count(*) as observations,
        count(*) filter (where is_success) as successes,
        sum(measure) as measure_sum,
        count(measure) as measure_count
    from observations
    where aggregation <> 'median'
    group by kpi_id, region_id, office_id, touchpoint_id, local_date, local_month
),

region_days as (
    select
        kpi_id,
        region_id,
        touchpoint_id,
        local_date,
        local_month,
        max(aggregation) as aggregation,
        count(*) as observations,
        count(*) filter (where is_success) as successes,
        sum(measure) as measure_sum,
        count(measure) as measure_count
    from region_observations
    where aggregation <> 'median'
    group by kpi_id, region_id, touchpoint_id, local_date, local_month
),

days as (
    select * from office_days
    union all
    select kpi_id, region_id, null::text, touchpoint_id, local_date, local_month, aggregation, observations,
        successes, measure_sum, measure_count
    from region_days
),

-- a median needs every value of its period: each median observation once per grain (day, month)
-- and level (office, region), grouped by the period
median_observations as not materialized (
    select
        observations.kpi_id,
        observations.region_id,
        observations.office_id,
        observations.touchpoint_id,
        grains.period_grain,
        case grains.period_grain when 'day' then observations.local_date else observations.local_month end
            as period_start,
        observations.aggregation,
        observations.is_success,
        observations.measure
    from observations
    cross join (values ('day'), ('month')) as grains (period_grain)
    where observations.aggregation = 'median'
    union all
    select
        region_observations.kpi_id,
        region_observations.region_id,
        null::text,
        region_observations.touchpoint_id,
        grains.period_grain,
        case grains.period_grain when 'day' then region_observations.local_date else region_observations.local_month end,
        region_observations.aggregation,
        region_observations.is_success,
        region_observations.measure
    from region_observations
    cross join (values ('day'), ('month')) as grains (period_grain)
    where region_observations.aggregation = 'median'
),

aggregated as (
    select
        kpi_id,
        region_id,
        office_id,
        touchpoint_id,
        'day' as period_grain,
        local_date as period_start,
        aggregation,
        observations,
        successes,
        measure_sum,
        measure_count,
        null::double precision as measure_median
    from days
    union all
    select
        kpi_id,
        region_id,
        office_id,
        touchpoint_id,
        'month' as period_grain,
        local_month as period_start,
        max(aggregation) as aggregation,
        sum(observations)::bigint as observations,
        sum(successes)::bigint as successes,
        sum(measure_sum) as measure_sum,
        sum(measure_count)::bigint as measure_count,
        null::double precision as measure_median
    from days
    group by kpi_id, region_id, office_id, touchpoint_id, local_month
    union all
    select
        kpi_id,
        region_id,
        office_id,
        touchpoint_id,
        period_grain,
        period_start,
        {{ kpi_aggregates() }}
    from median_observations
    group by kpi_id, region_id, office_id, touchpoint_id, period_grain, period_start
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
