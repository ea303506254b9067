{#-
    Schemas are the layer names (staging, intermediate, config), not prefixed with the target
    schema, so BI and the pages see stable names. Marts are built into the build schema
    (var cjw_marts_build_schema); only the publish step swaps them into `marts`, after the gate.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif custom_schema_name | trim == 'marts' -%}
        {{ var('cjw_marts_build_schema') }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
