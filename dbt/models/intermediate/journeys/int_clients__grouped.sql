{#-
    One row per pseudonymous client found by identity stitching, with what the journeys need to
    know about them: kind and client group (the group assigned in the client's case, else the
    category declared on a portal application, else the first matching rule of the
    client_group_rules seed by priority, else 'unknown'), whether the client
    is known by a personal identifier (`is_known`: a phone, e-mail, SNILS, ESIA account or INN — a
    browser cookie or a messenger account alone is an anonymous visitor, who starts no journey),
    and whether the client was ever seen at an office desk (`has_desk_visit`: a ticket attributed
    to them), which journeys "without a visit to the ЦЗН" leave out.

    Incremental by client (macros/incremental_clients.sql): the clients whose events or
    attribution changed since the last build.
-#}
{#- the touched clients are estimated at a hundred rows: nested loops over the portal events took 2.2 s of 3.9 at 1 M events, hash joins 0.5 s in all -#}
{#- the clients it recomputed are logged for dim_clients (macros/incremental_clients.sql) -#}
{{ incremental_by_touched_clients(
    unique=true, pre_hook=["{{ without_nested_loops() }}"], post_hook=["{{ record_touched_clients_rows() }}"]
) }}
{%- set mode = touched_clients_mode() | trim %}
with

event_clients as (
    select * from {{ ref('int_identity__event_clients') }}
    where client_id is not null and {{ in_touched_clients('client_id', mode) }}
),

nodes as (
    select * from {{ ref('int_identity__clients') }}
    where client_id is not null and {{ in_touched_clients('client_id', mode) }}
),

cases as (
    select * from {{ ref('stg_cases__events') }}
),

portal as (
    select * from {{ ref('stg_website__portal_events') }}
),

events as (
    select * from {{ ref('int_touchpoint_events') }}
    where client_id is not null and {{ in_touched_clients('client_id', mode) }}
),

rules as (
    select * from {{ ref('client_group_rules') }}
),

case_facts as (
    select
        event_clients.client_id,
        (array_agg(cases.client_kind order by cases.occurred_at desc))[1] as client_kind,
        (array_agg(cases.client_group order by cases.occurred_at desc)
            filter (where cases.client_group is not null))[1] as client_group
    from event_clients
    inner join cases on event_clients.event_key = cases.case_event_id
    where event_clients.source = 'cases'
    group by event_clients.client_id
),

rule_facts as (
    -- clients without a group from their case: the first matching rule by priority
    select distinct on (events.client_id)
        events.client_id,
        rules.client_group
    from events
    inner join rules
        on events.source = rules.source
        and events.event_type = rules.event_type
        and events.attribute like rules.attribute_pattern
    order by events.client_id, rules.priority
),

portal_facts as (
    select
        event_clients.client_id,
        (array_agg(portal.user_type order by portal.occurred_at desc))[1] as user_type,
        (array_agg(portal.client_group order by portal.occurred_at desc)
            filter (where portal.client_group is not null))[1] as client_group
    from event_clients
    inner join portal on event_clients.event_key = split_part(portal.portal_event_id, '|', 2)
    where event_clients.source = 'portal'
    group by event_clients.client_id
),

identifiers as (
    select
        client_id,
        bool_or(identifier_type in ('phone', 'email', 'snils', 'esia', 'person_inn', 'company_inn')) as is_known
    from nodes
    group by client_id
),

activity as (
    select
        client_id,
        min(region_id) as region_id,
        min(event_at) as first_seen_at,
        max(event_at) as last_seen_at,
        count(*) as events,
        count(distinct source) as sources_used,
        bool_or(source = 'office_visits') as has_desk_visit
    from event_clients
    group by client_id
),

channels as (
    -- the client's events per channel, for the channel mix of the client groups (client_group_profiles
    -- sums these instead of joining every event of the history to its client)
    select client_id, jsonb_object_agg(channel, events order by channel) as channel_events
    from (
        select client_id, channel, count(*) as events
        from events
        group by client_id, channel
    ) as per_channel
    group by client_id
),

final as (
    select
        activity.client_id,
        activity.region_id,
        coalesce(case_facts.client_kind, portal_facts.user_type, 'unknown') as client_kind,
        coalesce(case_facts.client_group, portal_facts.client_group, rule_facts.client_group, 'unknown') as client_group,
        coalesce(identifiers.is_known, false) as is_known,
        activity.has_desk_visit,
        activity.first_seen_at,
        activity.last_seen_at,
        activity.events::int as events,
        activity.sources_used::int as sources_used,
        coalesce(channels.channel_events, '{}'::jsonb) as channel_events
    from activity
    left join identifiers on activity.client_id = identifiers.client_id
    left join case_facts on activity.client_id = case_facts.client_id
    left join portal_facts on activity.client_id = portal_facts.client_id
    left join rule_facts on activity.client_id = rule_facts.client_id
    left join channels on activity.client_id = channels.client_id
)

select * from final
