{#-
    One row per identifier node with its connected component in the identity graph: two
    identifiers are connected when one event carries both (shared contacts excluded). Labels
    are propagated over the integer node numbers: every node takes the smallest label of its
    neighbours, repeated `cjw_identity_iterations` times (the graph's components are small
    because shared contacts are cut out; the `identity_labels_converged` test proves the number
    is enough). The component id is the smallest text node id of the component — deterministic,
    whatever numbers the nodes were given. Incremental: the components of the nodes in
    int_identity__scope (whole components) are recomputed over their edges only.
-#}
{{ incremental_by_identity_scope(
    "delete_identity_scope('node_id', by='node_id')",
    indexes=[{'columns': ['node_id'], 'unique': True}, {'columns': ['component_id']}],
    post_hook=["{{ record_identity_build_mode() }}"],
) }}
{%- set iterations = var('cjw_identity_iterations') -%}
with

edges as (
    select * from {{ ref('int_identity__edges') }}
    where {{ in_identity_scope('node_a') }}
),

nodes as (
    select * from {{ ref('int_identity__nodes') }}
),

links as (
    select node_a, node_b from edges where node_a <> node_b
),

-- a node without links (two thirds of the nodes in the demo: a cookie seen once, an anonymous
-- ticket) is a component by itself and stays out of the rounds
graph_nodes as (
    select node_a as node_num, bool_or(node_a <> node_b) as is_linked
    from edges
    group by node_a
),

labels_0 as (
    select node_num, node_num as label from graph_nodes where is_linked
),
{% for i in range(1, iterations + 1) %}
labels_{{ i }} as (
    select
        current.node_num,
        least(current.label, min(neighbour.label)) as label
    from labels_{{ i - 1 }} as current
    inner join links on current.node_num = links.node_a
    inner join labels_{{ i - 1 }} as neighbour on links.node_b = neighbour.node_num
    group by current.node_num, current.label
),
{% endfor %}

labels as (
    select node_num, label from labels_{{ iterations }}
    union all
    select node_num, node_num from graph_nodes where not is_linked
),

labelled as (
    select nodes.node_id, labels.node_num, labels.label
    from labels
    inner join nodes on labels.node_num = nodes.node_num
),

final as (
    select
        node_id,
        node_num,
        min(node_id) over (partition by label) as component_id
    from labelled
)

select * from final
