{#-
    Incremental by event: the per-source event models (int_<source>__touchpoint_events,
    __identity_occurrences, __kpi_observations, and the tickets they read) and the unions of them
    (int_identity__occurrences, int_kpi_observations) recompute only the events a batch new to
    them touched, whole, and leave every other event's rows as they are.

    An event is (region_id, event_key) of its event source. The events a new batch touched are
    read from the staging rows of that batch (staging rows carry their `batch_id`,
    macros/incremental_staging.sql), per event source (`changed_event_keys`):
    - a call: every call a new queue-log line or CRM wrap-up names (a call crossing midnight is in
      two days' logs; its summary and topic are recomputed whole);
    - a case event: every event of a case a new batch brought an event of (an event's service
      type may come from the case's first event);
    - a chat session: the session (its channel and intent come from its first events);
    - a ticket, hit, visit, portal event, survey response: the row itself.
    A model first deletes its rows of those events (pre-hook: an event whose recomputation no
    longer yields a row loses its old one), then appends the recomputed rows, in one transaction
    with its bookkeeping (`staging.incremental_batches`, as staging): the same `full` /
    `incremental` / `reset` per model and build. An event source whose rows depend on more than
    their own events — e-mail requests: an unanswered request turns late when the region's
    later mail passes its deadline — is listed in the variable `cjw_whole_event_sources`: its
    per-source models stay whole tables and the unions replace all of its rows in every build.
-#}

{#-
    The event sources recomputed whole (`cjw_whole_event_sources`) as an SQL list for `in (…)`;
    '-', no source, keeps the list valid when the variable is empty.
-#}
{% macro whole_event_sources_list() -%}
    ('{{ (var("cjw_whole_event_sources") + ["-"]) | join("', '") }}')
{%- endmacro %}

{#- The ingest source (raw tables, batches) an event source's rows come from. -#}
{% macro event_ingest_source(event_source) -%}
    {%- if event_source in ('website_hits', 'website_visits', 'portal') -%}
        website
    {%- else -%}
        {{ event_source }}
    {%- endif -%}
{%- endmacro %}

{#- The events (region_id, event_key) of `event_source` that batches new to this model touched. -#}
{% macro changed_event_keys(event_source) -%}
    {%- set new_batches = batches_to_read(event_ingest_source(event_source) | trim) -%}
    {%- set staging = {
        'office_visits': 'stg_office_visits__tickets',
        'website_hits': 'stg_website__hits',
        'website_visits': 'stg_website__visits',
        'portal': 'stg_website__portal_events',
        'chatbot': 'stg_chatbot__events',
        'surveys': 'stg_surveys__responses',
    } -%}
    {%- if event_source == 'call_centre' -%}
        select region_id, call_id as event_key from {{ ref('stg_call_centre__queue_events') }}
        where batch_id in ({{ new_batches }})
        union
        select region_id, call_id from {{ ref('stg_call_centre__call_topics') }}
        where batch_id in ({{ new_batches }})
    {%- elif event_source == 'cases' -%}
        select region_id, event_key from {{ ref('stg_cases__events') }}
        where (region_id, case_id) in (
            select region_id, case_id from {{ ref('stg_cases__events') }}
            where batch_id in ({{ new_batches }})
        )
    {%- elif event_source in staging -%}
        select region_id, event_key from {{ ref(staging[event_source]) }}
        where batch_id in ({{ new_batches }})
    {%- else -%}
        {{ exceptions.raise_compiler_error('no changed-event rule for event source ' ~ event_source) }}
    {%- endif -%}
{%- endmacro %}

{#- The condition a per-source model puts on its input: the events new batches touched on an incremental build. -#}
{% macro changed_events_only(event_source, region='region_id', key='event_key') -%}
    {%- if staging_mode() | trim == 'incremental' -%}
        ({{ region }}, {{ key }}) in ({{ changed_event_keys(event_source) }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#-
    The config every model incremental by changed events shares: appended rows after `delete` (the
    model's own pre-hook, which removes the rows it recomputes), the bookkeeping of staging
    (`ingest_source`: the batches of one source, none: of all), `indexes` made by a post-hook
    (macro ensure_indexes: also on a table an earlier release built, and with a unique key's
    `nulls_not_distinct`, which dbt's index config does not know). A mart (enforced contract) passes
    on_schema_change='append_new_columns': it may only gain columns.
-#}
{% macro incremental_by_changes(
    ingest_source, delete, indexes, on_schema_change='sync_all_columns', pre_hook=[], post_hook=[], strategy='append'
) -%}
    {{ config(
        materialized='incremental',
        incremental_strategy=strategy,
        on_schema_change=on_schema_change,
        pre_hook=pre_hook + ["{{ staging_increment_begin() }}", "{{ " ~ delete ~ " }}"],
        post_hook=["{{ ensure_indexes(" ~ indexes ~ ") }}"] + post_hook + [
            "{{ staging_increment_end(" ~ ("'" ~ ingest_source ~ "'" if ingest_source else "none") ~ ") }}"
        ],
    ) }}
{%- endmacro %}

{#-
    A per-source event model (or a mart of events), incremental by the events new batches
    touched; `key` is the column that holds the event key (`event_key`, a mart's `call_id`);
    `unique`: one row per event (region_id, key), which its index then enforces.
-#}
{% macro incremental_by_events(event_source, key='event_key', unique=false, indexes=[], on_schema_change='sync_all_columns') -%}
    {{ incremental_by_changes(
        event_ingest_source(event_source) | trim,
        "delete_changed_events(['" ~ event_source ~ "'], key='" ~ key ~ "')",
        [{'columns': ['region_id', key], 'unique': unique, 'nulls_not_distinct': unique}] + indexes,
        on_schema_change,
    ) }}
{%- endmacro %}

{#- A union of per-source event models, incremental by the events new batches touched (`wrap`, `strategy`: as incremental_by_changes' and delete_changed_events'). -#}
{% macro incremental_union_of_events(kind, indexes=[], pre_hook=[], post_hook=[], wrap=none, strategy='append') -%}
    {{ incremental_by_changes(
        none,
        "delete_changed_events(var('cjw_event_sources')['" ~ kind ~ "'], by_source=true" ~ (", wrap=" ~ wrap if wrap else "") ~ ")",
        [{'columns': ['source', 'region_id', 'event_key']}] + indexes,
        pre_hook=pre_hook,
        post_hook=post_hook,
        strategy=strategy,
    ) }}
{%- endmacro %}

{#-
    The rows of `relation` (a union of event sources: it names each row's `source`, `region_id`
    and `event_key`) of the events new batches touched, for `event_sources`, and every row of the
    sources recomputed whole — as one `in` over a union, so that each part is an index lookup.
-#}
{% macro changed_events_of_sources(relation, event_sources) -%}
    (source, region_id, event_key) in ({{ changed_events_select(relation, event_sources) }})
{%- endmacro %}

{#- Those events as rows (source, region_id, event_key). -#}
{% macro changed_events_select(relation, event_sources) -%}
    {%- set whole = var('cjw_whole_event_sources') -%}
    {%- for source_id in event_sources if source_id not in whole %}
        select '{{ source_id }}' as source, region_id, event_key from ({{ changed_event_keys(source_id) }}) as changed
        union all
    {%- endfor %}
    select source, region_id, event_key from {{ relation }}
    where source in ('{{ (event_sources | select("in", whole) | list + ['-']) | join("', '") }}')
{%- endmacro %}

{#-
    Pre-hook: on an incremental build, delete the rows of the events new batches touched (and,
    in a union, every row of the sources recomputed whole, and then those meeting the condition
    `also`); `wrap`, a macro given each delete statement, may make more of it (subtract_coverage_counts).
    dbt reads a model's parents from its
    hooks too when it parses the project: the staging models the changed events are read from
    are named here then, and so become parents (a unit test, which runs no hook, needs no input
    for them).
-#}
{% macro delete_changed_events(event_sources, by_source=false, key='event_key', also=none, wrap=none) -%}
    {%- if not execute -%}
        {%- for source_id in event_sources if source_id not in var('cjw_whole_event_sources') -%}
            {%- do changed_event_keys(source_id) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if staging_mode() | trim == 'incremental' -%}
        {%- set statements = [] -%}
        {%- if by_source -%}
            {%- do statements.append('delete from ' ~ this ~ ' where ' ~ changed_events_of_sources(this, event_sources)) -%}
            {%- if (also or '') | trim -%}
                {#- a statement of its own: `a in (…) or b in (…)` keeps the first as a subplan run
                    per row when its estimate exceeds work_mem (38 s instead of 0.2 at 1 M events) #}
                {%- do statements.append('delete from ' ~ this ~ ' where ' ~ also) -%}
            {%- endif %}
        {%- else -%}
            {%- do statements.append(
                'delete from ' ~ this ~ ' where (region_id, ' ~ key ~ ') in (' ~ changed_event_keys(event_sources[0]) ~ ')'
            ) -%}
        {%- endif -%}
        {%- for statement in statements -%}
            {{ wrap(statement) if wrap else statement }}{{ ';' if not loop.last }}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{#-
    Pre-hook of fct_office_tickets (keyed by ticket_key, the hashed twin of the event key): on an
    incremental build, delete the rows of the tickets new batches touched.
-#}
{% macro delete_changed_tickets() -%}
    {%- if not execute -%}
        {%- do changed_event_keys('office_visits') -%}
    {%- endif -%}
    {%- if staging_mode() | trim == 'incremental' -%}
        delete from {{ this }} where ticket_key in (
            select tickets.ticket_key from {{ ref('int_office_visits__tickets') }} as tickets
            where (tickets.region_id, tickets.event_key) in ({{ changed_event_keys('office_visits') }})
        )
    {%- endif -%}
{%- endmacro %}

{#-
    Pre-hook of fct_queue_services (tickets and calls in one table): on an incremental build, delete
    the rows of the tickets and of the calls new batches touched.
-#}
{% macro delete_changed_queue_services() -%}
    {%- if not execute -%}
        {%- do changed_event_keys('office_visits') -%}
        {%- do changed_event_keys('call_centre') -%}
    {%- endif -%}
    {%- if staging_mode() | trim == 'incremental' -%}
        delete from {{ this }}
        where system = 'office' and (region_id, event_key) in ({{ changed_event_keys('office_visits') }});
        delete from {{ this }}
        where system = 'call' and (region_id, event_key) in ({{ changed_event_keys('call_centre') }})
    {%- endif -%}
{%- endmacro %}

{#-
    KPI figures by month: a mart of int_kpi_observations (day and month rows) recomputed for the
    (kpi, region, month) partitions that hold an observation of an event new batches touched —
    the months of the changed events' observations, every month of a source recomputed whole.
    An event keeps its observation date from build to build (a call's is the day it entered the
    queue), so its month is the one its old rows were in.
-#}
{% macro incremental_by_kpi_months(indexes=[], on_schema_change='append_new_columns', pre_hook=[]) -%}
    {{ incremental_by_changes(
        none,
        "delete_changed_kpi_months()",
        [{'columns': ['kpi_id', 'region_id', 'period_start']}] + indexes,
        on_schema_change,
        pre_hook=["{{ aggregate_work_mem() }}"] + pre_hook,
        post_hook=["{{ record_kpi_months_built() }}"],
    ) }}
{%- endmacro %}

{#-
    The (kpi, region, month) partitions the last build of a mart by KPI months recomputed
    (`intermediate.kpi_months_built`, one set per mart and schema; a row of nulls: all of them),
    for the tests that check those months only (assert_region_call_kpis_count_each_call_once).
    Made with the bookkeeping tables.
-#}
{% macro kpi_months_built_relation() -%}
    {{ change_log_relation('kpi_months_built') }}
{%- endmacro %}

{% macro create_kpi_months_built() -%}
    create table if not exists {{ kpi_months_built_relation() }} (
        mart text not null,
        kpi_id text,
        region_id text,
        local_month date
    )
{%- endmacro %}

{#- Post-hook of a mart by KPI months: the partitions this build recomputed. -#}
{% macro record_kpi_months_built() -%}
    delete from {{ kpi_months_built_relation() }} where mart = '{{ this.schema }}.{{ this.identifier }}';
    insert into {{ kpi_months_built_relation() }} (mart, kpi_id, region_id, local_month)
    {%- if staging_mode() | trim == 'incremental' %}
    select '{{ this.schema }}.{{ this.identifier }}', kpi_id, region_id, local_month
    from ({{ changed_kpi_months_values() }}) as changed
    where kpi_id is not null
    {%- else %}
    values ('{{ this.schema }}.{{ this.identifier }}', null, null, null)
    {%- endif %}
{%- endmacro %}

{#- The (kpi, region, month) partitions to recompute. -#}
{% macro changed_kpi_months() -%}
    select distinct kpi_id, region_id, date_trunc('month', local_date)::date as local_month
    from {{ ref('int_kpi_observations') }}
    where {{ changed_events_of_sources(ref('int_kpi_observations'), var('cjw_event_sources')['kpi_observations']) }}
{%- endmacro %}

{#-
    The changed partitions as literal rows, read when the model is compiled (before its pre-hook
    runs; the bookkeeping changes only in its post-hook): the planner then knows how few they are
    and reads each by an index range scan instead of hashing the whole observation table.
-#}
{% macro changed_kpi_months_values() -%}
    {{ literal_rows(changed_kpi_months(), [['kpi_id', 'text'], ['region_id', 'text'], ['local_month', 'date']]) }}
{%- endmacro %}

{#-
    The rows of `query`, run when the model compiles, as a VALUES list named `changed` with
    `columns` ([name, type], type text or date); one row of nulls when it returns none.
-#}
{% macro literal_rows(query, columns) -%}
    {%- set rows = run_query(query).rows if execute else [] -%}
    select * from (values
        {%- for row in rows %}
            (
            {%- for column in columns -%}
                {{ ', ' if not loop.first }}
                {%- if column[1] == 'date' -%}
                    date '{{ row[loop.index0] }}'
                {%- else -%}
                    '{{ row[loop.index0] | replace("'", "''") }}'
                {%- endif -%}
            {%- endfor -%}
            ){{ ',' if not loop.last }}
        {%- else %}
            ({%- for column in columns -%}{{ ', ' if not loop.first }}null::{{ column[1] }}{%- endfor -%})
        {%- endfor %}
    ) as changed ({%- for column in columns -%}{{ ', ' if not loop.first }}{{ column[0] }}{%- endfor -%})
{%- endmacro %}

{#-
    The observations a KPI mart reads, as a FROM item named `observations`: on an incremental build
    those of the changed partitions only, each partition an index range scan of int_kpi_observations
    (kpi_id, region_id, local_date) — a lateral subquery behind `offset 0`, which the planner cannot
    flatten into a join: as a join it estimated the month ranges loosely and read all 11 M
    observations of the 10 M region twice by a parallel scan (5.4 s) for 470 e-mail observations.
    On a full build, the whole table.
-#}
{% macro kpi_observations_of_changed_months() -%}
    {%- if staging_mode() | trim == 'incremental' -%}
        {{ observations_of_months(ref('int_kpi_observations'), changed_kpi_months_values()) }}
    {%- else -%}
        {{ ref('int_kpi_observations') }} as observations
    {%- endif -%}
{%- endmacro %}

{#-
    The rows of `relation` (kpi_id, region_id, local_date) in the months `months` names (literal
    rows kpi_id, region_id, local_month), as a FROM item named `observations`: each month an index
    range, behind `offset 0` (see above).
-#}
{% macro observations_of_months(relation, months) -%}
    ({{ months }}) as changed_months
    cross join lateral (
        select changed.*
        from {{ relation }} as changed
        where changed.kpi_id = changed_months.kpi_id
            and changed.region_id = changed_months.region_id
            and changed.local_date >= changed_months.local_month
            and changed.local_date < (changed_months.local_month + interval '1 month')::date
        offset 0
    ) as observations
{%- endmacro %}

{% macro delete_changed_kpi_months() -%}
    {%- if not execute -%}
        {%- do changed_kpi_months() -%}
    {%- endif -%}
    {%- if staging_mode() | trim == 'incremental' -%}
        delete from {{ this }}
        where (kpi_id, region_id, date_trunc('month', period_start)::date) in ({{ changed_kpi_months_values() }})
    {%- endif -%}
{%- endmacro %}

{#-
    A model that copies int_touchpoint_events row by row (fct_touchpoint_events; the page views of
    int_journey_kpi_observations__portal), incremental: the events new batches touched since its
    own last build (its schema's bookkeeping: the two mart schemas take turns, so that spans two
    builds), every row of a source recomputed whole, and the events whose
    attribution was recomputed since — int_touchpoint_events rows carry `identity_through`; the
    highest this mart read is kept beside its batches, as the bookkeeping row of model
    `<model>#attribution` (batch_id = the watermark), which moves with its schema. A watermark
    above what int_touchpoint_events now holds (that table was rebuilt from scratch) rereads all.
-#}
{% macro touchpoint_copy_watermarks() -%}
    {%- set held, current = -1, -1 -%}
    {%- if execute and run_query is defined -%}
        {%- set current = run_query(
            'select coalesce(max(identity_through), -1) from ' ~ ref('int_touchpoint_events')
        ).columns[0].values()[0] -%}
        {%- if staging_mode() | trim == 'incremental' -%}
            {%- set held = run_query(
                'select coalesce(max(batch_id), -1) from ' ~ incremental_batches_relation()
                ~ " where model = '" ~ this.identifier ~ "#attribution'"
            ).columns[0].values()[0] -%}
        {%- endif -%}
    {%- endif -%}
    {{ held }}:{{ current }}
{%- endmacro %}

{#- `all` (a full or reset build, or a watermark above the table's) or `changes`. -#}
{% macro touchpoint_copy_mode() -%}
    {%- set marks = touchpoint_copy_watermarks().split(':') -%}
    {%- if staging_mode() | trim != 'incremental' or (marks[0] | trim | int) > (marks[1] | trim | int) -%}
        all
    {%- else -%}
        changes
    {%- endif -%}
{%- endmacro %}

{#- The rows of int_touchpoint_events (`relation`) to copy: `part` 'batches' or 'attribution'. -#}
{% macro touchpoint_copy_changed(relation, part) -%}
    {%- if part == 'batches' -%}
        {{ changed_events_of_sources(relation, var('cjw_event_sources')['touchpoint_events']) }}
    {%- else -%}
        identity_through > {{ touchpoint_copy_watermarks().split(':')[0] | trim | int }}
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook: delete the rows to copy again (names int_touchpoint_events' staging parents at parse time). -#}
{% macro delete_touchpoint_copy() -%}
    {%- set sources = var('cjw_event_sources')['touchpoint_events'] -%}
    {%- if not execute -%}
        {%- for source_id in sources if source_id not in var('cjw_whole_event_sources') -%}
            {%- do changed_event_keys(source_id) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set mode = touchpoint_copy_mode() | trim -%}
    {%- if staging_mode() | trim != 'incremental' -%}
    {%- elif mode == 'all' -%}
        truncate {{ this }}
    {%- else -%}
        {#- three statements, not one `or` (a subplan per row, see delete_changed_events) #}
        {%- for part in ('batches', 'whole', 'attribution') %}
        delete from {{ this }} where event_id in ({{ touchpoint_copy_ids(part) }}){{ ';' if not loop.last }}
        {%- endfor %}
    {%- endif -%}
{%- endmacro %}

{#-
    The event_ids a copy of int_touchpoint_events recomputes on an incremental build, by `part`:
    `batches`, the events new batches touched; `whole`, every row of a source recomputed whole;
    `attribution`, the events whose attribution was recomputed since its last build.
-#}
{% macro touchpoint_copy_ids(part) -%}
    {%- set events = ref('int_touchpoint_events') -%}
    {%- if part == 'batches' -%}
        select changed.source || '|' || changed.event_key
        from ({{ changed_events_select(events, var('cjw_event_sources')['touchpoint_events']) }}) as changed
    {%- elif part == 'whole' -%}
        select copied.event_id from {{ this }} as copied where copied.source in {{ whole_event_sources_list() }}
    {%- else -%}
        select events.event_id from {{ events }} as events where {{ touchpoint_copy_changed('events', 'attribution') }}
    {%- endif -%}
{%- endmacro %}

{#- Post-hook: the attribution watermark read, beside the batches. -#}
{% macro record_touchpoint_copy_watermark() -%}
    delete from {{ incremental_batches_relation() }} where model = '{{ this.identifier }}#attribution';
    insert into {{ incremental_batches_relation() }} (model, batch_id, checksum)
    values ('{{ this.identifier }}#attribution', {{ touchpoint_copy_watermarks().split(':')[1] | trim | int }}, 'watermark')
{%- endmacro %}

{#-
    Pre-hook of int_staff__shift_events: delete the rows of the staging rows (agent events, queue
    events) the call-centre batches new to it brought — whatever their event now, so a row whose
    event changed is not left behind. Names the staging models at parse time.
-#}
{% macro delete_changed_shift_events() -%}
    {%- if staging_mode() | trim == 'incremental' -%}
        {%- set new_batches = batches_to_read('call_centre') -%}
        delete from {{ this }} where event_id in (
            select 'call_centre_agents|' || agent_event_id from {{ ref('stg_call_centre__agent_events') }}
            where batch_id in ({{ new_batches }})
        );
        delete from {{ this }} where event_id in (
            select 'call_centre_agents|' || queue_event_id from {{ ref('stg_call_centre__queue_events') }}
            where batch_id in ({{ new_batches }})
        )
    {%- endif -%}
{%- endmacro %}

{#-
    The region-local days int_staff__shifts recomputes: those of the agent events and answered
    calls the call-centre batches new to it brought, and the day of the agent event just before
    each new one (its `lead`: a pause that the new event ends). Read when the model compiles, as
    literal rows.
-#}
{% macro changed_shift_days() -%}
    {%- set new_batches = batches_to_read('call_centre') -%}
    with new_agent_events as (
        select region_id, queue_name, agent, event_at, agent_event_id
        from {{ ref('stg_call_centre__agent_events') }}
        where batch_id in ({{ new_batches }})
    ),

    moments as (
        select region_id, event_at from new_agent_events
        union all
        select new_agent_events.region_id, previous.event_at
        from new_agent_events
        cross join lateral (
            select earlier.event_at
            from {{ ref('stg_call_centre__agent_events') }} as earlier
            where earlier.region_id = new_agent_events.region_id
                and earlier.queue_name = new_agent_events.queue_name
                and earlier.agent = new_agent_events.agent
                and (earlier.event_at, earlier.agent_event_id) < (new_agent_events.event_at, new_agent_events.agent_event_id)
            order by earlier.event_at desc, earlier.agent_event_id desc
            limit 1
        ) as previous
        union all
        select region_id, event_at from {{ ref('stg_call_centre__queue_events') }}
        where batch_id in ({{ new_batches }})
            and agent is not null
            and {{ ends_an_answered_call('event') }}
    )

    select distinct moments.region_id, (moments.event_at at time zone regions.timezone)::date as local_date
    from moments
    inner join {{ ref('regions') }} as regions on moments.region_id = regions.region_id
{%- endmacro %}

{#- The rows of a query of region-local days (region_id, local_date: changed_shift_days, changed_call_days) as literal rows. -#}
{% macro region_day_rows(days) -%}
    {{ literal_rows(days, [['region_id', 'text'], ['local_date', 'date']]) }}
{%- endmacro %}

{#- The queue-log events that end an answered call, with the agent who took it (int_staff__shifts' talk). -#}
{% macro ends_an_answered_call(event) -%}
    {{ event }} in ('COMPLETECALLER', 'COMPLETEAGENT', 'TRANSFER', 'BLINDTRANSFER', 'ATTENDEDTRANSFER')
{%- endmacro %}

{#-
    Pre-hook of a model incremental by region-local day (int_staff__shifts, fct_call_queue_days):
    on an incremental build, delete its rows of the days `days` (a query of region_id, local_date:
    changed_shift_days, changed_call_days) names; `column`, the model's day column. The hook names
    the query's staging models when dbt parses it, so they become the model's parents.
-#}
{% macro delete_changed_days(days, column) -%}
    {%- if staging_mode() | trim == 'incremental' -%}
        delete from {{ this }} where (region_id, {{ column }}) in (
            select region_id, local_date
            from ({{ region_day_rows(days) }}) as changed
        )
    {%- endif -%}
{%- endmacro %}

{#-
    The region-local days fct_call_queue_days recomputes: every day on which a call new batches
    touched entered a queue. A call's offered day is the local day of its first ENTERQUEUE, and
    staging keeps every line it ever held, so these days hold the call's day before the batch (a
    late line may bring an earlier ENTERQUEUE and move the call to another day) and after it. Read
    when the model compiles, as literal rows.
-#}
{% macro changed_call_days() -%}
    select distinct events.region_id, (events.event_at at time zone regions.timezone)::date as local_date
    from {{ ref('stg_call_centre__queue_events') }} as events
    inner join {{ ref('regions') }} as regions on events.region_id = regions.region_id
    where events.event = 'ENTERQUEUE'
        and (events.region_id, events.call_id) in ({{ changed_event_keys('call_centre') }})
{%- endmacro %}

{#-
    The region-local days int_staff__window_days recomputes: the issue days of the tickets new
    batches brought, and their export day (`ticket_date`, part of the ticket's key: a ticket
    delivered again comes in the export of the same day, and keeps its issue day as a call keeps
    the day it entered the queue). Read when the model compiles, as literal rows.
-#}
{% macro changed_ticket_days() -%}
    {%- set new_batches = batches_to_read('office_visits') -%}
    select tickets.region_id, tickets.issued_local_date as local_date
    from {{ ref('int_office_visits__tickets') }} as tickets
    where (tickets.region_id, tickets.event_key) in ({{ changed_event_keys('office_visits') }})
        and tickets.issued_local_date is not null
    union
    select region_id, ticket_date from {{ ref('stg_office_visits__tickets') }}
    where batch_id in ({{ new_batches }})
{%- endmacro %}

{#- The cases (region_id, case_id) new batches brought an event of. -#}
{% macro changed_cases() -%}
    select region_id, case_id from {{ ref('stg_cases__events') }}
    where batch_id in ({{ batches_to_read('cases') }})
{%- endmacro %}

{#- Pre-hook of int_staff__case_decisions: delete the rows of the cases new batches brought an event of. -#}
{% macro delete_changed_cases() -%}
    {%- if staging_mode() | trim == 'incremental' -%}
        delete from {{ this }} where (region_id, case_id) in ({{ changed_cases() }})
    {%- endif -%}
{%- endmacro %}
