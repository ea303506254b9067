{#- Batches of one source whose Great Expectations suite passed: the only raw rows staging reads. -#}
{% macro validated_batches(ingest_source) -%}
    select batch_id
    from {{ source('ingest', 'ingest_batches') }}
    where source = '{{ ingest_source }}' and status = 'validated'
{%- endmacro %}

{#-
    The rows of one raw table (source `raw_<ingest_source>`) that belong to validated batches:
    the preamble every staging model opens with.
-#}
{% macro validated_rows(ingest_source, raw_table) -%}
    select raw_rows.*
    from {{ source('raw_' ~ ingest_source, raw_table) }} as raw_rows
    inner join (
        {{ validated_batches(ingest_source) }}
    ) as batches on raw_rows.batch_id = batches.batch_id
{%- endmacro %}
