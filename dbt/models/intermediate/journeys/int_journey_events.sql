{#-
    One row per attributed event × journey stage it marks, by the working group's
    event_stage_map: an event matches a rule of its source and event type whose
    attribute_pattern (SQL LIKE; empty = any) matches its attribute. The journey version in
    force on the event's date decides which stages exist.
-#}
with

events as (
    select * from {{ ref('int_touchpoint_events') }}
    where client_id is not null
),

rules as (
    select * from {{ ref('event_stage_map') }}
),

journeys as (
    select * from {{ ref('journeys') }}
),

stages as (
    select * from {{ ref('journey_stages') }}
),

matched as (
    select
        events.event_id,
        events.source,
        events.region_id,
        events.client_id,
        events.event_at,
        events.event_local_date,
        events.channel,
        coalesce(rules.touchpoint_id, events.touchpoint_id) as touchpoint_id,
        events.office_id,
        events.event_type,
        events.attribute,
        events.is_contact,
        rules.rule_id,
        rules.journey_id,
        rules.stage_id,
        rules.starts_journey,
        rules.marks_progress
    from events
    inner join rules
        on events.source = rules.source
        and events.event_type = rules.event_type
        and (rules.attribute_pattern is null or events.attribute like rules.attribute_pattern)
),

versioned as (
    select
        matched.*,
        journeys.version,
        stages.stage_order
    from matched
    inner join journeys
        on matched.journey_id = journeys.journey_id
        and matched.event_local_date >= journeys.valid_from
        and (journeys.valid_to is null or matched.event_local_date < journeys.valid_to)
    inner join stages
        on matched.journey_id = stages.journey_id
        and journeys.version = stages.version
        and matched.stage_id = stages.stage_id
),

final as (
    -- an event matching two rules of the same stage counts once
    select distinct on (event_id, journey_id, stage_id) *
    from versioned
    order by event_id, journey_id, stage_id, rule_id
)

select * from final
