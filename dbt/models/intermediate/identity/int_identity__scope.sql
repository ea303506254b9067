{#-
    The identifier nodes this build recomputes in the identity models
    (macros/incremental_identity.sql): the nodes the events int_identity__occurrences recomputed
    carry now or carried before (of a source recomputed whole, the events whose rows changed), the
    contacts whose shared status changed and the nodes that share an event with them (`is_seed`: the
    nodes whose edges can change) — and every node of the components (as the last build left them)
    any of those is in. `is_rebuilt`: a seed whose edges int_identity__edges recomputes from every
    event that carries it — its events changed or lost an identifier, or one of them carries a
    contact whose shared status changed; the other seeds are carried only by events new to the
    identity graph, and keep their edges and gain those the new events draw (a day's new events, not
    a phone's or cookie's years). One row per node (its number: the one the components hold, or the
    new one), plus one without a node that carries the watermark of the records read
    (`through_seq`). `everything`: no components yet, or a model upstream was rebuilt whole (the
    records hold its sentinel) — the identity models then recompute all their rows.
-#}
{{ config(indexes=[{'columns': ['node_id']}, {'columns': ['node_num']}]) }}
{%- set components = this.incorporate(path={'identifier': 'int_identity__components'}) -%}
{%- set touched = this.incorporate(path={'identifier': 'identity_touched'}) -%}
{%- set watermark = identity_scope_watermark().split(':') -%}
{%- set shared_in_graph = identity_shared_in_graph() | trim -%}
{%- set through_seq, everything = watermark[0] | trim | int, watermark[1] | trim == 'all' %}
{#- the parents, named for dbt's parse (which renders the branch of everything) -#}
{%- do ref('int_identity__occurrences') -%}
{%- do ref('int_identity__nodes') -%}
{%- do ref('int_identity__shared_identifiers') %}
with

{% if everything %}

final as (
    select
        null::text as node_id,
        null::bigint as node_num,
        null::boolean as is_seed,
        null::boolean as is_rebuilt,
        true as everything,
        cast({{ through_seq | int }} as bigint) as through_seq
)

{% else %}

-- read from the table by each part below (with its statistics and indexes)
occurrences as not materialized (
    select * from {{ ref('int_identity__occurrences') }}
),

nodes as not materialized (
    select * from {{ ref('int_identity__nodes') }}
),

shared as not materialized (
    select node_id from {{ ref('int_identity__shared_identifiers') }}
),

components as not materialized (
    select node_id, node_num, component_id from {{ components }}
),

touched as not materialized (
    select * from {{ touched }} where seq <= {{ through_seq }}
),

-- events recomputed that were in the graph before: the identifiers they carried then are recorded
changed_events as (
    select distinct source, region_id, event_key from touched where node_id is not null
),

-- contacts shared now but not when the graph was built, or the reverse (as int_identity__edges
-- recorded them; a warehouse built before that record existed: shared now and in the graph, or
-- in neither and carried by an event before this build, i.e. no longer shared)
shared_changed as (
    {%- if shared_in_graph %}
    (select node_id from shared except select node_id from {{ shared_in_graph }})
    union
    (select node_id from {{ shared_in_graph }} except select node_id from shared)
    {%- else %}
    select shared.node_id from shared inner join components on shared.node_id = components.node_id
    union
    select nodes.node_id from nodes
    where
        not exists (select from components where components.node_id = nodes.node_id)
        and not exists (select from shared where shared.node_id = nodes.node_id)
        and exists (
            select from occurrences
            where occurrences.node_id = nodes.node_id
                and not exists (
                    select from touched
                    where touched.source = occurrences.source and touched.region_id = occurrences.region_id
                        and touched.event_key = occurrences.event_key
                )
        )
    {%- endif %}
),

-- the seeds whose edges are recomputed from every event that carries them
rebuilt as (
    select node_id from touched where node_id is not null
    union
    select occurrences.node_id from occurrences
    where (occurrences.source, occurrences.region_id, occurrences.event_key) in (
        select changed_events.source, changed_events.region_id, changed_events.event_key from changed_events
    )
    union
    select occurrences.node_id from occurrences
    where (occurrences.source, occurrences.region_id, occurrences.event_key) in (
        select changed.source, changed.region_id, changed.event_key from occurrences as changed
        where changed.node_id in (select shared_changed.node_id from shared_changed)
    )
),

seeds as (
    select node_id from rebuilt
    union
    select occurrences.node_id from occurrences
    where (occurrences.source, occurrences.region_id, occurrences.event_key) in (
        select touched.source, touched.region_id, touched.event_key from touched
    )
),

-- every node of the components the seeds are in, with the number the components hold, and the
-- seeds outside them (new nodes, contacts shared or no longer shared; a node no event carries any
-- more has no number) — by index lookups: joined to the components and nodes, the planner read both
-- whole (1.7 M rows each at 10 M events) for 33 000
reached as (
    select components.node_id, components.node_num from components
    where components.component_id = any(array(
        select seen.component_id from components as seen
        where seen.node_id = any(array(select seeds.node_id from seeds))
    ))
    union
    select seeds.node_id, nodes.node_num
    from seeds
    left join nodes on seeds.node_id = nodes.node_id
    where not exists (select from components where components.node_id = seeds.node_id)
),

final as (
    select
        reached.node_id,
        reached.node_num,
        seeds.node_id is not null as is_seed,
        rebuilt.node_id is not null as is_rebuilt,
        false as everything,
        cast({{ through_seq | int }} as bigint) as through_seq
    from reached
    left join seeds on reached.node_id = seeds.node_id
    left join rebuilt on reached.node_id = rebuilt.node_id
    union all
    select null, null, null, null, false, cast({{ through_seq | int }} as bigint)
)

{% endif %}

select * from final
