{#-
    One row per survey response × journey it can be placed on: the stage a response is about is
    the client's latest journey event at the rated touchpoint within `cjw_survey_link_days`
    before the response. Responses that cannot be placed keep journey and stage null.
-#}
with

surveys as (
    select * from {{ ref('stg_surveys__responses') }}
),

events as (
    select * from {{ ref('int_touchpoint_events') }}
    where source = 'surveys'
),

instance_events as (
    select * from {{ ref('int_journey_instance_events') }}
),

final as (
    select distinct on (surveys.response_id, instance_events.journey_id)
        surveys.*,
        events.client_id,
        instance_events.journey_id,
        instance_events.stage_id,
        instance_events.journey_instance_id
    from surveys
    inner join events on events.event_key = surveys.response_id and events.region_id = surveys.region_id
    left join instance_events
        on events.client_id = instance_events.client_id
        and instance_events.touchpoint_id = surveys.touchpoint_id
        and instance_events.event_at <= surveys.responded_at
        and instance_events.event_at > surveys.responded_at - interval '1 day' * {{ var('cjw_survey_link_days') }}
    -- the client's last event at the rated touchpoint; events at the same moment: the furthest
    -- stage, then the event id (without it PostgreSQL picked either, and five marts changed
    -- from one build of the same data to the next)
    order by
        surveys.response_id, instance_events.journey_id, instance_events.event_at desc,
        instance_events.stage_order desc, instance_events.journey_instance_id, instance_events.event_id
)

select * from final
