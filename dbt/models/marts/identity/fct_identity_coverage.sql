{#-
    How much of each source can be followed to a client: all events, events that carry any
    identifier, events attributed to a client. An event here is a call, a ticket, a hit, a
    visit, a portal event, a chat session, a case event, a survey response.
-#}
with

event_clients as (
    select * from {{ ref('int_identity__event_clients') }}
),

all_events as (
    select 'call_centre' as source, region_id, count(distinct call_id) as events
    from {{ ref('int_calls__summarised') }} group by region_id
    union all
    select 'office_visits', region_id, count(*) from {{ ref('stg_office_visits__tickets') }} group by region_id
    union all
    select 'website_hits', region_id, count(*) from {{ ref('stg_website__hits') }} group by region_id
    union all
    select 'website_visits', region_id, count(*) from {{ ref('stg_website__visits') }} group by region_id
    union all
    select 'portal', region_id, count(*) from {{ ref('stg_website__portal_events') }} group by region_id
    union all
    select 'chatbot', region_id, count(distinct session_id) from {{ ref('stg_chatbot__events') }} group by region_id
    union all
    select 'cases', region_id, count(*) from {{ ref('stg_cases__events') }} group by region_id
    union all
    select 'surveys', region_id, count(*) from {{ ref('stg_surveys__responses') }} group by region_id
),

identified as (
    select
        source,
        region_id,
        count(*) as identified_events,
        count(client_id) as attributed_events,
        count(*) filter (where in_capped_component) as capped_events,
        count(*) filter (where is_ambiguous) as ambiguous_events
    from event_clients
    group by source, region_id
),

final as (
    select
        all_events.source,
        all_events.region_id,
        all_events.events::int as events,
        coalesce(identified.identified_events, 0)::int as identified_events,
        coalesce(identified.attributed_events, 0)::int as attributed_events,
        coalesce(identified.capped_events, 0)::int as capped_events,
        coalesce(identified.ambiguous_events, 0)::int as ambiguous_events,
        round(coalesce(identified.attributed_events, 0)::numeric / nullif(all_events.events, 0), 4)
            as attributed_share,
        round(coalesce(identified.attributed_events, 0)::numeric / nullif(identified.identified_events, 0), 4)
            as attributed_share_of_identified
    from all_events
    left join identified on all_events.source = identified.source and all_events.region_id = identified.region_id
)

select * from final
