{#-
    One row per journey instance: a client's pass through one journey (events grouped in
    int_journey_instance_events). Only milestones (portal, case and visit events — the map's
    `marks_progress`) move it along; calls, chats and page views say which stage a contact was
    about. An instance needs at least one event that can start the journey (e.g. an application; a
    generic login alone starts nothing). Stages reached = up to the furthest stage seen.
    Outcome: `completed` (final stage reached), `dropped` (no progress to a later stage
    within the reached stage's drop_off_days before the end of the data — contacts about
    earlier stages are not progress), else `in_progress`.
-#}
with

instance_events as (
    select * from {{ ref('int_journey_instance_events') }}
),

stages as (
    select * from {{ ref('journey_stages') }}
),

data_end as (
    select region_id, max(event_at) as data_end_at
    from {{ ref('int_touchpoint_events') }}
    group by region_id
),

instances as (
    select
        journey_instance_id,
        min(client_id) as client_id,
        min(journey_id) as journey_id,
        min(region_id) as region_id,
        (array_agg(version order by event_at))[1] as version,
        min(event_at) as started_at,
        max(event_at) as last_event_at,
        max(stage_order) filter (where marks_progress) as furthest_stage_order,
        (array_agg(stage_id order by stage_order desc, event_at) filter (where marks_progress))[1] as furthest_stage_id,
        (array_agg(event_at order by stage_order desc, event_at) filter (where marks_progress))[1]
            as furthest_stage_reached_at,
        count(distinct event_id) as events,
        count(distinct event_id) filter (where is_contact) as contacts,
        count(distinct event_id) filter (where source = 'office_visits') as office_visits,
        count(distinct channel) as channels,
        bool_or(starts_journey) as has_start
    from instance_events
    group by journey_instance_id
),

final_stages as (
    select journey_id, version, max(stage_order) as final_stage_order
    from stages
    group by journey_id, version
),

final as (
    select
        instances.journey_instance_id,
        instances.client_id,
        instances.region_id,
        instances.journey_id,
        instances.version,
        instances.started_at,
        instances.last_event_at,
        instances.furthest_stage_id,
        instances.furthest_stage_order,
        instances.furthest_stage_reached_at,
        final_stages.final_stage_order,
        instances.events::int as events,
        instances.contacts::int as contacts,
        instances.office_visits::int as office_visits,
        instances.channels::int as channels,
        case
            when instances.furthest_stage_order = final_stages.final_stage_order then 'completed'
            when stages.drop_off_days is not null
                and data_end.data_end_at - instances.furthest_stage_reached_at > interval '1 day' * stages.drop_off_days
                then 'dropped'
            else 'in_progress'
        end as outcome
    from instances
    inner join final_stages
        on instances.journey_id = final_stages.journey_id and instances.version = final_stages.version
    inner join stages
        on instances.journey_id = stages.journey_id
        and instances.version = stages.version
        and instances.furthest_stage_id = stages.stage_id
    inner join data_end on instances.region_id = data_end.region_id
    where instances.has_start
)

select * from final
