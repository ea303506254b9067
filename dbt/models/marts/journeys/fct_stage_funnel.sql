{#-
    The funnel of each journey in each region: instances that reached each stage (a later stage reached
    implies the earlier ones), went on to the next, dropped off here, and the days it took to
    get to the next stage (median, p75, p90 over instances where both arrivals were seen).
-#}
with

instances as (
    select * from {{ ref('int_journey_instances') }}
),

stages as (
    select * from {{ ref('dim_journey_stages') }}
),

visits as (
    select * from {{ ref('int_journey_stage_visits') }}
),

regions as (
    select region_id from {{ ref('regions') }}
),

reached as (
    select
        regions.region_id,
        stages.journey_id,
        stages.stage_id,
        stages.stage_order,
        count(instances.journey_instance_id) filter (where instances.furthest_stage_order >= stages.stage_order)
            as clients_reached,
        count(instances.journey_instance_id) filter (where instances.furthest_stage_order > stages.stage_order)
            as clients_next,
        count(instances.journey_instance_id) filter (
            where instances.furthest_stage_order = stages.stage_order and instances.outcome = 'dropped'
        ) as dropped,
        max(stages.stage_order) over (partition by regions.region_id, stages.journey_id) as final_stage_order
    from regions
    cross join stages
    left join instances on stages.journey_id = instances.journey_id and regions.region_id = instances.region_id
    group by regions.region_id, stages.journey_id, stages.stage_id, stages.stage_order
),

durations as (
    select
        instances.region_id,
        visits.journey_id,
        visits.stage_id,
        extract(epoch from lead(visits.arrived_at) over w - visits.arrived_at) / 86400.0 as days_to_next
    from visits
    inner join instances on visits.journey_instance_id = instances.journey_instance_id
    window w as (partition by visits.journey_instance_id order by visits.stage_order)
),

timing as (
    select
        region_id,
        journey_id,
        stage_id,
        percentile_cont(0.5) within group (order by days_to_next) as median_days,
        percentile_cont(0.75) within group (order by days_to_next) as p75_days,
        percentile_cont(0.9) within group (order by days_to_next) as p90_days,
        count(days_to_next) as timed
    from durations
    where days_to_next is not null
    group by region_id, journey_id, stage_id
),

final as (
    select
        reached.region_id,
        reached.journey_id,
        reached.stage_id,
        reached.stage_order,
        reached.clients_reached::int as clients_reached,
        case when reached.stage_order < reached.final_stage_order then reached.clients_next::int end as clients_next,
        case when reached.stage_order < reached.final_stage_order and reached.clients_reached > 0
            then round(reached.clients_next::numeric / reached.clients_reached, 4) end as conversion_to_next,
        reached.dropped::int as dropped,
        case when reached.clients_reached > 0
            then round(reached.dropped::numeric / reached.clients_reached, 4) end as drop_off_share,
        round(timing.median_days::numeric, 2) as median_days_to_next,
        round(timing.p75_days::numeric, 2) as p75_days_to_next,
        round(timing.p90_days::numeric, 2) as p90_days_to_next
    from reached
    left join timing
        on reached.region_id = timing.region_id
        and reached.journey_id = timing.journey_id
        and reached.stage_id = timing.stage_id
)

select * from final
