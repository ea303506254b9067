{#-
    When problems happen: each KPI by ISO weekday (1 = Monday) and by local hour, over the last
    `cjw_profile_months` (12) months of the region's data (the whole period when shorter), per
    office and for the region (office_id null). Same formulas as fct_touchpoint_kpis. The window
    keeps a build's reading constant as history grows: each KPI's observations of the window
    are an index range of int_kpi_observations (kpi_id, region_id, local_date).
-#}
{#- hashed, not sorted (see `cells`) -#}
{{ config(pre_hook=["{{ aggregate_work_mem() }}", "{{ without_sorts() }}"]) }}
with

kpis as (
    select * from {{ ref('dim_kpis') }}
),

series as (
    -- each KPI and region, with its last observation (an index lookup)
    select
        kpis.kpi_id,
        regions.region_id,
        (
            select max(last.local_date) from {{ ref('int_kpi_observations') }} as last
            where last.kpi_id = kpis.kpi_id and last.region_id = regions.region_id
        ) as last_date
    from kpis
    cross join {{ ref('regions') }} as regions
),

windows as (
    select
        kpi_id,
        region_id,
        (max(last_date) over (partition by region_id) - interval '{{ var("cjw_profile_months") | int }} months')::date
            as window_start
    from series
    where last_date is not null
),

observations as (
    -- each window an index range (a lateral subquery behind offset 0, which the planner cannot
    -- flatten into a join): as a join it read every observation of the history by a sequential
    -- scan and dropped those before the window (10 M events, 120 months: 6.2 → 2.9 s)
    select observations.*
    from windows
    cross join lateral (
        select windowed.*
        from {{ ref('int_kpi_observations') }} as windowed
        where windowed.kpi_id = windows.kpi_id
            and windowed.region_id = windows.region_id
            and windowed.local_date > windows.window_start
        -- a planner fence (no row is skipped): the subquery stays a parameterised index scan
        offset 0  -- noqa: AM09
    ) as observations
),

-- each observation in both profiles: its weekday and its local hour
bucketed as not materialized (
    select
        observations.kpi_id,
        observations.region_id,
        observations.office_id,
        observations.touchpoint_id,
        observations.aggregation,
        observations.is_success,
        observations.measure,
        buckets.profile,
        buckets.bucket
    from observations
    cross join lateral (
        values ('weekday', observations.local_weekday), ('hour', observations.local_hour)
    ) as buckets (profile, bucket)
),

-- shares and means add up: summed per office cell by hashing, the region's cells from the
-- offices'. Grouping sets sorted every observation of the window instead: with a median among
-- the aggregates PostgreSQL plans a hashed grouping set only when its estimate fits in hash_mem,
-- and over the union view the window is estimated fifty-fold (1 M events: 4.6 s in a day's build).
cells as (
    select
        kpi_id,
        region_id,
        office_id,
        touchpoint_id,
        profile,
        bucket,
        {{ kpi_sums() }}
    from bucketed
    where aggregation <> 'median'
    group by kpi_id, region_id, office_id, touchpoint_id, profile, bucket
),

-- a median needs every value of its cell: each median observation at its office and in its region
-- (read once: a union of two reads would read the window's observations twice more)
median_levels as not materialized (
    select
        bucketed.kpi_id,
        bucketed.region_id,
        levels.office_id,
        bucketed.touchpoint_id,
        bucketed.profile,
        bucketed.bucket,
        bucketed.aggregation,
        bucketed.is_success,
        bucketed.measure
    from bucketed
    cross join lateral (values (bucketed.office_id), (null::text)) as levels (office_id)
    where bucketed.aggregation = 'median'
),

aggregated as (
    select
        kpi_id,
        region_id,
        office_id,
        touchpoint_id,
        profile,
        bucket,
        {{ kpi_sums_without_median() }}
    from cells
    union all
    select
        kpi_id,
        region_id,
        null::text as office_id,
        touchpoint_id,
        profile,
        bucket,
        {{ kpi_sums_without_median(added=true) }}
    from cells
    group by kpi_id, region_id, touchpoint_id, profile, bucket
    union all
    select
        kpi_id,
        region_id,
        office_id,
        touchpoint_id,
        profile,
        bucket,
        {{ kpi_aggregates() }}
    from median_levels
    group by kpi_id, region_id, office_id, touchpoint_id, profile, bucket
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
