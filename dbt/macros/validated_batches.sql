{#- Batches of one source whose Great Expectations suite passed: the only raw rows staging reads. -#}
{% macro validated_batches(ingest_source) -%}
    select batch_id
    from {{ source('ingest', 'ingest_batches') }}
    where source = '{{ ingest_source }}' and status = 'validated'
{%- endmacro %}
