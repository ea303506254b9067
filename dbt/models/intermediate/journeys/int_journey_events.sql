{#-
    One row per event × journey stage it shows, by the working group's event_stage_map:

    * an event of a known client (int_clients__grouped.is_known) matches a rule of its source and
      event type whose attribute_pattern (SQL LIKE; empty = any) matches its attribute and whose
      client_group (empty = any; several groups separated by `|`) is the client's group;
    * a rule of source `journey` (event type `stage`) maps an event another rule put on
      `<journey>:<stage>` (its attribute_pattern) — how a target-group journey, a life situation
      or "without a visit" looks at the events of the service journeys;
    * the events of a call-centre operator's shift (int_staff__shift_events) feed the
      internal-client journey the same way;
    * a journey built on the number of ЦЗН interactions with `czn_interactions = no_visits` keeps
      only clients never seen at an office desk.

    Which version of a journey applies, and so which stages exist, is decided per journey
    instance (int_journey_instance_events).

    Incremental by client (macros/incremental_clients.sql): the events of the clients and shifts
    whose events or attribution changed since the last build.
-#}
{#- the rule matches are estimated at one row: nested loops took 10 s at 1 M events, hash joins 2.5 s -#}
{#- written by difference (client_diff): a touched client's unchanged history stays as it is -#}
{{ incremental_by_touched_clients(
    indexes=[{'columns': ['event_id', 'journey_id', 'stage_id'], 'unique': True, 'nulls_not_distinct': True}],
    pre_hook=["{{ without_nested_loops() }}"],
    diff_key=['event_id', 'journey_id', 'stage_id'],
) }}
{%- set mode = touched_clients_mode() | trim %}
with

touchpoint_events as (
    select * from {{ ref('int_touchpoint_events') }}
    where client_id is not null and {{ in_touched_clients('client_id', mode) }}
),

clients as (
    select * from {{ ref('int_clients__grouped') }}
    where {{ in_touched_clients('client_id', mode) }}
),

staff_events as (
    select * from {{ ref('int_staff__shift_events') }}
    where {{ in_touched_clients('client_id', mode) }}
),

rules as (
    select * from {{ ref('event_stage_map') }}
),

no_visit_journeys as (
    select distinct journey_id
    from {{ ref('journeys') }}
    where basis = 'interactions' and czn_interactions = 'no_visits'
),

events as (
    select
        touchpoint_events.event_id,
        touchpoint_events.source,
        touchpoint_events.region_id,
        touchpoint_events.client_id,
        touchpoint_events.event_at,
        touchpoint_events.event_local_date,
        touchpoint_events.channel,
        touchpoint_events.touchpoint_id,
        touchpoint_events.office_id,
        touchpoint_events.event_type,
        touchpoint_events.attribute,
        touchpoint_events.is_contact,
        clients.client_group,
        clients.has_desk_visit
    from touchpoint_events
    inner join clients on touchpoint_events.client_id = clients.client_id
    where clients.is_known
    union all
    select
        event_id, source, region_id, client_id, event_at, event_local_date, channel, touchpoint_id, office_id,
        event_type, attribute, is_contact, 'staff_operator', false
    from staff_events
),

-- rules are matched once per distinct (source, event type, attribute, client group) — the
-- LIKE patterns and group lists against a few thousand keys, not against every event — and the
-- events then joined to their matches by equality (PostgreSQL also estimates that join well;
-- matching every event against every rule was most of this model's time at 1 M events)
event_keys as (
    select distinct source, event_type, coalesce(attribute, '') as attribute, client_group
    from events
),

direct_matches as materialized (
    select
        event_keys.source,
        event_keys.event_type,
        event_keys.attribute,
        coalesce(event_keys.client_group, '') as client_group_key,
        event_keys.client_group,
        rules.rule_id,
        rules.journey_id,
        rules.stage_id,
        rules.touchpoint_id,
        rules.starts_journey,
        rules.marks_progress
    from event_keys
    inner join rules
        on event_keys.source = rules.source
        and event_keys.event_type = rules.event_type
        and (rules.attribute_pattern is null or event_keys.attribute like rules.attribute_pattern)
        and (rules.client_group is null or event_keys.client_group = any(string_to_array(rules.client_group, '|')))
),

-- the lens rules match on `<journey>:<stage>` and the client group, once per distinct key
lens_matches as materialized (
    select
        keys.journey_id as direct_journey_id,
        keys.stage_id as direct_stage_id,
        keys.client_group_key,
        rules.rule_id,
        rules.journey_id,
        rules.stage_id,
        rules.touchpoint_id,
        rules.starts_journey,
        rules.marks_progress
    from (select distinct journey_id, stage_id, client_group, client_group_key from direct_matches) as keys
    inner join rules
        on rules.source = 'journey'
        and rules.event_type = 'stage'
        and keys.journey_id || ':' || keys.stage_id like rules.attribute_pattern
        and (rules.client_group is null or keys.client_group = any(string_to_array(rules.client_group, '|')))
),

direct as (
    select
        events.*,
        direct_matches.rule_id,
        direct_matches.journey_id,
        direct_matches.stage_id,
        coalesce(direct_matches.touchpoint_id, events.touchpoint_id) as stage_touchpoint_id,
        direct_matches.starts_journey,
        direct_matches.marks_progress
    from events
    inner join direct_matches
        on events.source = direct_matches.source
        and events.event_type = direct_matches.event_type
        and coalesce(events.attribute, '') = direct_matches.attribute
        and coalesce(events.client_group, '') = direct_matches.client_group_key
),

lensed as (
    select
        direct.event_id, direct.source, direct.region_id, direct.client_id, direct.event_at,
        direct.event_local_date, direct.channel, direct.touchpoint_id, direct.office_id, direct.event_type,
        direct.attribute, direct.is_contact, direct.client_group, direct.has_desk_visit,
        lens_matches.rule_id,
        lens_matches.journey_id,
        lens_matches.stage_id,
        coalesce(lens_matches.touchpoint_id, direct.stage_touchpoint_id) as stage_touchpoint_id,
        lens_matches.starts_journey,
        lens_matches.marks_progress and direct.marks_progress as marks_progress
    from direct
    inner join lens_matches
        on direct.journey_id = lens_matches.direct_journey_id
        and direct.stage_id = lens_matches.direct_stage_id
        and coalesce(direct.client_group, '') = lens_matches.client_group_key
),

unioned as (
    select * from direct
    union all
    select * from lensed
),

final as (
    -- an event matching two rules of the same stage counts once
    select distinct on (unioned.event_id, unioned.journey_id, unioned.stage_id)
        unioned.event_id,
        unioned.source,
        unioned.region_id,
        unioned.client_id,
        unioned.event_at,
        unioned.event_local_date,
        unioned.channel,
        unioned.stage_touchpoint_id as touchpoint_id,
        unioned.office_id,
        unioned.event_type,
        unioned.attribute,
        unioned.is_contact,
        unioned.rule_id,
        unioned.journey_id,
        unioned.stage_id,
        unioned.starts_journey,
        unioned.marks_progress
    from unioned
    left join no_visit_journeys on unioned.journey_id = no_visit_journeys.journey_id
    where no_visit_journeys.journey_id is null or not unioned.has_desk_visit
    order by unioned.event_id, unioned.journey_id, unioned.stage_id, unioned.rule_id
)

select * from final
