{#-
    One row per event that carries an identifier (source × event key) with the client it is
    attributed to (`has_personal_identifier`: more than a ticket, case or chat id):
    the one client all its usable identifiers resolve to. Events whose identifiers are only
    shared contacts, or that point at two different clients, stay unattributed (client_id null).
    Incremental: the events that carry a node of int_identity__scope or that int_identity__occurrences
    recomputed; then the records of those are done with. The clients those rows named before are
    recorded for the journeys (macros/incremental_clients.sql).
-#}
{{ incremental_by_identity_scope(
    "delete_identity_scope(events=true)",
    indexes=[
        {'columns': ['source', 'region_id', 'event_key']}, {'columns': ['identity_through']}, {'columns': ['client_id']},
        {'columns': ['source', 'event_key'], 'unique': True, 'nulls_not_distinct': True},
    ],
    pre_hook=["{{ record_replaced_clients() }}"],
    post_hook=["{{ consume_touched_identity() }}"],
) }}
with

all_occurrences as (
    select * from {{ ref('int_identity__occurrences') }}
),

occurrences as (
    select * from all_occurrences
    where {{ carries_identity_scope('all_occurrences') }}
),

clients as (
    select * from {{ ref('int_identity__clients') }}
),

resolved as (
    select
        occurrences.source,
        occurrences.region_id,
        occurrences.event_key,
        min(occurrences.event_at) as event_at,
        count(distinct clients.client_id) as candidate_clients,
        min(clients.client_id) as some_client_id,
        bool_or(clients.is_capped) as in_capped_component,
        bool_or(occurrences.identifier_class <> 'link') as has_personal_identifier
    from occurrences
    left join clients on occurrences.node_id = clients.node_id
    group by occurrences.source, occurrences.region_id, occurrences.event_key
),

final as (
    select
        source,
        region_id,
        event_key,
        event_at,
        case when candidate_clients = 1 then some_client_id end as client_id,
        candidate_clients > 1 as is_ambiguous,
        coalesce(in_capped_component, false) as in_capped_component,
        has_personal_identifier,
        -- the watermark of the build that computed the row: int_touchpoint_events reads the rows
        -- computed since its own last build by it
        (select max(scope.through_seq) from {{ ref('int_identity__scope') }} as scope) as identity_through
    from resolved
)

select * from final
