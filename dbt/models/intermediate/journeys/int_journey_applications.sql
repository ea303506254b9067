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

services as (
    -- journeys of a service (an application for it), not of a task such as a complaint
    select distinct journey_id from {{ ref('journeys') }}
    where basis in ('service_type', 'target_group')
),

application_journeys as (
    select
        rules.journey_id,
        min(rules.stage_id) filter (where rules.source = 'portal') as stage_id
    from rules
    inner join services on rules.journey_id = services.journey_id
    where (rules.source = 'portal' and rules.event_type = 'application_submitted')
        or (rules.source = 'cases' and rules.event_type = 'case_opened')
    group by rules.journey_id
    having bool_or(rules.source = 'portal') and bool_or(rules.source = 'cases')
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
