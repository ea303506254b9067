{#-
    How much of each source can be followed to a client: all events, events that carry any
    identifier, events attributed to a client. An event is what the source's event_key names (a
    call, a ticket, a hit, a visit, a portal event, a chat session, a case event, a survey
    response …), for every source registered in the `sources` seed: counted from
    int_identity__event_coverage, one row per event, kept up to date incrementally.
-#}
with

counted as (
    select
        source,
        region_id,
        count(*) as events,
        count(*) filter (where is_identified) as identified_events,
        count(*) filter (where is_attributed) as attributed_events,
        count(*) filter (where is_identified and in_capped_component) as capped_events,
        count(*) filter (where is_identified and is_ambiguous) as ambiguous_events
    from {{ ref('int_identity__event_coverage') }}
    group by source, region_id
),

final as (
    select
        source,
        region_id,
        events::int as events,
        identified_events::int as identified_events,
        attributed_events::int as attributed_events,
        capped_events::int as capped_events,
        ambiguous_events::int as ambiguous_events,
        round(attributed_events::numeric / nullif(events, 0), 4) as attributed_share,
        round(attributed_events::numeric / nullif(identified_events, 0), 4) as attributed_share_of_identified
    from counted
)

select * from final
