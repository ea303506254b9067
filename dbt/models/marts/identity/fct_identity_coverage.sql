{#-
    How much of each source can be followed to a client: all events, events that carry any
    identifier, events attributed to a client. An event is what the source's event_key names (a
    call, a ticket, a hit, a visit, a portal event, a chat session, a case event, a survey
    response …), for every source registered in the `sources` seed: the counts of
    int_identity__event_coverage (one row per event), which that model keeps as running totals
    with every build (macros/running_totals.sql) — a few rows, not every event of the history.
-#}
-- depends_on: {{ ref('int_identity__event_coverage') }}
with

counted as (
    select * from {{ coverage_totals_relation() }}
    where events > 0
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
