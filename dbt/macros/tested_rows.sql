{#-
    Relationship tests that do not rescan the history every build (test cjw_relationships).

    A staging model whose every row is made from one raw row and carries that row's `batch_id`
    (meta `cjw_rows_by_batch: true` in its properties; not the chat events, whose channel comes
    from the session's first event) records in its
    bookkeeping (`incremental_batches`, with a sequence number `seq`) each batch when it first
    takes it in. When the test passes, the on-run-end hook (record_test_passes) writes how far:
    the model's highest `seq` then, and a fingerprint of the logic on both sides (every model
    and seed upstream of the model and of the parent, with their checksums). The next time, the
    test reads only the rows of the batches recorded after that — by the model's batch_id index —
    and the whole table when there is no pass yet or the fingerprint differs: a seed the working
    group edited (an office removed), a parent's or the model's SQL changed. A test that fails
    records nothing, so the rows it failed on are read again until it passes; a model rebuilt
    from every batch (`--full-refresh`, new logic, a replaced batch) records every batch anew.
    Rows of a batch already recorded do not change: staging keeps, per key, a row made from one
    raw row, and raw rows of a validated batch are not rewritten (a re-ingested interval replaces
    the batch, which rebuilds the model).
-#}

{#- The project node (model or seed) a relation is built by, or none. -#}
{% macro node_of_relation(relation) -%}
    {%- set found = [] -%}
    {%- if execute and relation is not none and relation.identifier is not none -%}
        {%- for node in graph.nodes.values()
            if node.resource_type in ('model', 'seed') and node.schema == relation.schema
                and (node.alias or node.name) == relation.identifier -%}
            {%- do found.append(node.unique_id) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(found[0] if found else none) }}
{%- endmacro %}

{#- md5 of the checksums of `node_ids` and every model and seed upstream of them. -#}
{% macro tested_rows_fingerprint(node_ids) -%}
    {%- set ancestors = [] -%}
    {%- do collect_ancestors(node_ids, ancestors) -%}
    {%- set parts = [var('cjw_staging_logic_version') | string] -%}
    {%- for ancestor in ancestors | sort -%}
        {%- do parts.append(ancestor ~ ':' ~ graph.nodes[ancestor].checksum.checksum) -%}
    {%- endfor -%}
    {{ return(local_md5(parts | join('|'))) }}
{%- endmacro %}

{% macro tested_rows_key(model_id, column_name, parent_id, field) -%}
    {{ return(local_md5([model_id, column_name, parent_id, field] | join('|'))) }}
{%- endmacro %}

{% macro test_passes_relation(schema) -%}
    {{ return(schema ~ '.incremental_test_passes') }}
{%- endmacro %}

{#-
    The condition on the tested model's rows for a cjw_relationships test: the rows of the
    batches recorded since the test last passed (a literal list: an index lookup), or `true`.
-#}
{% macro rows_not_yet_tested(model, column_name, to, field) -%}
    {%- set condition = 'true' -%}
    {%- set model_id = node_of_relation(model) -%}
    {%- set parent_id = node_of_relation(to) -%}
    {%- if model_id is not none and parent_id is not none
        and graph.nodes[model_id].config.meta.get('cjw_rows_by_batch') -%}
        {%- set passes = test_passes_relation(model.schema) -%}
        {#- made by the hook after a pass, which read the bookkeeping: both tables exist then -#}
        {%- if relation_exists(passes) | trim == 'true' -%}
            {#- the pass's fingerprint, and the batches taken in after it (none: one row of null) -#}
            {%- set rows = run_query(
                "select passes.fingerprint, batches.batch_id from " ~ passes ~ " as passes"
                ~ " left join " ~ model.schema ~ ".incremental_batches as batches"
                ~ " on batches.model = '" ~ model.identifier ~ "' and batches.seq > passes.through_seq"
                ~ " where passes.test_key = '" ~ tested_rows_key(model_id, column_name, parent_id, field) ~ "'"
                ~ " order by batches.batch_id"
            ).rows -%}
            {%- if rows and rows[0][0] == tested_rows_fingerprint([model_id, parent_id]) -%}
                {%- set batch_ids = rows | map(attribute=1) | reject('none') | list -%}
                {%- set condition -%}
                    {%- if batch_ids -%}
                        batch_id in ({% for batch_id in batch_ids %}{{ batch_id | int }}{{ ', ' if not loop.last }}{% endfor %})
                    {%- else -%}
                        false
                    {%- endif -%}
                {%- endset -%}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(condition) }}
{%- endmacro %}

{#-
    on-run-end: for every cjw_relationships test on a `cjw_rows_by_batch` model that passed in
    this invocation, how far it has read (the model's highest bookkeeping `seq`: its model ran
    before it, and nothing else writes that model's bookkeeping meanwhile) and the fingerprint.
-#}
{% macro record_test_passes(results) -%}
    {%- set statements = [] -%}
    {%- if execute -%}
        {#- the graph's nodes are dicts: a singular test has no test_metadata at all -#}
        {%- for result in results if result.status == 'pass' and result.node.unique_id in graph.nodes
            and (graph.nodes[result.node.unique_id].get('test_metadata') or {}).get('name') == 'cjw_relationships' -%}
            {%- set test = graph.nodes[result.node.unique_id] -%}
            {%- set model_id = test.attached_node -%}
            {%- set model_node = graph.nodes.get(model_id) -%}
            {%- set others = test.depends_on.nodes | reject('equalto', model_id) | list -%}
            {%- set parent_id = others[0] if others else model_id -%}
            {%- if model_node is not none and model_node.config.meta.get('cjw_rows_by_batch') -%}
                {%- set schema = model_node.schema -%}
                {%- set passes = test_passes_relation(schema) -%}
                {%- set key = tested_rows_key(model_id, test.column_name, parent_id, test.test_metadata.kwargs.field) -%}
                {%- set create = "create table if not exists " ~ passes ~ " (test_key text primary key, test_id text not null,"
                    ~ " through_seq bigint not null, fingerprint text not null, passed_at timestamptz not null default now())" -%}
                {#- once per schema -#}
                {%- if create not in statements -%}
                    {%- do statements.append(create) -%}
                {%- endif -%}
                {%- do statements.append(
                    "insert into " ~ passes ~ " (test_key, test_id, through_seq, fingerprint)"
                    ~ " select '" ~ key ~ "', '" ~ test.unique_id ~ "', coalesce(max(seq), 0), '"
                    ~ tested_rows_fingerprint([model_id, parent_id]) ~ "'"
                    ~ " from " ~ schema ~ ".incremental_batches where model = '" ~ (model_node.alias or model_node.name) ~ "'"
                    ~ " on conflict (test_key) do update set test_id = excluded.test_id, through_seq = excluded.through_seq,"
                    ~ " fingerprint = excluded.fingerprint, passed_at = excluded.passed_at"
                ) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if statements -%}
        {{ statements | join(';\n') }};
        commit
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
