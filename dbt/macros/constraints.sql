{#-
    Post-hook of every model and seed: the columns the YAML declares `constraints: [{type:
    not_null}]` become NOT NULL columns of the table, whether or not the model has an enforced
    contract. PostgreSQL then checks each row as it is written — an incremental model pays for the
    rows a build adds, not for the whole table — and a null fails the model, so the build stops and
    nothing is published, as a failed `not_null` test would. A `not_null` data test scanned the
    whole table in every build (222 of them: the most numerous nodes of a build, and the part of
    the tests that grew with history). Setting NOT NULL on a column that already is one is a no-op
    without a scan; a table built anew (materialized table, a full refresh) is checked once here.
-#}
{% macro enforce_not_null_columns() -%}
    {%- set columns = [] -%}
    {%- for name, column in model.columns.items() -%}
        {%- for constraint in column.constraints if constraint.type == 'not_null' -%}
            {%- do columns.append(name) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if columns and config.get('materialized') in ('table', 'incremental', 'seed') -%}
        alter table {{ this }}
        {%- for name in columns %}
            alter column {{ adapter.quote(name) }} set not null{{ ',' if not loop.last }}
        {%- endfor %}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
