{#-
    How much of each source can be followed to a client: all events, events that carry any
    identifier, events attributed to a client. An event is what the source's event_key names (a
    call, a ticket, a hit, a visit, a portal event, a chat session, a case event, a survey
    response …), for every source registered in the `sources` seed.
-#}
{%- set source_models = [] -%}
{%- for kind in ['touchpoint_events', 'identity_occurrences'] -%}
    {%- for source_id in var('cjw_event_sources')[kind] -%}
        {%- do source_models.append(ref('int_' ~ source_id ~ '__' ~ kind)) -%}
    {%- endfor -%}
{%- endfor %}
with

event_clients as (
    select * from {{ ref('int_identity__event_clients') }}
),

all_events as (
    -- every event of every registered source once: the per-source models of the event contract
    -- carry one row per event (identity occurrences: per event and identifier, a null identifier
    -- included), so a new source is counted without an edit here
    select source, region_id, count(distinct event_key) as events
    from (
        {%- for relation in source_models %}
        {% if not loop.first %}union all{% endif %}
        select source, region_id, event_key from {{ relation }}
        {%- endfor %}
    ) as source_events
    group by source, region_id
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
