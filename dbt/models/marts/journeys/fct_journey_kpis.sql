{#-
    Client KPIs at the levels the working group reads: journey × stage × touchpoint, journey ×
    stage, journey, and touchpoint (journey null), over the whole published period
    (`period_grain` = 'all') and per month. sample_size counts distinct clients (an observation
    without a known client counts as one).
-#}
{#-
    Incremental (macros/incremental_journey_months.sql): the month rows of the (KPI, region,
    month) partitions the journey KPI observation tables logged as changed; the whole-period rows
    (few: one per level) from every observation, each build.
-#}
{{ incremental_by_journey_months(whole_period=true) }}
with

kpis as (
    select * from {{ ref('dim_kpis') }}
),

observations as not materialized (
    select * from {{ ref('int_journey_kpi_observations') }}
),

-- An observation off any journey and stage (most of them: the portal's page views) counts only
-- at the touchpoint level (kpi, region, touchpoint); the journey levels group the rest. Grouping
-- sets over every observation sorted the portal's 1.2 M page views by six keys at 10 M events.
journey_observations as not materialized (
    select * from observations
    where journey_id is not null or stage_id is not null
),

per_client as (
    -- the journey observations summed per level and client first, so the whole-period rows count
    -- distinct clients over fewer rows; a median KPI's observations pass one by one: its median
    -- needs every value
    select
        kpi_id,
        region_id,
        journey_id,
        stage_id,
        touchpoint_id,
        client_id,
        max(aggregation) as aggregation,
        min(local_date) as first_date,
        count(*) as observations,
        count(*) filter (where is_success) as successes,
        sum(measure) as measure_sum,
        count(measure) as measure_count,
        null::numeric as median_value
    from journey_observations
    where aggregation <> 'median'
    group by kpi_id, region_id, journey_id, stage_id, touchpoint_id, client_id
    union all
    select
        kpi_id,
        region_id,
        journey_id,
        stage_id,
        touchpoint_id,
        client_id,
        aggregation,
        local_date,
        1,
        case when is_success then 1 else 0 end,
        measure,
        case when measure is not null then 1 else 0 end,
        measure
    from journey_observations
    where aggregation = 'median'
),

journey_levels as (
    select
        kpi_id,
        region_id,
        journey_id,
        case when grouping(stage_id) = 0 then stage_id end as stage_id,
        case when grouping(touchpoint_id) = 0 then touchpoint_id end as touchpoint_id,
        'all' as period_grain,
        grouping(stage_id) = 0 and stage_id is null or grouping(touchpoint_id) = 0 and touchpoint_id is null
            as is_repeated_level,
        min(first_date) as period_start,
        count(distinct client_id) + coalesce(sum(observations) filter (where client_id is null), 0) as clients,
        {{ kpi_sums_added() }},
        (
            select percentile_cont(0.5) within group (order by median_values.value)
            from unnest(array_agg(median_value) filter (where aggregation = 'median')) as median_values (value)
        ) as measure_median
    from per_client
    group by grouping sets (
        (kpi_id, region_id, journey_id, stage_id, touchpoint_id),
        (kpi_id, region_id, journey_id, stage_id),
        (kpi_id, region_id, journey_id)
    )
),

-- The touchpoint level: the journey observations' sums per client and every other observation
-- with a touchpoint (the portal's page views: 1.2 M at 10 M events). Its sums are added up per
-- branch and then per touchpoint (a few dozen groups, hashed), and its clients counted as the
-- distinct (level, client) pairs — hashed on four narrow columns. Grouping every observation by
-- client with its sums sorted 1.7 M wide rows (5–7 s of a day's build at 10 M events).
-- its two branches, named once: the distinct clients and the sums read the same rows
touchpoint_journey_sums as not materialized (
    select * from per_client
    where touchpoint_id is not null
),

touchpoint_observations as not materialized (
    select * from observations
    where journey_id is null and stage_id is null and touchpoint_id is not null
),

touchpoint_rows as not materialized (
    select kpi_id, region_id, touchpoint_id, client_id from touchpoint_journey_sums
    union all
    select kpi_id, region_id, touchpoint_id, client_id from touchpoint_observations
),

touchpoint_clients as (
    select kpi_id, region_id, touchpoint_id, count(*) as clients
    from (
        select distinct kpi_id, region_id, touchpoint_id, client_id
        from touchpoint_rows
        where client_id is not null
    ) as distinct_clients
    group by kpi_id, region_id, touchpoint_id
),

touchpoint_medians as (
    select kpi_id, region_id, touchpoint_id, percentile_cont(0.5) within group (order by measure) as measure_median
    from observations
    where aggregation = 'median' and touchpoint_id is not null
    group by kpi_id, region_id, touchpoint_id
),

touchpoint_sums as (
    -- an observation without a known client counts as one client
    select
        kpi_id,
        region_id,
        touchpoint_id,
        min(first_date) as period_start,
        sum(anonymous_observations) as anonymous_observations,
        {{ kpi_sums_added() }}
    from (
        select
            kpi_id, region_id, touchpoint_id,
            min(first_date) as first_date,
            coalesce(sum(observations) filter (where client_id is null), 0) as anonymous_observations,
            {{ kpi_sums_added() }}
        from touchpoint_journey_sums
        group by kpi_id, region_id, touchpoint_id
        union all
        select
            kpi_id, region_id, touchpoint_id,
            min(local_date),
            count(*) filter (where client_id is null),
            max(aggregation),
            count(*),
            count(*) filter (where is_success),
            sum(measure),
            count(measure)
        from touchpoint_observations
        group by kpi_id, region_id, touchpoint_id
    ) as branch_sums
    group by kpi_id, region_id, touchpoint_id
),

touchpoint_level as (
    select
        touchpoint_sums.kpi_id,
        touchpoint_sums.region_id,
        null::text as journey_id,
        null::text as stage_id,
        touchpoint_sums.touchpoint_id,
        'all' as period_grain,
        false as is_repeated_level,
        touchpoint_sums.period_start,
        coalesce(touchpoint_clients.clients, 0) + touchpoint_sums.anonymous_observations as clients,
        touchpoint_sums.aggregation,
        touchpoint_sums.observations,
        touchpoint_sums.successes,
        touchpoint_sums.measure_sum,
        touchpoint_sums.measure_count,
        touchpoint_medians.measure_median
    from touchpoint_sums
    left join touchpoint_clients
        on touchpoint_sums.kpi_id = touchpoint_clients.kpi_id
        and touchpoint_sums.region_id is not distinct from touchpoint_clients.region_id
        and touchpoint_sums.touchpoint_id = touchpoint_clients.touchpoint_id
    left join touchpoint_medians
        on touchpoint_sums.kpi_id = touchpoint_medians.kpi_id
        and touchpoint_sums.region_id is not distinct from touchpoint_medians.region_id
        and touchpoint_sums.touchpoint_id = touchpoint_medians.touchpoint_id
),

whole_period as (
    select * from journey_levels
    union all
    select * from touchpoint_level
),

months as (
    select
        kpi_id,
        region_id,
        journey_id,
        case when grouping(stage_id) = 0 then stage_id end as stage_id,
        null::text as touchpoint_id,
        'month' as period_grain,
        grouping(stage_id) = 0 and stage_id is null as is_repeated_level,
        local_month as period_start,
        count(distinct client_id) + count(*) filter (where client_id is null) as clients,
        {{ kpi_aggregates() }}
    from (
        select
            observations.*,
            date_trunc('month', observations.local_date)::date as local_month
        from {{ journey_observations_of_changed_months() }}
        where observations.local_date is not null
    ) as dated
    group by grouping sets (
        (kpi_id, region_id, journey_id, stage_id, local_month),
        (kpi_id, region_id, journey_id, local_month)
    )
),

aggregated as (
    select * from whole_period
    union all
    select * from months
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
