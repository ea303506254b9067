{#-
    One row per identifier node with its connected component in the identity graph: two
    identifiers are connected when one event carries both (shared contacts excluded). Labels
    are propagated: every node takes the smallest node id of its neighbours, repeated
    `cjw_identity_iterations` times (the graph's components are small because shared
    contacts are cut out; the `identity_labels_converged` test proves the number is enough).
    The label — the smallest node id of the component — is deterministic.
-#}
{%- set iterations = var('cjw_identity_iterations') -%}
with

edges as (
    select * from {{ ref('int_identity__edges') }}
),

nodes as (
    select distinct node_a as node_id from edges
),

labels_0 as (
    select node_id, node_id as label from nodes
),
{% for i in range(1, iterations + 1) %}
labels_{{ i }} as (
    select
        current.node_id,
        least(current.label, min(neighbour.label)) as label
    from labels_{{ i - 1 }} as current
    left join edges on current.node_id = edges.node_a and edges.node_b <> edges.node_a
    left join labels_{{ i - 1 }} as neighbour on edges.node_b = neighbour.node_id
    group by current.node_id, current.label
),
{% endfor %}

final as (
    select node_id, label as component_id
    from labels_{{ iterations }}
)

select * from final
