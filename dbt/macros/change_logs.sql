{#-
    Change logs: an intermediate model that knows which of its rows a build changed writes their
    keys to a log (`intermediate.<name>`: `seq bigserial`, the key columns; a row whose
    `sentinel` column is null means "everything"), in the same transaction as the rows; a mart
    built from it recomputes only the keys logged since it last read the log.

    A mart keeps the highest `seq` it has read beside its batches, as the bookkeeping row of model
    `<mart>#<name>` (batch_id = that seq, checksum = the log's epoch, its table's oid: a log made
    anew — its schema dropped — numbers from 1 again), which moves with its mart schema: the two
    mart schemas take turns, so a build reads what was logged since its own schema's build, two
    builds ago. After a mart's build the log loses what every mart of both schemas has read.

    Logs in use: `journey_observation_changes` (macros/incremental_journey_months.sql).
-#}

{#- The schema of the logs: the intermediate models' (dbt_project.yml). -#}
{% macro change_log_relation(name) -%}
    {{ generate_schema_name('intermediate', none) | trim }}.{{ name }}
{%- endmacro %}

{#-
    For a mart reading log `name`: `<mode>:<read through>:<new through>:<epoch>` — `all` (the
    mart's own full or reset build, no watermark of this log's epoch, a watermark the log no
    longer holds or above its end, or a row of "everything" since) or `changes`; the highest seq
    it read, the highest in the log now, and the log's epoch.
-#}
{% macro change_log_watermarks(name, sentinel) -%}
    {{ node_memo('change_log_watermarks', change_log_watermarks_now, [name, sentinel]) }}
{%- endmacro %}

{% macro change_log_watermarks_now(name, sentinel) -%}
    {%- set answer = 'all:-1:0:none' -%}
    {%- set log = change_log_relation(name) -%}
    {#- a unit test renders the model where the log may not exist: as a full build -#}
    {%- if execute and run_query is defined and relation_exists(log) | trim == 'true' -%}
        {%- set epoch = 'log ' ~ run_query("select '" ~ log ~ "'::regclass::oid").columns[0].values()[0] -%}
        {%- set held = -1 -%}
        {%- if staging_mode() | trim == 'incremental' -%}
            {%- set held = run_query(
                'select coalesce(max(batch_id), -1) from ' ~ incremental_batches_relation()
                ~ " where model = '" ~ this.identifier ~ "#" ~ name ~ "' and checksum = '" ~ epoch ~ "'"
            ).columns[0].values()[0] -%}
        {%- endif -%}
        {%- set row = run_query(
            'select coalesce(max(seq), 0), coalesce(min(seq) - 1, 0), coalesce(bool_or('
            ~ sentinel ~ ' is null and seq > ' ~ held ~ '), false) from ' ~ log
        ).rows[0] -%}
        {%- set mode = 'all' if held < 0 or held > row[0] or held < row[1] or row[2] else 'changes' -%}
        {%- set answer = mode ~ ':' ~ held ~ ':' ~ row[0] ~ ':' ~ epoch -%}
    {%- endif -%}
    {{ answer }}
{%- endmacro %}

{% macro change_log_mode(name, sentinel) -%}
    {{ change_log_watermarks(name, sentinel).split(':')[0] | trim }}
{%- endmacro %}

{#- The condition "logged since this mart's watermark" on the log's `seq`. -#}
{% macro change_log_unread(name, sentinel) -%}
    {%- set marks = change_log_watermarks(name, sentinel).split(':') -%}
    seq > {{ marks[1] | trim | int }} and seq <= {{ marks[2] | trim | int }}
{%- endmacro %}

{#-
    Post-hook of a mart reading log `name`: its watermark, beside its batches; then the log loses
    what every mart of both mart schemas has read (the other schema: the published one or the
    build one, whichever this is not; none while it does not exist), all but its newest row.
-#}
{% macro record_change_log_watermark(name, sentinel) -%}
    {%- set marks = change_log_watermarks(name, sentinel).split(':') -%}
    {%- set log = change_log_relation(name) -%}
    {%- set other = 'marts' if this.schema == var('cjw_marts_build_schema') else var('cjw_marts_build_schema') -%}
    {%- set other_exists = relation_exists(other ~ '.incremental_batches') | trim == 'true' -%}
    delete from {{ incremental_batches_relation() }} where model = '{{ this.identifier }}#{{ name }}';
    insert into {{ incremental_batches_relation() }} (model, batch_id, checksum)
    values ('{{ this.identifier }}#{{ name }}', {{ marks[2] | trim | int }}, '{{ marks[3] | trim }}')
    {%- if other_exists %};
    delete from {{ log }}
    where seq < (select max(seq) from {{ log }})
        and seq <= (
            select min(batch_id) from (
                select batch_id from {{ incremental_batches_relation() }} where model like '%#{{ name | replace('_', '\\_') }}'
                union all
                select batch_id from {{ other }}.incremental_batches where model like '%#{{ name | replace('_', '\\_') }}'
            ) as marks
        )
    {%- endif %}
{%- endmacro %}
