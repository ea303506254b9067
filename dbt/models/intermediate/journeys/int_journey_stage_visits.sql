{#-
    One row per journey instance × stage it was observed at: first arrival, contacts made at
    the stage, repeat contacts (a contact within `cjw_repeat_contact_days` of the previous
    one at the same stage) and channels used there.
-#}
with

instance_events as (
    select * from {{ ref('int_journey_instance_events') }}
),

instances as (
    select journey_instance_id from {{ ref('int_journey_instances') }}
),

contacts as (
    select
        *,
        coalesce(
            is_contact and event_at - lag(event_at) over w <= interval '1 day' * {{ var('cjw_repeat_contact_days') }},
            false
        ) as is_repeat
    from instance_events
    window w as (partition by journey_instance_id, stage_id, is_contact order by event_at, event_id)
),

final as (
    select
        contacts.journey_instance_id,
        min(contacts.client_id) as client_id,
        min(contacts.journey_id) as journey_id,
        contacts.stage_id,
        min(contacts.stage_order) as stage_order,
        min(contacts.event_at) as arrived_at,
        count(*) filter (where contacts.is_contact)::int as contacts,
        count(*) filter (where contacts.is_repeat)::int as repeat_contacts,
        count(distinct contacts.channel) filter (where contacts.is_contact)::int as contact_channels
    from contacts
    inner join instances on contacts.journey_instance_id = instances.journey_instance_id
    group by contacts.journey_instance_id, contacts.stage_id
)

select * from final
