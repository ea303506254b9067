{#-
    The unified stream of what clients did, from every source registered for touchpoint events
    (macro union_event_sources over int_<source>__touchpoint_events): one row per call, ticket,
    site hit, portal event, chat session, case event and survey response, with the client it is
    attributed to (identity stitching), its channel, default touchpoint, office and the
    attribute the event → stage map matches on:
    call `<topic>:<resolution>` (the CRM wrap-up: resolved, callback, redirected; empty when the
    call has no wrap-up), desk ticket `<service code>:<outcome>` (served, no_show, redirected),
    page URL (percent-decoded), portal `<application type or user type>:<status>`, chat
    `<intent>:<outcome>` (the intent, or `fallback:<intent guessed from the text>` when the bot
    understood nothing; outcome resolved, handoff or abandoned), case event the case's service
    type, survey the rated touchpoint.

    Incremental (macros/incremental_identity.sql): the events new batches touched, and those
    whose attribution identity stitching recomputed since this table's last build. The index on
    (source, channel) serves the test assert_sources_names_agree.
-#}
{{ incremental_by_changes(
    none,
    "delete_changed_events(var('cjw_event_sources')['touchpoint_events'], by_source=true, also=attribution_changed())",
    [],
    post_hook=["{{ ensure_indexes([{'columns': ['event_id'], 'unique': True}, {'columns': ['source', 'region_id', 'event_key']}, {'columns': ['client_id']}, {'columns': ['identity_through']}, {'columns': ['region_id', 'event_at']}, {'columns': ['source', 'channel']}]) }}"],
) }}
with

event_clients as (
    select * from {{ ref('int_identity__event_clients') }}
),

unioned as (
    {{ union_event_sources('touchpoint_events', changed_only=true, also=attribution_changed()) }}
),

final as (
    select
        unioned.source || '|' || unioned.event_key as event_id,
        unioned.source,
        unioned.region_id,
        unioned.event_key,
        event_clients.client_id,
        unioned.event_at,
        (unioned.event_at at time zone regions.timezone)::date as event_local_date,
        unioned.channel,
        unioned.touchpoint_id,
        unioned.office_id,
        unioned.event_type,
        unioned.attribute,
        unioned.is_contact,
        event_clients.identity_through
    from unioned
    inner join {{ ref('regions') }} as regions on unioned.region_id = regions.region_id
    left join event_clients
        on unioned.source = event_clients.source
        and unioned.region_id = event_clients.region_id
        and unioned.event_key = event_clients.event_key
)

select * from final
