{#-
    One row per identifier node with a persistent integer id (`node_num`), so that the graph
    is stitched over integers instead of ~80-character text ids. Incremental: a node keeps its
    number from build to build, a new node gets the next numbers (in node_id order); nodes no
    longer carried by any event are removed after each build (a forgotten region leaves none
    of its identifiers here). `dbt build --full-refresh` renumbers everything; the numbers are
    internal — component labels and client ids are derived from the text ids. An incremental
    build looks for new nodes among the events int_identity__occurrences recomputed, and for nodes
    to remove among those they carried before (macros/incremental_identity.sql).
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    indexes=[{'columns': ['node_id'], 'unique': True}, {'columns': ['node_num'], 'unique': True}],
    pre_hook=["{{ record_identity_renumbered() }}"],
    post_hook=[
        "delete from {{ this }} as known where {{ identity_touched_only('known', by_node=true) }}"
        ~ " and not exists (select from {{ ref('int_identity__occurrences') }}"
        ~ " as occurrences where occurrences.node_id = known.node_id)"
    ],
) }}
with

occurrences as (
    select distinct all_occurrences.node_id from {{ ref('int_identity__occurrences') }} as all_occurrences
    where {{ identity_touched_only('all_occurrences') }}
),

new_nodes as (
    select occurrences.node_id
    from occurrences
    {% if is_incremental() -%}
        where not exists (select from {{ this }} as known where known.node_id = occurrences.node_id)
    {%- endif %}
),

final as (
    select
        node_id,
        {% if is_incremental() -%}
            (select coalesce(max(node_num), 0) from {{ this }})
            +
        {%- endif %}
        row_number() over (order by node_id) as node_num
    from new_nodes
)

select node_id, node_num::bigint as node_num from final
