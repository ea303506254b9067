{#- Label propagation converged: no edge joins two identifiers with different component labels. -#}
{% test cjw_identity_labels_converged(model) %}
select edges.node_a, edges.node_b
from {{ ref('int_identity__edges') }} as edges
inner join {{ model }} as a on edges.node_a = a.node_num
inner join {{ model }} as b on edges.node_b = b.node_num
where a.component_id <> b.component_id
{% endtest %}
