{#-
    Incremental staging: a build reads only the raw rows of batches it has not seen.

    Every staging model is `incremental` (delete + insert on its key). Which validated batches
    a model already holds is kept in `<its schema>.incremental_batches` (model, batch_id,
    checksum of the model's SQL), rewritten by the model's post-hook in the same transaction as
    its rows, so a failed build leaves rows and bookkeeping together as they were. The set of
    validated batches is read once per build (`stg_ingest__validated_batches`): a batch validated
    while dbt runs waits for the next build, in every model alike.

    A build is, per model:
    - `full`: the table does not exist yet, or `--full-refresh`: every validated batch;
    - `incremental`: the rows of new batches, de-duplicated against the rows the table already
      holds for the same keys (the winner is chosen among new rows and the previous winner, by
      the model's own order: the same row a full build picks, since staging is row-wise);
    - `reset`: a batch the table holds is no longer validated (a data interval ingested again
      replaced it), the model's SQL changed, or the table has no bookkeeping: the table is
      emptied in the pre-hook and rebuilt from every validated batch, as `full`.
    `incremental_by_batches(source, key)` sets all of it up. A model whose rows are each made from
    one raw row ends with `latest_per_key` (its rows carry the batch and line they came from, the
    order's columns); a model that combines raw rows (a chat session) asks `validated_rows` for
    every raw row of the keys a new batch carries instead, and de-duplicates as a full build.
    A model downstream of staging is incremental by the same batches when it recomputes whole
    the keys a new batch touched (`rows_of_changed_keys`): int_calls__summarised, by call.
    Its checksum includes its parents' (a staging model's SQL, a seed's file), so a parent whose
    logic changed, or a seed the working group edited, rebuilds it.
-#}

{#-
    `by_batch`: the rows carry their `batch_id` (staging models): indexed, since the event models
    downstream look up the rows of new batches (macros/incremental_events.sql).
-#}
{% macro incremental_by_batches(ingest_source, key, unique=true, indexes=[], by_batch=true, pre_hook=[]) -%}
    {#- made by a post-hook, as the other incremental models' (macro ensure_indexes) -#}
    {%- set indexes = [{'columns': key, 'unique': unique}] + ([{'columns': ['batch_id']}] if by_batch else []) + indexes -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=key,
        on_schema_change='sync_all_columns',
        pre_hook=["{{ staging_increment_begin() }}"] + pre_hook,
        post_hook=["{{ ensure_indexes(" ~ indexes ~ ") }}", "{{ staging_increment_end('" ~ ingest_source ~ "') }}"],
    ) }}
{%- endmacro %}

{#-
    The bookkeeping lives in the model's own schema: a mart's moves with the build schema when a
    publish swaps it with the published one (include/publish.py).
-#}
{% macro incremental_batches_schema() -%}
    {{ this.schema }}
{%- endmacro %}

{% macro incremental_batches_relation() -%}
    {{ incremental_batches_schema() | trim }}.incremental_batches
{%- endmacro %}

{#-
    The version of the logic the rows were built with: the model's SQL, its ancestors' (the SQL of
    every model upstream, the file of every seed upstream: a seed the working group edits rebuilds
    the incremental models downstream of it, however far) and the macros' version. Ancestors, not
    only parents: an incremental model reads only the new events of an incremental parent, so a
    parent rebuilt with other logic must rebuild its children too.
-#}
{% macro staging_checksum() -%}
    {{ node_memo('staging_checksum', staging_checksum_now) }}
{%- endmacro %}

{% macro staging_checksum_now() -%}
    {%- set parts = [model.raw_code, var('cjw_staging_logic_version') | string] -%}
    {%- if execute -%}
        {%- set ancestors = [] -%}
        {%- do collect_ancestors(model.depends_on.nodes, ancestors) -%}
        {%- for ancestor in ancestors | sort -%}
            {%- do parts.append(ancestor ~ ':' ~ graph.nodes[ancestor].checksum.checksum) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ local_md5(parts | join('|')) }}
{%- endmacro %}

{#- Every model and seed upstream of `node_ids`, added to the list `into`. -#}
{% macro collect_ancestors(node_ids, into) -%}
    {%- for node_id in node_ids if node_id not in into and graph.nodes.get(node_id) is not none -%}
        {%- do into.append(node_id) -%}
        {%- do collect_ancestors(graph.nodes[node_id].depends_on.nodes, into) -%}
    {%- endfor -%}
{%- endmacro %}

{#-
    full, incremental or reset (see above), evaluated before the model's rows change. Written as
    text rather than `return()`, and compared trimmed: sqlfluff's stand-in for `return` would end
    the calling macro too.
-#}
{% macro staging_mode() -%}
    {#- a unit test renders the model without a table of its own: as a full build -#}
    {%- if this is none or this.identifier is none or not is_incremental() -%}
        full
    {%- elif not execute -%}
        incremental
    {%- else -%}
        {{ node_memo('staging_mode', staging_mode_now) }}
    {%- endif -%}
{%- endmacro %}

{#- what staging_mode() says, read from the bookkeeping (once per node: see node_memo) -#}
{% macro staging_mode_now() -%}
    {%- set manifest = adapter.get_relation(
        database=this.database, schema=incremental_batches_schema() | trim, identifier='incremental_batches'
    ) -%}
    {%- if manifest is none -%}
        reset
    {%- else -%}
        {%- set query -%}
            with held as (
                select batch_id, checksum from {{ manifest }} where model = '{{ this.identifier }}'
            )
            select
                not exists (select from held)
                or exists (select from held where checksum <> '{{ staging_checksum() | trim }}')
                or exists (
                    select from held
                    where not exists (
                        select from {{ ref('stg_ingest__validated_batches') }} as batches
                        where batches.batch_id = held.batch_id
                    )
                )
        {%- endset -%}
        {%- if run_query(query).columns[0].values()[0] -%}
            reset
        {%- else -%}
            incremental
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#-
    `producer(*args)`'s text, rendered once per node, invocation and `args`. dbt compiles a node and
    then runs its materialization and hooks, each with a context of its own; both are kept in the
    node's entry of the invocation's `graph` (built once per dbt invocation, each node's entry
    written by that node's thread only), so the run reuses what the compilation read. A context
    without such an entry (a unit test, an ephemeral model that several parents inline) keeps it
    in its own `model` dict. For what does not change before the node's last post-hook: the mode
    of its build (the bookkeeping it reads is rewritten by that last hook, staging_increment_end),
    its checksum, the batches it reads. A model's hooks and CTEs asked staging_mode() some sixty
    times a build, each a query and a walk of the model's ancestors.
-#}
{% macro node_memo(name, producer, args=[]) -%}
    {%- set key = '_cjw_memo_' ~ name ~ (':' ~ args | join(':') if args else '') -%}
    {%- set memo = model if model is mapping else none -%}
    {%- if memo is not none and memo.get('config', {}).get('materialized') != 'ephemeral'
        and graph is mapping and memo.get('unique_id') in graph.get('nodes', {}) -%}
        {%- set memo = graph.nodes[memo.unique_id] -%}
    {%- endif -%}
    {%- if memo is not none and key in memo -%}
        {{ memo[key] }}
    {%- else -%}
        {%- set value = producer(*args) | trim -%}
        {%- if execute and memo is not none -%}
            {%- do memo.update({key: value}) -%}
        {%- endif -%}
        {{ value }}
    {%- endif -%}
{%- endmacro %}

{#-
    The batches a build of this model reads: every validated one, or only those it has not seen.
    Those are read when the model is compiled and written out as literal rows (the bookkeeping
    changes only in the model's post-hook): as a subquery the planner guessed half of a source's
    batches were new, and read the raw and staging tables whole by a parallel scan instead of
    by their batch_id index — at 120 months of history a day's `stg_call_centre__agent_events`
    took 6.7 s for one new batch. A full build or a reset reads every batch and keeps the query.
-#}
{% macro batches_to_read(ingest_source, every=false) -%}
    {{ node_memo('batches_to_read', batches_to_read_now, [ingest_source, every]) }}
{%- endmacro %}

{% macro batches_to_read_now(ingest_source, every) -%}
    {%- set incremental = not every and staging_mode() | trim == 'incremental' -%}
    {%- set query -%}
    select batch_id
    from {{ ref('stg_ingest__validated_batches') }}
    where source = '{{ ingest_source }}'
    {%- if incremental %}
        and batch_id not in (
            select held.batch_id from {{ incremental_batches_relation() }} as held
            where held.model = '{{ this.identifier }}'
        )
    {%- endif %}
    {%- endset -%}
    {%- if execute and incremental -%}
        {%- set batch_ids = run_query(query).columns[0].values() -%}
        select batch_id from (values
            {%- for batch_id in batch_ids %} ({{ batch_id | int }}::bigint){{ ',' if not loop.last }}{% else %} (null::bigint){% endfor %}
        ) as new_batches (batch_id)
    {%- else -%}
        {{ query }}
    {%- endif -%}
{%- endmacro %}

{#-
    One row per key of `relation` (a CTE of the model): the first by `order`. On an incremental
    build the rows the table holds for the keys seen again take part, so the winner is the one a
    full build would pick.
-#}
{% macro latest_per_key(relation, key, order) -%}
    select distinct on ({{ key | join(', ') }}) *
    from (
        select * from {{ relation }}
        {%- if staging_mode() | trim == 'incremental' %}
            union all
            select held.*
            from {{ this }} as held
            where ({{ key | join(', ') }}) in (select {{ key | join(', ') }} from {{ relation }})
        {%- endif %}
    ) as candidates
    order by {{ key | join(', ') }}, {{ order | join(', ') }}
{%- endmacro %}

{#-
    For a model downstream of staging, incremental by the same batches: the rows of `relation` (a
    staging model whose rows carry their `batch_id`) of every key a batch new to this model
    touched — the keys it recomputes whole (a call from all its queue events, whichever batch
    brought them). Every row on a full build or a reset.
-#}
{% macro rows_of_changed_keys(relation, ingest_source, key) -%}
    select * from {{ relation }}
    {%- if staging_mode() | trim == 'incremental' %}
        where {{ touched_by_new_batches(relation, ingest_source, key) }}
    {%- endif %}
{%- endmacro %}

{#-
    The condition "its `key` is one a batch new to this model brought to `relation`" (rows of
    `relation` carry their `batch_id`): what a model recomputes whole on an incremental build,
    from a raw table (`validated_rows` with `match`) or from a staging model (`rows_of_changed_keys`).
-#}
{% macro touched_by_new_batches(relation, ingest_source, key) -%}
    ({{ key | join(', ') }}) in (
        select {{ key | join(', ') }}
        from {{ relation }}
        where batch_id in ({{ batches_to_read(ingest_source) }})
    )
{%- endmacro %}

{% macro staging_increment_begin() -%}
    {%- if staging_mode() | trim == 'reset' -%}
        truncate {{ this }}
    {%- endif -%}
{%- endmacro %}

{#-
    The bookkeeping tables, one in every schema that holds an incremental model, made by
    stg_ingest__validated_batches (which every incremental model follows): made by the models
    themselves, two threads' `create table if not exists` collide.
-#}
{% macro create_incremental_batches() -%}
    {%- set schemas = [] -%}
    {%- if execute -%}
        {%- for node in graph.nodes.values()
            if node.resource_type == 'model' and node.config.materialized == 'incremental' -%}
            {%- if node.schema not in schemas -%}
                {%- do schemas.append(node.schema) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- for schema in schemas | sort %}
        create schema if not exists {{ schema }};
        create table if not exists {{ schema }}.incremental_batches (
            model text not null,
            batch_id bigint not null,
            checksum text not null,
            primary key (model, batch_id)
        );
        {#- in the order the batches were taken in: how far a relationship test has read (macros/tested_rows.sql) #}
        alter table {{ schema }}.incremental_batches add column if not exists seq bigint generated by default as identity;
    {%- endfor %}
    {{ create_journey_months() }};
    {{ create_client_row_changes() }};
    {{ create_kpi_months_built() }};
    {{ create_coverage_totals() }};
    {{ create_client_group_totals() }};
    {{ create_node_events() }};
    select 1
{%- endmacro %}

{#-
    The batches the model now holds. An incremental build adds the new ones and keeps the rows of
    those held (their `seq`: when the model took them in); a full build or a reset writes all anew.
-#}
{% macro staging_increment_end(ingest_source) -%}
    {#- staging_mode() queries the bookkeeping: read once -#}
    {%- set mode = staging_mode() | trim -%}
    {%- set incremental = mode == 'incremental' -%}
    {%- if not incremental -%}
        delete from {{ incremental_batches_relation() }} where model = '{{ this.identifier }}';
    {%- endif %}
    insert into {{ incremental_batches_relation() }} (model, batch_id, checksum)
    select '{{ this.identifier }}', batch_id, '{{ staging_checksum() | trim }}'
    from {{ ref('stg_ingest__validated_batches') }}
    {%- if ingest_source is not none %}
        where source = '{{ ingest_source }}'
    {%- endif %}
    {%- if incremental %}
        on conflict (model, batch_id) do nothing
    {%- endif %}
    {%- if mode == 'reset' -%}
        ;
        analyze {{ this }}
    {%- endif %}
{%- endmacro %}
