{#-
    One row per event that carries an identifier (source × event key) with the client it is
    attributed to (`has_personal_identifier`: more than a ticket, case or chat id):
    the one client all its usable identifiers resolve to. Events whose identifiers are only
    shared contacts, or that point at two different clients, stay unattributed (client_id null).
    Incremental: the events that int_identity__occurrences recorded as touched (of a source
    recomputed whole, those whose rows changed), and those that carry a node whose client or cap
    int_identity__clients changed (macro collect_attribution_events); then the records of those are
    done with. The clients those rows named before are recorded for the journeys
    (macros/incremental_clients.sql).

    `identity_through` says since when the row's attribution is what it is: an event recomputed
    only because it carries a node of the scope (another event of its component changed) keeps
    the watermark it had when its attribution (client, ambiguity, cap) is the same — the models
    downstream recopy and re-place the events with a higher watermark, and a component's events
    span the client's whole history, so a new watermark on each of them made a day's work grow
    with the history. An event int_identity__occurrences recorded as touched (new or changed) takes
    the new watermark.
-#}
{{ incremental_by_identity_scope(
    "delete_identity_scope(events=true)",
    indexes=[
        {'columns': ['source', 'region_id', 'event_key']}, {'columns': ['identity_through']}, {'columns': ['client_id']},
        {'columns': ['source', 'event_key'], 'unique': True, 'nulls_not_distinct': True},
    ],
    pre_hook=["{{ collect_attribution_events() }}", "{{ record_replaced_clients() }}", "{{ keep_replaced_attributions() }}"],
    post_hook=["{{ consume_touched_identity() }}", "{{ consume_changed_client_nodes() }}"],
) }}
with

all_occurrences as (
    select * from {{ ref('int_identity__occurrences') }}
),

occurrences as (
    select * from all_occurrences
    {%- if identity_build_mode() | trim == 'scope' %}
    where {{ in_attribution_events('all_occurrences') }}
    {%- endif %}
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
        (select max(scope.through_seq) from {{ ref('int_identity__scope') }} as scope) as new_through
    from resolved
),

{% if identity_build_mode() | trim == 'scope' %}

kept as (
    -- the attribution as the last build left it, of the events recomputed for the scope alone
    select final.*, before.identity_through as before_through
    from final
    left join {{ replaced_attributions_relation() }} as before
        on final.source = before.source and final.region_id = before.region_id and final.event_key = before.event_key
        and final.client_id is not distinct from before.client_id
        and final.is_ambiguous = before.is_ambiguous
        and final.in_capped_component = before.in_capped_component
        and final.has_personal_identifier = before.has_personal_identifier
)

{% else %}

kept as (
    select final.*, null::bigint as before_through
    from final
)

{% endif %}

select
    source,
    region_id,
    event_key,
    event_at,
    client_id,
    is_ambiguous,
    in_capped_component,
    has_personal_identifier,
    coalesce(before_through, new_through) as identity_through
from kept
