{#-
    Journey KPIs by month. fct_client_kpis aggregates int_journey_kpi_observations — a view over
    three tables — into day and month rows per (KPI, region); reading every observation of the
    history for one day's change made it the cost of the whole history. The three tables now
    record which (KPI, region, month) partitions their build changed, and the mart recomputes only
    those.

    The change log, `journey_observation_changes` in the schema of the three tables (seq, kpi_id,
    region_id, local_month; a row of nulls = every partition), is written in the same transaction
    as the rows it describes:
    - int_journey_kpi_observations__clients (incremental by client): the months of the touched
      clients' rows before its delete (pre-hook) and after its insert (post-hook); a build of all
      clients writes the row of nulls.
    - int_journey_kpi_observations__portal (incremental by page view): the months of the page
      views it deletes and appends, the same way; a build of all page views writes the row of nulls.
    - int_journey_kpi_observations__events (recomputed whole: a complaint turns late as the data
      end moves, the chatbot's and surveys' rows follow attribution): a fingerprint per partition
      (row count and the sum of a 64-bit hash of every row), kept in
      `journey_observation_fingerprints`; a partition whose fingerprint changed is logged.
    A consumer reads the log as macros/change_logs.sql says: what was logged since its own
    schema's build, two builds ago (the two mart schemas take turns).
-#}

{% macro journey_months_relation() -%}
    {{ change_log_relation('journey_observation_changes') }}
{%- endmacro %}

{% macro journey_fingerprints_relation() -%}
    {{ change_log_relation('journey_observation_fingerprints') }}
{%- endmacro %}

{#- Made with the bookkeeping tables (create_incremental_batches): two threads' `create table if not exists` collide. -#}
{% macro create_journey_months() -%}
    create table if not exists {{ journey_months_relation() }} (
        seq bigserial primary key,
        kpi_id text,
        region_id text,
        local_month date
    );
    create table if not exists {{ journey_fingerprints_relation() }} (
        kpi_id text not null,
        region_id text not null,
        local_month date not null,
        observations bigint not null,
        fingerprint numeric not null,
        primary key (kpi_id, region_id, local_month)
    )
{%- endmacro %}

{#- Log the partitions of this table's rows meeting `condition`; `condition` none: every partition (a row of nulls). -#}
{% macro record_journey_months(condition) -%}
    {%- if condition is none -%}
        insert into {{ journey_months_relation() }} (kpi_id, region_id, local_month) values (null, null, null)
    {%- else -%}
        insert into {{ journey_months_relation() }} (kpi_id, region_id, local_month)
        select distinct kpi_id, region_id, date_trunc('month', local_date)::date
        from {{ this }}
        where local_date is not null and ({{ condition }})
    {%- endif -%}
{%- endmacro %}

{#-
    Hooks of int_journey_kpi_observations__clients and __portal, before their delete (`before`)
    and after their insert: the partitions of the rows they recompute — `conditions`, one
    statement each — on an incremental build of `changed` (the touched clients, the page views
    copied again); every partition (before) on a build of everything.
-#}
{% macro record_recomputed_months(before, changed, conditions) -%}
    {%- if staging_mode() | trim == 'incremental' and changed -%}
        {%- for condition in conditions %}
        {{ record_journey_months(condition) }}{{ ';' if not loop.last }}
        {%- endfor %}
    {%- elif before -%}
        {{ record_journey_months(none) }}
    {%- endif -%}
{%- endmacro %}

{% macro record_touched_clients_months(before) -%}
    {{ record_recomputed_months(
        before, touched_clients_mode() | trim == 'clients', [in_touched_clients('client_id', 'clients')]
    ) }}
{%- endmacro %}

{% macro record_touchpoint_copy_months(before) -%}
    {%- set conditions = [] -%}
    {%- for part in ('batches', 'whole', 'attribution') -%}
        {%- do conditions.append('event_id in (' ~ touchpoint_copy_ids(part) ~ ')') -%}
    {%- endfor -%}
    {{ record_recomputed_months(before, touchpoint_copy_mode() | trim == 'changes', conditions) }}
{%- endmacro %}

{#-
    int_journey_kpi_observations__events is recomputed whole each build (a complaint turns late as
    the data end moves; the chatbot's and surveys' rows follow attribution) but written by partition:
    the partition_diff strategy fingerprints the recomputed rows per (KPI, region, month) — row count
    and the sum of a 64-bit hash of every row — and replaces only the partitions whose fingerprint
    changed, appeared or went, logging them; rows without a date are replaced every build. Emptying
    the table and inserting every row again cost 1.5 s of a day at 10 M events (538 000 rows, their
    index) for the few partitions a day changes.
-#}
{#-
    Fingerprints per partition of `rows`: each row's text hashed, `columns` in the table's order (a
    row of the table itself, `columns` none, is that text already; the strategy's recomputed rows
    may hold them in another order).
-#}
{% macro journey_fingerprints(rows, columns=none) -%}
    select
        kpi_id,
        region_id,
        date_trunc('month', local_date)::date as local_month,
        count(*) as observations,
        sum(hashtextextended(({{ 'observations' if columns is none else 'row(' ~ columns ~ ')' }})::text, 0)::numeric)
            as fingerprint
    from {{ rows }} as observations
    where local_date is not null
    group by 1, 2, 3
{%- endmacro %}

{#- The partitions whose fingerprint in journey_fingerprints_now differs from the one kept, or that appeared or went. -#}
{% macro changed_journey_partitions() -%}
    select
        coalesce(now.kpi_id, before.kpi_id) as kpi_id,
        coalesce(now.region_id, before.region_id) as region_id,
        coalesce(now.local_month, before.local_month) as local_month
    from journey_fingerprints_now as now
    full join {{ journey_fingerprints_relation() }} as before
        on now.kpi_id = before.kpi_id and now.region_id = before.region_id and now.local_month = before.local_month
    where now.fingerprint is distinct from before.fingerprint or now.observations is distinct from before.observations
{%- endmacro %}

{% macro get_incremental_partition_diff_sql(arg_dict) -%}
    {%- set target, source = arg_dict['target_relation'], arg_dict['temp_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    create temporary table journey_fingerprints_now on commit drop as
    {{ journey_fingerprints(source, columns) }};
    create temporary table journey_partitions_changed on commit drop as
    {{ changed_journey_partitions() }};
    delete from {{ target }} as held
    using journey_partitions_changed as changed
    where held.kpi_id = changed.kpi_id
        and held.region_id = changed.region_id
        and held.local_date >= changed.local_month
        and held.local_date < (changed.local_month + interval '1 month')::date;
    delete from {{ target }} where local_date is null;
    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ source }} as observations
    where observations.local_date is null or exists (
        select from journey_partitions_changed as changed
        where changed.kpi_id = observations.kpi_id
            and changed.region_id = observations.region_id
            and changed.local_month = date_trunc('month', observations.local_date)::date
    );
    insert into {{ journey_months_relation() }} (kpi_id, region_id, local_month)
    select kpi_id, region_id, local_month from journey_partitions_changed;
    delete from {{ journey_fingerprints_relation() }};
    insert into {{ journey_fingerprints_relation() }} select * from journey_fingerprints_now
{%- endmacro %}

{#-
    Post-hook of int_journey_kpi_observations__events: after a build of the whole table (the first,
    a full refresh) every partition's fingerprint kept and the partitions that differ from those kept
    before logged; after the partition_diff strategy (which made journey_fingerprints_now), nothing.
-#}
{% macro record_changed_fingerprints() -%}
    do $cjw$
    begin
        if to_regclass('pg_temp.journey_fingerprints_now') is not null then
            return;
        end if;
        create temporary table journey_fingerprints_now on commit drop as
        {{ journey_fingerprints(this) }};
        insert into {{ journey_months_relation() }} (kpi_id, region_id, local_month)
        {{ changed_journey_partitions() }};
        delete from {{ journey_fingerprints_relation() }};
        insert into {{ journey_fingerprints_relation() }} select * from journey_fingerprints_now;
    end
    $cjw$
{%- endmacro %}

{#- The (kpi, region, month) partitions logged since this consumer's watermark, as literal rows. -#}
{% macro changed_journey_months_values() -%}
    {{ literal_rows(
        'select distinct kpi_id, region_id, local_month from ' ~ journey_months_relation()
        ~ ' where ' ~ change_log_unread('journey_observation_changes', 'kpi_id'),
        [['kpi_id', 'text'], ['region_id', 'text'], ['local_month', 'date']],
    ) }}
{%- endmacro %}

{#-
    The journey KPI observations a consumer reads, as a FROM item named `observations`: in `changes`
    mode those of the logged partitions, each an index range (kpi_id, region_id, local_date) of the
    three tables behind the view — a lateral subquery behind `offset 0`, as
    kpi_observations_of_changed_months; otherwise the whole view.
-#}
{% macro journey_observations_of_changed_months() -%}
    {%- if change_log_mode('journey_observation_changes', 'kpi_id') | trim == 'changes' -%}
        {{ observations_of_months(ref('int_journey_kpi_observations'), changed_journey_months_values()) }}
    {%- else -%}
        {{ ref('int_journey_kpi_observations') }} as observations
    {%- endif -%}
{%- endmacro %}

{#-
    Pre-hook of a consumer: delete the rows of the logged partitions (all, in `all` mode); with
    `whole_period`, also every row of period_grain 'all' (the whole period: recomputed each build).
-#}
{% macro delete_changed_journey_months(whole_period=false) -%}
    {%- if staging_mode() | trim != 'incremental' -%}
    {%- elif change_log_mode('journey_observation_changes', 'kpi_id') | trim == 'all' -%}
        truncate {{ this }}
    {%- else -%}
        {%- if whole_period %}
        delete from {{ this }} where period_grain = 'all';
        {%- endif %}
        delete from {{ this }}
        where period_grain <> 'all' and (kpi_id, region_id, date_trunc('month', period_start)::date) in (
            select kpi_id, region_id, local_month from ({{ changed_journey_months_values() }}) as changed
        )
    {%- endif -%}
{%- endmacro %}

{#-
    A consumer: a mart of the journey KPI observations, incremental by (KPI, region, month);
    `whole_period`: its rows of period_grain 'all' are recomputed each build.
-#}
{% macro incremental_by_journey_months(indexes=[], whole_period=false) -%}
    {{ incremental_by_changes(
        none,
        "delete_changed_journey_months(whole_period=" ~ whole_period ~ ")",
        [{'columns': ['kpi_id', 'region_id', 'period_start']}] + indexes,
        'append_new_columns',
        pre_hook=["{{ aggregate_work_mem() }}"],
        post_hook=["{{ record_change_log_watermark('journey_observation_changes', 'kpi_id') }}"],
    ) }}
{%- endmacro %}
