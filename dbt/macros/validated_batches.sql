{#-
    The rows of one raw table (source `raw_<ingest_source>`) that belong to validated batches
    (Great Expectations passed): the preamble every staging model opens with. On an incremental
    build (macros/incremental_staging.sql) only the rows of batches the model has not read yet;
    with `match` (raw columns after region_id, the prefix of the raw table's natural-key index)
    also every validated row of the keys those batches carry — for a model whose rows depend
    on more than one raw row (a chat session's channel comes from its first event), so that it
    recomputes those keys whole.
-#}
{% macro validated_rows(ingest_source, raw_table, match=none) -%}
    {%- set raw_relation = source('raw_' ~ ingest_source, raw_table) -%}
    {%- set whole_keys = match is not none and staging_mode() | trim == 'incremental' -%}
    select raw_rows.*
    from {{ raw_relation }} as raw_rows
    inner join (
        {{ batches_to_read(ingest_source, every=whole_keys) }}
    ) as batches on raw_rows.batch_id = batches.batch_id
    {%- if whole_keys %}
        where {{ touched_by_new_batches(raw_relation, ingest_source, ['region_id'] + match) }}
    {%- endif %}
{%- endmacro %}
