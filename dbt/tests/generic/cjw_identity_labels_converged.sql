{#-
    Label propagation converged: no edge joins two identifiers with different component labels.
    After a build of int_identity__components that recomputed only its scope (it records how it was
    built: macro record_identity_build_mode), only the edges of a scope node can have changed
    their verdict — labels change only there, the edges recomputed are those of the scope's seed
    nodes, and each edge is held both ways — so those are checked, by the node_a index: the rest
    passed in an earlier build. A build of everything checks every edge.
-#}
{% test cjw_identity_labels_converged(model) %}
{%- set components = ref('int_identity__components') -%}
{%- set scope = ref('int_identity__scope') -%}
{%- set mode = 'all' -%}
{%- if execute -%}
    {%- set modes = components.incorporate(path={'identifier': 'identity_build_modes'}) -%}
    {%- if relation_exists(modes) | trim == 'true' -%}
        {%- set rows = run_query("select mode from " ~ modes ~ " where model = '" ~ components.identifier ~ "'").rows -%}
        {%- set mode = rows[0][0] if rows else 'all' -%}
    {%- endif -%}
{%- endif %}
select edges.node_a, edges.node_b
from {{ ref('int_identity__edges') }} as edges
inner join {{ model }} as a on edges.node_a = a.node_num
inner join {{ model }} as b on edges.node_b = b.node_num
where a.component_id <> b.component_id
{%- if mode == 'scope' %}
    and edges.node_a in (select scope.node_num from {{ scope }} as scope where scope.node_num is not null)
{%- endif %}
{% endtest %}
