{#-
    One row per journey instance × stage of its journey version that an event shows or that is
    inferred, with whether the instance reached the stage and what became of it there.

    * An instance exists once one of its events can start the journey (`starts_journey`).
    * An observed stage is **reached** when an event that marks progress there (`marks_progress`:
      not a return for documents, a withdrawal or a question) happens no later than the first such
      event of any later stage: a contact about an earlier stage after the client moved on is a
      contact, not a step back. Contacts, repeat contacts (within `cjw_repeat_contact_days` of the
      previous one) and channels are counted at every stage an event shows.
    * An inferred stage (`entry = inferred`: the need that starts a journey, a channel chosen
      before any record exists) is reached by every instance that reached a later stage.
    * At each reached stage an instance is exactly one of: `moved_on` (reached a later stage),
      `finished` (the stage ends the journey: the final stage or one marked `is_terminal`),
      `dropped` (no later stage and no event at all for longer than the stage's `drop_off_days`
      before the end of the region's data) or `in_progress`.

    Incremental by client (macros/incremental_clients.sql): the touched clients include those
    whose instance's fate the new data end changes.
-#}
{#- the instances CTE is estimated at 100 rows: its join to the stages nested loops (4.0 s → 2.0 s at 1 M events) -#}
{{ incremental_by_touched_clients(
    indexes=[{'columns': ['journey_instance_id', 'stage_id'], 'unique': True, 'nulls_not_distinct': True}],
    pre_hook=["{{ without_nested_loops() }}"],
) }}
{%- set mode = touched_clients_mode() | trim %}
with

instance_events as (
    select * from {{ ref('int_journey_instance_events') }}
    where {{ in_touched_clients('client_id', mode) }}
),

stages as (
    select * from {{ ref('journey_stages') }}
),

data_end as (
    select region_id, data_end_at from ({{ region_data_bounds() }}) as bounds
    where data_end_at is not null
),

instances as (
    select
        journey_instance_id,
        min(client_id) as client_id,
        min(region_id) as region_id,
        min(journey_id) as journey_id,
        min(version) as version,
        max(event_at) as last_event_at
    from instance_events
    group by journey_instance_id
    having bool_or(starts_journey)
),

contacts as (
    select
        instance_events.*,
        coalesce(
            instance_events.is_contact
            and instance_events.event_at - lag(instance_events.event_at) over w
            <= interval '1 day' * {{ var('cjw_repeat_contact_days') }},
            false
        ) as is_repeat
    from instance_events
    inner join instances on instance_events.journey_instance_id = instances.journey_instance_id
    window w as (
        partition by instance_events.journey_instance_id, instance_events.stage_id, instance_events.is_contact
        order by instance_events.event_at, instance_events.event_id
    )
),

observed as (
    select
        journey_instance_id,
        stage_id,
        min(stage_order) as stage_order,
        min(event_at) filter (where marks_progress) as progress_at,
        min(event_at) as first_event_at,
        max(event_at) as last_event_at,
        count(*) filter (where is_contact)::int as contacts,
        count(*) filter (where is_repeat)::int as repeat_contacts,
        count(distinct channel) filter (where is_contact)::int as contact_channels
    from contacts
    group by journey_instance_id, stage_id
),

ordered as (
    select
        *,
        min(progress_at) over (
            partition by journey_instance_id order by stage_order desc rows between unbounded preceding and 1 preceding
        ) as later_progress_at
    from observed
),

observed_reach as (
    select
        ordered.*,
        ordered.progress_at is not null
        and (ordered.later_progress_at is null or ordered.progress_at <= ordered.later_progress_at) as is_reached
    from ordered
),

furthest as (
    select journey_instance_id, max(stage_order) as furthest_order
    from observed_reach
    where is_reached
    group by journey_instance_id
),

inferred as (
    -- inferred stages of the instance's version before its furthest observed stage
    select
        instances.journey_instance_id,
        stages.stage_id,
        stages.stage_order
    from instances
    inner join furthest on instances.journey_instance_id = furthest.journey_instance_id
    inner join stages
        on instances.journey_id = stages.journey_id
        and instances.version = stages.version
        and stages.entry = 'inferred'
        and stages.stage_order < furthest.furthest_order
),

visits as (
    select
        journey_instance_id, stage_id, stage_order, false as is_inferred, is_reached,
        coalesce(case when is_reached then progress_at end, first_event_at) as arrived_at,
        contacts, repeat_contacts, contact_channels
    from observed_reach
    union all
    select
        journey_instance_id, stage_id, stage_order, true, true,
        null::timestamptz, 0, 0, 0
    from inferred
),

final_stages as (
    select journey_id, version, max(stage_order) as final_stage_order
    from stages
    group by journey_id, version
),

final as (
    select
        visits.journey_instance_id,
        instances.client_id,
        instances.region_id,
        instances.journey_id,
        instances.version,
        visits.stage_id,
        visits.stage_order,
        visits.is_inferred,
        visits.is_reached,
        visits.arrived_at,
        visits.contacts,
        visits.repeat_contacts,
        visits.contact_channels,
        case
            when not visits.is_reached then null
            when visits.stage_order < furthest.furthest_order then 'moved_on'
            when stages.is_terminal or visits.stage_order = final_stages.final_stage_order then 'finished'
            when stages.drop_off_days is not null
                and data_end.data_end_at - instances.last_event_at > interval '1 day' * stages.drop_off_days
                then 'dropped'
            else 'in_progress'
        end as state
    from visits
    inner join instances on visits.journey_instance_id = instances.journey_instance_id
    inner join furthest on visits.journey_instance_id = furthest.journey_instance_id
    inner join stages
        on instances.journey_id = stages.journey_id
        and instances.version = stages.version
        and visits.stage_id = stages.stage_id
    inner join final_stages
        on instances.journey_id = final_stages.journey_id and instances.version = final_stages.version
    inner join data_end on instances.region_id = data_end.region_id
)

select * from final
