{#-
    The funnel of each journey version in each region: at every stage, the instances that reached
    it and what became of them there — moved on, dropped, still in progress, finished — so
    `clients_reached = moved_on + dropped + in_progress + finished` on every row (a dbt test holds
    it). Conversion and drop-off are over the instances whose fate at the stage is known (moved on
    or dropped); an inferred stage (`is_inferred`: nothing in the data shows it, everyone who got
    further passed it) has neither. Days to the next reached stage: median, p75, p90.
    `started_before_data` counts the instances at the stage that were already under way when the
    data begin.
-#}
with

instances as (
    select * from {{ ref('int_journey_instances') }}
),

stages as (
    select * from {{ ref('journey_stages') }}
),

visits as (
    select * from {{ ref('int_journey_stage_visits') }}
    where is_reached
),

regions as (
    select region_id from {{ ref('regions') }}
),

counted as (
    select
        visits.region_id,
        visits.journey_id,
        visits.version,
        visits.stage_id,
        count(*) as clients_reached,
        count(*) filter (where visits.state = 'moved_on') as moved_on,
        count(*) filter (where visits.state = 'dropped') as dropped,
        count(*) filter (where visits.state = 'in_progress') as in_progress,
        count(*) filter (where visits.state = 'finished') as finished,
        count(*) filter (where instances.started_before_data) as started_before_data
    from visits
    inner join instances on visits.journey_instance_id = instances.journey_instance_id
    group by visits.region_id, visits.journey_id, visits.version, visits.stage_id
),

durations as (
    select
        region_id,
        journey_id,
        version,
        stage_id,
        extract(epoch from lead(arrived_at) over w - arrived_at) / 86400.0 as days_to_next
    from visits
    where not is_inferred
    window w as (partition by journey_instance_id order by stage_order)
),

timing as (
    select
        region_id,
        journey_id,
        version,
        stage_id,
        percentile_cont(0.5) within group (order by days_to_next) as median_days,
        percentile_cont(0.75) within group (order by days_to_next) as p75_days,
        percentile_cont(0.9) within group (order by days_to_next) as p90_days
    from durations
    where days_to_next is not null
    group by region_id, journey_id, version, stage_id
),

grid as (
    -- every stage of every version, in every region, whether or not anyone reached it
    select regions.region_id, stages.journey_id, stages.version, stages.stage_id, stages.stage_order,
        stages.entry = 'inferred' as is_inferred
    from regions
    cross join stages
),

final as (
    select
        grid.region_id,
        grid.journey_id,
        grid.version,
        grid.stage_id,
        grid.stage_order,
        grid.is_inferred,
        coalesce(counted.clients_reached, 0)::int as clients_reached,
        coalesce(counted.moved_on, 0)::int as moved_on,
        coalesce(counted.dropped, 0)::int as dropped,
        coalesce(counted.in_progress, 0)::int as in_progress,
        coalesce(counted.finished, 0)::int as finished,
        coalesce(counted.moved_on, 0)::int as clients_next,
        case when not grid.is_inferred and counted.moved_on + counted.dropped > 0
            then round(counted.moved_on::numeric / (counted.moved_on + counted.dropped), 4) end as conversion_to_next,
        case when not grid.is_inferred and counted.moved_on + counted.dropped > 0
            then round(counted.dropped::numeric / (counted.moved_on + counted.dropped), 4) end as drop_off_share,
        coalesce(counted.started_before_data, 0)::int as started_before_data,
        round(timing.median_days::numeric, 2) as median_days_to_next,
        round(timing.p75_days::numeric, 2) as p75_days_to_next,
        round(timing.p90_days::numeric, 2) as p90_days_to_next
    from grid
    left join counted
        on grid.region_id = counted.region_id
        and grid.journey_id = counted.journey_id
        and grid.version = counted.version
        and grid.stage_id = counted.stage_id
    left join timing
        on grid.region_id = timing.region_id
        and grid.journey_id = timing.journey_id
        and grid.version = timing.version
        and grid.stage_id = timing.stage_id
)

select * from final
