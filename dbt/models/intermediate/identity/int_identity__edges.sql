{#-
    The identity graph over integer node ids (int_identity__nodes), undirected: one row per
    ordered pair of identifiers carried by one event (source, region and event key: two regions'
    systems may give two events one key) (star to the event's smallest node number,
    both directions), plus a self-loop per identifier so that lone identifiers are nodes too.
    Shared contacts are left out. Incremental: the edges of the seed nodes of int_identity__scope
    (those of the touched events, now and before, and of the events of contacts whose shared status
    changed) are recomputed from the events that carry a seed node — not the whole components the
    scope holds, whose events span a client's years (macros/incremental_identity.sql).
-#}
{{ incremental_by_identity_scope("delete_identity_scope('node_a', seeds=true)", indexes=[{'columns': ['node_a']}, {'columns': ['node_a', 'node_b'], 'unique': True, 'nulls_not_distinct': True}]) }}
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
    where shared.node_id is null and {{ carries_identity_scope('occurrences', seeds=true) }}
),

anchors as (
    select source, region_id, event_key, min(node_num) as anchor
    from usable
    group by source, region_id, event_key
),

star as (
    select usable.node_num as node_a, anchors.anchor as node_b
    from usable
    inner join anchors
        on usable.source = anchors.source and usable.region_id = anchors.region_id
        and usable.event_key = anchors.event_key
),

both_ways as (
    select node_a, node_b from star
    union
    select node_b, node_a from star
),

-- an event read for one seed draws edges of other nodes too, which did not change
final as (
    select node_a, node_b from both_ways
    where {{ in_identity_scope('node_a', seeds=true) }}
)

select * from final
