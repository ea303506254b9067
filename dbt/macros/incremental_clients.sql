{#-
    Journeys by changed client. int_clients__grouped, int_journey_events,
    int_journey_instance_events, int_journey_stage_visits, int_journey_instances and
    int_journey_kpi_observations__clients hold rows per client (a call-centre operator's shift counts as one
    there), each computed from that client's events alone: an incremental build recomputes the
    clients whose events or attribution changed and leaves every other client's rows as they are.

    1. int_identity__event_clients records, before it deletes the attributions it recomputes, the
       clients those events were attributed to (`client_changes`, pre-hook record_replaced_clients):
       an event may move to another client or lose its client, and the client it left must be
       recomputed too. A build of it that recomputes everything records a sentinel (no client).
    2. int_journey__touched_clients collects the clients to recompute: those recorded in 1 since
       its last build, the clients of every attribution that changed since then (a higher
       `identity_through`: new events, events whose content changed — identity recomputes every
       event a new batch touched and gives it a new watermark, and of a source recomputed whole
       such as e-mail requests the events whose identifiers changed — and every event whose
       client, ambiguity or cap changed; an event
       recomputed only for the scope, attributed as before, keeps its watermark, and its client
       is among those recorded in 1 anyway), and the
       operator shifts of the call-centre batches new to it. It keeps them until the last of the
       models by client has built (post-hook consume_touched_clients): a build that fails in
       between leaves them, and the next build recomputes them again.
    3. The models by client delete the rows of those clients and append them recomputed. A sentinel, or
       a model's own full or reset build (staging_mode: new logic, an edited seed upstream, a
       replaced batch, `--full-refresh`), recomputes the whole table.

    int_journey_stage_visits and int_journey_instances follow too: a stage turns `dropped` when the
    region's data end passes the instance's last event by the stage's `drop_off_days`, and the data
    end moves every day, so the touched clients include those whose instance's fate the new data
    end changes; whether an instance was under way before the data began depends on where the data
    starts, and a start that moves recomputes everything. int_journey_kpi_observations__clients,
    the KPI observations of the clients' instances, is the last model by client. Still whole: the
    other journey KPI observations (anonymous site hits, chats and surveys have no client; a
    complaint turns late as the data end moves) and the marts.
-#}

{% macro client_changes_relation() -%}
    {{ this.schema }}.client_changes
{%- endmacro %}

{% macro touched_clients_relation() -%}
    {{ this.incorporate(path={'identifier': 'int_journey__touched_clients'}) }}
{%- endmacro %}

{% macro create_client_changes() -%}
    create table if not exists {{ client_changes_relation() }} (
        seq bigserial primary key,
        client_id text
    )
{%- endmacro %}

{#- Pre-hook of int_identity__event_clients, before its delete: the clients its recomputed rows leave. -#}
{% macro record_replaced_clients() -%}
    {%- if execute -%}
        {%- set mode = identity_build_mode() | trim -%}
        {{ create_client_changes() }};
        {%- if mode == 'all' %}
            insert into {{ client_changes_relation() }} (client_id) values (null)
        {%- else %}
            insert into {{ client_changes_relation() }} (client_id)
            select distinct rows.client_id from {{ this }} as rows
            where rows.client_id is not null and {{ in_attribution_events('rows') }}
        {%- endif %}
    {%- endif -%}
{%- endmacro %}

{#- 'true' when `relation` exists (looked up in the database, not in dbt's cache). -#}
{% macro relation_exists(relation) -%}
    {%- if execute and run_query is defined -%}
        {{ 'true' if run_query("select to_regclass('" ~ relation ~ "') is not null").columns[0].values()[0] else 'false' }}
    {%- else -%}
        false
    {%- endif -%}
{%- endmacro %}

{#-
    An operator's shift (one agent on one region-local day): its client_id in the journeys and its
    shift_id in int_staff__shifts, which must agree.
-#}
{% macro shift_client_id(agent, local_date) -%}
    md5('shift|' || {{ agent }} || '|' || {{ local_date }})
{%- endmacro %}

{#-
    For int_journey__touched_clients: `<changes_through>:<identity_through>`, the watermarks of the
    records and attributions it read before (the highest among its rows).
-#}
{% macro touched_clients_watermark() -%}
    {%- set answer = '0:-1' -%}
    {%- if execute and staging_mode() | trim == 'incremental' -%}
        {%- set row = run_query(
            'select coalesce(max(changes_through), 0), coalesce(max(identity_through), -1) from ' ~ this
        ).rows[0] -%}
        {%- set answer = row[0] ~ ':' ~ row[1] -%}
    {%- endif -%}
    {{ answer }}
{%- endmacro %}

{#-
    How a model by client is built: `all` (its own full or reset build, or a sentinel among the
    touched clients) or `clients` (only the touched clients). Read when the model compiles.
-#}
{% macro touched_clients_mode() -%}
    {%- if staging_mode() | trim != 'incremental' or not execute -%}
        all
    {%- else -%}
        {{ node_memo('touched_clients_mode', touched_clients_mode_now) }}
    {%- endif -%}
{%- endmacro %}

{% macro touched_clients_mode_now() -%}
    {%- set everything = run_query(
        'select coalesce(bool_or(everything), true) from ' ~ touched_clients_relation()
    ).columns[0].values()[0] -%}
    {{- 'all' if everything else 'clients' -}}
{%- endmacro %}

{#-
    The condition "`column` is a touched client" (true when building all): `= any(array(…))`, an
    index lookup even where the model plans without nested loops. `scan`: for a table without an
    index on `column`, `in (…)` — a hashed subplan; `any` over a seq scan compares every row with
    every element (2.7 s for 1 200 shifts against the operators' events at 1 M events).
-#}
{% macro in_touched_clients(column, mode=none, scan=false) -%}
    {%- if (mode or touched_clients_mode()) | trim == 'all' -%}
        true
    {%- elif scan -%}
        {{ column }} in (
            select touched.client_id from {{ touched_clients_relation() }} as touched
            where touched.client_id is not null
        )
    {%- else -%}
        {{ column }} = any(array(
            select touched.client_id from {{ touched_clients_relation() }} as touched
            where touched.client_id is not null
        ))
    {%- endif -%}
{%- endmacro %}

{#-
    Pre-hook of the models by client: delete the rows to recompute. Names the touched clients at
    parse time (a parent). `diff`: a model written by the client_diff strategy keeps its rows here.
-#}
{% macro delete_touched_clients(diff=false) -%}
    {%- if not execute -%}
        {%- do ref('int_journey__touched_clients') -%}
    {%- endif -%}
    {%- set mode = touched_clients_mode() | trim -%}
    {%- if staging_mode() | trim != 'incremental' -%}
    {%- elif mode == 'all' -%}
        truncate {{ this }}
    {%- elif diff -%}
    {%- else -%}
        delete from {{ this }} where {{ in_touched_clients('client_id', mode) }}
    {%- endif -%}
{%- endmacro %}

{#-
    The config of the models by client (indexes made in a post-hook; client_id's, `unique` or not,
    among them). `diff_key`: the columns that identify a row (a unique index holds them); the
    model is then written by the client_diff strategy below.
-#}
{% macro incremental_by_touched_clients(unique=false, indexes=[], pre_hook=[], post_hook=[], diff_key=none) -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='client_diff' if diff_key else 'append',
        diff_key=diff_key,
        on_schema_change='sync_all_columns',
        pre_hook=pre_hook + ["{{ staging_increment_begin() }}", "{{ delete_touched_clients(diff=" ~ (diff_key is not none) ~ ") }}"],
        post_hook=["{{ ensure_indexes(" ~ ([{'columns': ['client_id'], 'unique': unique}] + indexes) ~ ") }}"]
            + post_hook + ["{{ staging_increment_end(none) }}"],
    ) }}
{%- endmacro %}

{#-
    The client_diff incremental strategy: the model's rows of the touched clients (a client's whole
    history, recomputed because a day brought one event) are compared with those the table holds,
    and only the difference is written — the rows gone or changed deleted (by the model's
    `diff_key`, null-safe, within the client), the rows new or changed inserted. Deleting and
    inserting a touched client's unchanged years cost int_journey_events 2.7 s of a day at 10 M
    events for 158 000 rows. A full build, a reset or every client recomputed: the rows appended,
    as `append` (the pre-hook emptied the table).
-#}
{% macro get_incremental_client_diff_sql(arg_dict) -%}
    {%- set target, source = arg_dict['target_relation'], arg_dict['temp_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- set mode = touched_clients_mode() | trim -%}
    {%- if staging_mode() | trim != 'incremental' or mode == 'all' -%}
        insert into {{ target }} ({{ columns }}) select {{ columns }} from {{ source }}
    {%- else -%}
        {%- set key = config.get('diff_key') -%}
        -- the touched clients' rows as held, read once for both differences
        create temporary table cjw_client_rows_held on commit drop as
        select {{ columns }} from {{ target }} where {{ in_touched_clients('client_id', mode) }};
        create temporary table cjw_client_rows_gone on commit drop as
        select {{ columns }} from cjw_client_rows_held
        except all
        select {{ columns }} from {{ source }};
        create temporary table cjw_client_rows_new on commit drop as
        select {{ columns }} from {{ source }}
        except all
        select {{ columns }} from cjw_client_rows_held;
        -- the few rows gone, by the client index (a model's pre-hook may have turned nested loops off)
        set local enable_nestloop = on;
        delete from {{ target }} as held
        using cjw_client_rows_gone as gone
        where held.client_id = gone.client_id
            {%- for column in key %}
            and held.{{ column }} is not distinct from gone.{{ column }}
            {%- endfor %};
        insert into {{ target }} ({{ columns }}) select {{ columns }} from cjw_client_rows_new
    {%- endif -%}
{%- endmacro %}

{#-
    Post-hook of the last model by client: the touched clients are done with; the newest watermark
    row stays, and the records it covers go.
-#}
{% macro consume_touched_clients() -%}
    {%- set touched = touched_clients_relation() -%}
    delete from {{ touched }} where client_id is not null;
    update {{ touched }} set everything = false where everything;
    delete from {{ touched }} where changes_through < (select max(changes_through) from {{ touched }});
    {{ create_client_changes() }};
    delete from {{ client_changes_relation() }}
    where seq <= (select coalesce(max(changes_through), 0) from {{ touched }})
{%- endmacro %}


{#- Per region of the seeds: the first and last touchpoint event (`data_start_at`, `data_end_at`;
    null for a region without events), by two index lookups on int_touchpoint_events (region_id,
    event_at) — not a `max(event_at) group by region_id` over every event of the history. The
    data end decides which journey instances in progress have dropped off. -#}
{% macro region_data_bounds() -%}
    select
        regions.region_id,
        (
            select min(events.event_at) from {{ ref('int_touchpoint_events') }} as events
            where events.region_id = regions.region_id
        ) as data_start_at,
        (
            select max(events.event_at) from {{ ref('int_touchpoint_events') }} as events
            where events.region_id = regions.region_id
        ) as data_end_at
    from {{ ref('regions') }} as regions
{%- endmacro %}

{#-
    The clients int_clients__grouped recomputed, for the marts copied from it (dim_clients), as
    the change log `client_row_changes` (macros/change_logs.sql): its post-hook logs the touched
    clients (a row without a client when it recomputed all). Made with the bookkeeping tables.
-#}
{% macro create_client_row_changes() -%}
    create table if not exists {{ change_log_relation('client_row_changes') }} (
        seq bigserial primary key,
        client_id text
    )
{%- endmacro %}

{% macro record_touched_clients_rows() -%}
    insert into {{ change_log_relation('client_row_changes') }} (client_id)
    {%- if staging_mode() | trim == 'incremental' and touched_clients_mode() | trim == 'clients' %}
    select touched.client_id from {{ touched_clients_relation() }} as touched where touched.client_id is not null
    {%- else %}
    values (null)
    {%- endif %}
{%- endmacro %}

{#-
    A mart copied row by row from int_clients__grouped (dim_clients), incremental by the clients
    logged since its own schema's last build: their rows deleted, and appended again from
    int_clients__grouped where it still holds them.
-#}
{% macro client_copy_mode() -%}
    {{ change_log_mode('client_row_changes', 'client_id') }}
{%- endmacro %}

{% macro in_logged_clients(column) -%}
    {%- if client_copy_mode() | trim == 'all' -%}
        true
    {%- else -%}
        {{ column }} = any(array(
            select logged.client_id from {{ change_log_relation('client_row_changes') }} as logged
            where {{ change_log_unread('client_row_changes', 'client_id') }}
        ))
    {%- endif -%}
{%- endmacro %}

{% macro delete_logged_clients() -%}
    {%- if staging_mode() | trim != 'incremental' -%}
    {%- elif client_copy_mode() | trim == 'all' -%}
        truncate {{ this }}
    {%- else -%}
        delete from {{ this }} where {{ in_logged_clients('client_id') }}
    {%- endif -%}
{%- endmacro %}
