{#-
    The identity graph over integer node ids (int_identity__nodes), undirected: one row per
    ordered pair of identifiers carried by one event (source, region and event key: two regions'
    systems may give two events one key) (star to the event's smallest node number,
    both directions), plus a self-loop per identifier so that lone identifiers are nodes too.
    Shared contacts are left out. Incremental (macros/incremental_identity.sql): the edges of the
    rebuilt seeds of int_identity__scope (nodes of events that changed, now and before, or sharing
    an event with a contact whose shared status changed) are deleted and recomputed from every event
    that carries one; the other seeds are carried only by events new to the graph and gain the edges
    those draw. Not the whole components the scope holds, nor every event of a seed: a caller's
    phone carries years of calls (at 10 M events a day's seeds were carried by 249 000 events, the
    day's new ones by 1 600).
-#}
{#- the post-hook records the contacts left out as shared, for the next build's scope -#}
{{ incremental_by_identity_scope(
    "delete_identity_scope('node_a', seeds='rebuilt')",
    indexes=[{'columns': ['node_a']}, {'columns': ['node_a', 'node_b'], 'unique': True, 'nulls_not_distinct': True}],
    post_hook=["{{ record_identity_shared_in_graph() }}"],
) }}
{%- set mode = identity_build_mode() | trim %}
with

occurrences as (
    select * from {{ ref('int_identity__occurrences') }}
),

nodes as (
    select * from {{ ref('int_identity__nodes') }}
),

shared as (
    select node_id from {{ ref('int_identity__shared_identifiers') }}
),

usable as (
    select occurrences.source, occurrences.region_id, occurrences.event_key, nodes.node_num
    from occurrences
    inner join nodes on occurrences.node_id = nodes.node_id
    left join shared on occurrences.node_id = shared.node_id
    where shared.node_id is null
    {%- if mode == 'scope' %}
        -- the events of the rebuilt seeds (an index lookup by node: as a join the planner guessed
        -- 20 times too many and read the whole table) and the events new to the graph
        and (occurrences.source, occurrences.region_id, occurrences.event_key) in (
            select seed_events.source, seed_events.region_id, seed_events.event_key
            from {{ ref('int_identity__occurrences') }} as seed_events
            where seed_events.node_id = any(array(
                select scope.node_id from {{ ref('int_identity__scope') }} as scope
                where scope.node_id is not null and scope.is_rebuilt
            ))
            union
            {{ touched_identity_event_keys() }}
        )
    {%- endif %}
),

-- each node to its event's smallest node number (a window, not a join back to the events: with
-- the events estimated at one row the join was a nested loop of 1.5 s at 10 M events)
star as (
    select node_num as node_a, min(node_num) over (partition by source, region_id, event_key) as node_b
    from usable
),

both_ways as (
    select node_a, node_b from star
    union
    select node_b, node_a from star
),

-- an event read for one seed draws edges of other nodes too, which did not change; a seed that is
-- not rebuilt keeps the edges it has
final as (
    select node_a, node_b from both_ways
    where {{ in_identity_scope('node_a', mode=mode, seeds=true) }}
    {%- if mode == 'scope' %}
        and not exists (
            select from {{ this }} as held where held.node_a = both_ways.node_a and held.node_b = both_ways.node_b
        )
    {%- endif %}
)

select * from final
