{#-
    Post-hook of every model and seed: the columns the YAML declares `constraints: [{type:
    not_null}]` become NOT NULL columns of the table, whether or not the model has an enforced
    contract, and `{type: check, expression: "…"}` (what an `accepted_values` test said) a CHECK
    constraint (named by a hash of column and expression; one the YAML no longer declares is
    dropped; a model with an enforced contract has dbt make its checks). PostgreSQL then checks
    each row as it is written — an incremental model pays for the rows a build adds, not for the
    whole table — and a violation fails the model, so the build stops and nothing is published, as
    a failed data test would. The `not_null` and `accepted_values` tests these replace (221 and 49)
    scanned their whole tables in every build: the most numerous nodes of a build, and the part of
    the tests that grew with history. Setting NOT NULL on a column that already is one costs
    nothing; a table built anew (a table model, a full refresh) is checked once here, and so is an
    existing table when a constraint is added.
-#}
{% macro enforce_declared_constraints() -%}
    {%- set columns = [] -%}
    {%- set checks = {} -%}
    {%- for name, column in model.columns.items() -%}
        {%- for constraint in column.constraints -%}
            {%- if constraint.type == 'not_null' -%}
                {%- do columns.append(name) -%}
            {%- elif constraint.type == 'check' and not model.contract.enforced -%}
                {%- do checks.update({'cjw_check_' ~ local_md5(name ~ '|' ~ constraint.expression)[:12]: constraint.expression}) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if config.get('materialized') in ('table', 'incremental', 'seed') -%}
        {%- if columns -%}
            alter table {{ this }}
            {%- for name in columns %}
                alter column {{ adapter.quote(name) }} set not null{{ ',' if not loop.last }}
            {%- endfor %};
        {%- endif %}
        do $cjw$
        declare
            stale record;
        begin
            -- a check the YAML no longer declares (values added to a list: a new name) goes
            for stale in
                select conname from pg_constraint
                where conrelid = '{{ this }}'::regclass and contype = 'c' and conname like 'cjw\_check\_%'
                    and conname <> all (array['{{ (checks.keys() | list + ['-']) | join("', '") }}'])
            loop
                execute format('alter table {{ this }} drop constraint %I', stale.conname);
            end loop;
            {%- for name, expression in checks.items() %}
            if not exists (select from pg_constraint where conrelid = '{{ this }}'::regclass and conname = '{{ name }}') then
                alter table {{ this }} add constraint {{ name }} check ({{ expression }});
            end if;
            {%- endfor %}
        end
        $cjw$
    {%- endif -%}
{%- endmacro %}
