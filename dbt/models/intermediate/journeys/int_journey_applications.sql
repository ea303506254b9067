{#-
    One row per application for a service: a journey instance holding a portal application or an
    opened case, in a journey that takes applications both ways (`event_stage_map` has a portal
    `application_submitted` rule and a `case_opened` rule for it). It is electronic when the
    instance holds the portal application; a case opened without one was applied for on paper at
    the office. The stage is where the journey's portal application lands.
-#}
with

instance_events as (
    select * from {{ ref('int_journey_instance_events') }}
),

rules as (
    select * from {{ ref('event_stage_map') }}
),

application_journeys as (
    select
        journey_id,
        min(stage_id) filter (where source = 'portal') as stage_id
    from rules
    where (source = 'portal' and event_type = 'application_submitted')
        or (source = 'cases' and event_type = 'case_opened')
    group by journey_id
    having bool_or(source = 'portal') and bool_or(source = 'cases')
),

final as (
    select
        instance_events.journey_instance_id,
        instance_events.journey_id,
        application_journeys.stage_id,
        bool_or(instance_events.source = 'portal') as is_electronic,
        min(instance_events.event_local_date) as local_date
    from instance_events
    inner join application_journeys on instance_events.journey_id = application_journeys.journey_id
    where (instance_events.source = 'portal' and instance_events.event_type = 'application_submitted')
        or (instance_events.source = 'cases' and instance_events.event_type = 'case_opened')
    group by instance_events.journey_instance_id, instance_events.journey_id, application_journeys.stage_id
)

select * from final
