{#-
    Identity stitching, incremental: a build recomputes the connected components (and the clients
    and event attributions that follow from them) only where the identity graph changed.

    1. int_identity__occurrences, incremental by event, records in `identity_touched` (its own
       schema) which events it recomputes and the identifiers those events carried before
       (`record_touched_identity`, a pre-hook that runs before its rows are deleted): an event may
       lose an identifier, and the edge it drew is then gone. A full or reset build of it records
       a sentinel (source `*`): everything is recomputed downstream.
    2. int_identity__scope is the set of identifier nodes to recompute: the nodes the touched
       events carry now or carried before (of a source recomputed whole, the events whose rows
       changed), the contacts whose shared status changed and the nodes that share an event with
       them — and every node of the components (as last built) any of those is in. Nothing outside
       it can change: an edge between a node inside and one outside would be drawn by an event that
       did not change, between nodes whose shared status did not change, so it was there before and
       both nodes were already in one component.
    3. int_identity__edges deletes the edges of the rebuilt seeds (nodes of events that changed or
       lost an identifier, or that carry a contact whose shared status changed: an edge between
       such a node and another was drawn by an event that did not change, so it stands) and
       appends them recomputed from the events that carry a rebuilt seed; the other seeds, carried
       only by events new to the graph, keep their edges and gain those the new events draw;
       __components, __clients delete their rows of the scope's nodes (whole components) and
       append them recomputed; __event_clients those of every event that carries a scope node or
       was touched, and its post-hook then deletes the records the scope read (a failed build
       leaves them: the next build's scope includes them again).
    A scope of `everything` (the sentinel, no components yet) or a model's own full or reset build
    (`staging_mode`: new logic, a replaced batch, `--full-refresh`) recomputes the whole table.
-#}

{% macro identity_touched_relation() -%}
    {{ this.schema }}.identity_touched
{%- endmacro %}

{#-
    Pre-hook of int_identity__occurrences (before its delete): what this build recomputes — the
    events new batches touched, with the identifiers they carried (an event may lose one), and of
    a source recomputed whole (`cjw_whole_event_sources`: its union rows are all replaced) the
    events whose rows come out different (`whole_source_changed_events`): a new e-mail request or
    answer, not the requests of years. Recording every event of such a source made every build
    recompute the components, attributions and journeys of all its clients (483 requests, 1 214
    nodes and 400 clients at 10 M events over 120 months: a day's cost that grew with the history).
-#}
{% macro record_touched_identity(event_sources) -%}
    {{ create_identity_touched() }};
    {%- if staging_mode() | trim == 'incremental' %}
        {%- set whole = event_sources | select('in', var('cjw_whole_event_sources')) | list %}
        {%- set by_batch = event_sources | reject('in', whole) | list %}
        drop table if exists pg_temp.cjw_touched_events;
        create temporary table pg_temp.cjw_touched_events as
        select source, region_id, event_key from ({{ changed_events_select(this, by_batch) }}) as changed
        {%- if whole %}
        union
        {{ whole_source_changed_events(whole) }}
        {%- endif %};
        {#- a day's few thousand events: index lookups into the occurrences below #}
        analyze pg_temp.cjw_touched_events;
        insert into {{ identity_touched_relation() }} (source, region_id, event_key, node_id)
        select source, region_id, event_key, node_id from {{ this }}
        where (source, region_id, event_key) in (select source, region_id, event_key from pg_temp.cjw_touched_events);
        insert into {{ identity_touched_relation() }} (source, region_id, event_key)
        select source, region_id, event_key from pg_temp.cjw_touched_events
    {%- else %}
        {{ record_identity_sentinel() }}
    {%- endif %}
{%- endmacro %}

{#-
    The rows int_identity__occurrences makes of per-source occurrences (`occurrences`: a relation
    with the contract's columns): one per event and identifier, the identifier's class and the
    node id (identifiers are per region: the same phone in two regions is matched only inside each).
-#}
{% macro identity_occurrence_rows(occurrences) -%}
    select distinct
        source,
        region_id,
        event_key,
        event_at,
        identifier_type,
        case
            when identifier_type in ('snils', 'esia', 'person_inn', 'company_inn') then 'person'
            when identifier_type in ('phone', 'email', 'metrica_client', 'messenger_user') then 'contact'
            else 'link'
        end as identifier_class,
        region_id || ':' || identifier_type || ':' || identifier as node_id
    from {{ occurrences }}
    where identifier is not null and identifier <> ''
{%- endmacro %}

{#-
    The events (source, region_id, event_key) of the sources `whole` whose rows in
    int_identity__occurrences (`this`, as the last build left it) differ from what their
    per-source models give now: new, gone or changed in any column. An event with several
    differing rows comes once per row: the caller's `union` keeps one.
-#}
{% macro whole_source_changed_events(whole) -%}
    select differing.source, differing.region_id, differing.event_key
    from (
        with now_rows as (
            {%- for source_id in whole %}
            {% if not loop.first %}union all{% endif %}
            {{ identity_occurrence_rows(
                '(select source, region_id, event_key, event_at, identifier_type, identifier from '
                ~ ref('int_' ~ source_id ~ '__identity_occurrences') ~ ') as per_source'
            ) }}
            {%- endfor %}
        ),

        before_rows as (
            select source, region_id, event_key, event_at, identifier_type, identifier_class, node_id
            from {{ this }}
            where source in ('{{ whole | join("', '") }}')
        )

        (select * from now_rows except select * from before_rows)
        union all
        (select * from before_rows except select * from now_rows)
    ) as differing
{%- endmacro %}
{#-
    Pre-hook of int_identity__nodes: a build that numbers the nodes afresh (the first, or
    `--full-refresh`) records the sentinel, since the edges and components hold node numbers.
-#}
{% macro record_identity_renumbered() -%}
    {%- if not is_incremental() -%}
        {{ create_identity_touched() }};
        {{ record_identity_sentinel() }}
    {%- endif -%}
{%- endmacro %}

{#- The record that makes the next scope everything. -#}
{% macro record_identity_sentinel() -%}
    insert into {{ identity_touched_relation() }} (source) values ('*')
{%- endmacro %}

{% macro create_identity_touched() -%}
    create table if not exists {{ identity_touched_relation() }} (
        seq bigserial primary key,
        source text not null,
        region_id text,
        event_key text,
        node_id text
    )
{%- endmacro %}

{#-
    For int_identity__scope: `<the last record's seq>:all|scope` — `all` when a record is the
    sentinel, or no components were built yet. Looked up in the database, not in dbt's cache (the
    records table is made by a hook).
-#}
{% macro identity_scope_watermark() -%}
    {%- set answer = '0:all' -%}
    {%- if execute and run_query is defined -%}
        {%- set components = this.incorporate(path={'identifier': 'int_identity__components'}) -%}
        {%- set touched = this.incorporate(path={'identifier': 'identity_touched'}) -%}
        {%- set found = run_query(
            "select to_regclass('" ~ components ~ "') is not null, to_regclass('" ~ touched ~ "') is not null"
        ).rows[0] -%}
        {%- if found[1] -%}
            {%- set row = run_query(
                "select coalesce(max(seq), 0), bool_or(source = '*') is true from " ~ touched
            ).rows[0] -%}
            {%- set answer = row[0] ~ ':' ~ ('all' if row[1] or not found[0] else 'scope') -%}
        {%- endif -%}
    {%- endif -%}
    {{ answer }}
{%- endmacro %}

{#-
    For int_identity__nodes: the condition "a row of the events recorded as touched" (of
    `relation`: occurrences with source, region_id, event_key; `by_node`: nodes, by the node ids
    the touched events carried before); true on a full build or when a sentinel is recorded.
-#}
{% macro identity_touched_only(relation, by_node=false) -%}
    {%- if not is_incremental() or identity_scope_watermark().split(':')[1] | trim == 'all' -%}
        true
    {%- elif by_node -%}
        {{ relation }}.node_id in (
            select touched.node_id from {{ identity_touched_relation() }} as touched where touched.node_id is not null
        )
    {%- else -%}
        ({{ relation }}.source, {{ relation }}.region_id, {{ relation }}.event_key) in (
            select touched.source, touched.region_id, touched.event_key from {{ identity_touched_relation() }} as touched
        )
    {%- endif -%}
{%- endmacro %}

{#-
    How an identity model is built: `all` (its own full or reset build, or a scope of everything)
    or `scope` (only the scope's nodes). Read when the model compiles, after the scope was built.
-#}
{% macro identity_build_mode() -%}
    {%- if staging_mode() | trim != 'incremental' or not execute -%}
        all
    {%- else -%}
        {{ node_memo('identity_build_mode', identity_build_mode_now) }}
    {%- endif -%}
{%- endmacro %}

{% macro identity_build_mode_now() -%}
    {%- set everything = run_query(
        'select coalesce(bool_or(everything), true) from ' ~ ref('int_identity__scope')
    ).columns[0].values()[0] -%}
    {{- 'all' if everything else 'scope' -}}
{%- endmacro %}

{#-
    The condition "`column` (a node number or text id) is one of the scope's nodes" (true when
    building all); `seeds`: one of its seed nodes (those whose edges can change).
-#}
{% macro in_identity_scope(column, by='node_num', mode=none, seeds=false) -%}
    {%- if (mode or identity_build_mode()) | trim == 'all' -%}
        true
    {%- else -%}
        {{ column }} in (
            select {{ by }} from {{ ref('int_identity__scope') }} where {{ by }} is not null{{ seed_condition(seeds) }}
        )
    {%- endif -%}
{%- endmacro %}

{#- ` and is_seed` (`seeds` true), ` and is_rebuilt` (`seeds` 'rebuilt': a seed whose edges are recomputed) or nothing. -#}
{% macro seed_condition(seeds) -%}
    {%- if seeds == 'rebuilt' %} and is_rebuilt{% elif seeds %} and is_seed{% endif -%}
{%- endmacro %}

{#-
    Pre-hook of the identity models: delete the rows to recompute — where `column` is a scope
    node (`by`: node_num or node_id; `seeds`: a seed node), or (`events`, int_identity__event_clients) the rows of the
    events collect_attribution_events chose. At parse time it names the scope and the
    occurrences, which so become parents.
-#}
{% macro delete_identity_scope(column=none, by='node_num', events=false, seeds=false) -%}
    {%- if not execute -%}
        {%- do ref('int_identity__scope') -%}
        {%- do ref('int_identity__occurrences') -%}
    {%- endif -%}
    {%- set mode = identity_build_mode() | trim -%}
    {%- if mode == 'all' -%}
        {{ 'truncate ' ~ this if staging_mode() | trim == 'incremental' else '' }}
    {%- elif events -%}
        delete from {{ this }} as rows where {{ in_attribution_events('rows') }}
    {%- else -%}
        delete from {{ this }} where {{ in_identity_scope(column, by, mode, seeds) }}
    {%- endif -%}
{%- endmacro %}

{#- The condition "the event (source, region_id, event_key) of `relation` is one the scope's records name". -#}
{% macro touched_identity_events(relation) -%}
    ({{ relation }}.source, {{ relation }}.region_id, {{ relation }}.event_key) in ({{ touched_identity_event_keys() }})
{%- endmacro %}

{#- The events (source, region_id, event_key) the records the scope read name, as a select. -#}
{% macro touched_identity_event_keys() -%}
    select touched.source, touched.region_id, touched.event_key
    from {{ identity_touched_relation() }} as touched
    where touched.seq <= (select max(scope.through_seq) from {{ ref('int_identity__scope') }} as scope)
{%- endmacro %}

{#-
    Post-hook of int_identity__components: how this build made it (`all` or `scope`), for the
    test cjw_identity_labels_converged, which after a build of the scope checks the scope's edges only.
-#}
{% macro record_identity_build_mode() -%}
    create table if not exists {{ this.schema }}.identity_build_modes (model text primary key, mode text not null);
    insert into {{ this.schema }}.identity_build_modes (model, mode)
    values ('{{ this.identifier }}', '{{ identity_build_mode() | trim }}')
    on conflict (model) do update set mode = excluded.mode
{%- endmacro %}

{#- The config the identity models incremental by scope share (indexes made in a post-hook). -#}
{% macro incremental_by_identity_scope(delete, indexes=[], pre_hook=[], post_hook=[]) -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='sync_all_columns',
        pre_hook=pre_hook + ["{{ staging_increment_begin() }}", "{{ " ~ delete ~ " }}"],
        post_hook=["{{ ensure_indexes(" ~ indexes ~ ") }}"] + post_hook + ["{{ staging_increment_end(none) }}"],
    ) }}
{%- endmacro %}

{#-
    Indexes made by a post-hook, if missing: they reach a table that an earlier release built
    (dbt's `indexes` config makes them only when it creates the table). Looked up by table and
    columns, and named after the table's oid and the columns: a rebuilt table's old copy keeps its
    index names until dbt drops it (`create index if not exists <fixed name>` then made nothing on
    the new table), and a name PostgreSQL picks is not safe either — the three journey KPI
    observation tables share the first 63 characters of their index names, and two threads
    creating them at once picked the same "free" name (a duplicate key in pg_class).
-#}
{% macro ensure_indexes(indexes) -%}
    {%- for index in indexes %}
        do $$
        begin
            if not {{ index_exists("'" ~ this ~ "'::regclass", index['columns'], index.get('unique'), nulls_not_distinct=index.get('nulls_not_distinct')) }} then
                execute format(
                    'create {{ 'unique ' if index.get('unique') }}index %I on {{ this }} ({{ index['columns'] | join(', ') }})
                    {{- ' nulls not distinct' if index.get('nulls_not_distinct') }}',
                    left('{{ this.identifier }}', 40) || '_'
                    || left(md5('{{ this }}'::regclass::oid::text || '/{{ index['columns'] | join(',') }}'), 12) || '_idx'
                );
            end if;
        end
        $$;
    {%- endfor %}
    select 1
{%- endmacro %}

{#-
    The condition "the table `relation_oid` (an SQL expression) has an index on exactly `columns`,
    plain columns without a predicate, unique or not as `unique` says" — in that column order, or
    in any order when `ordered` is false (a key's uniqueness does not depend on it); with
    `nulls_not_distinct`, a unique index that counts nulls as equal (PostgreSQL 15: a key with a
    nullable column is unique as a `group by` sees it). Used by ensure_indexes and the test
    cjw_unique_index.
-#}
{% macro index_exists(relation_oid, columns, unique, ordered=true, nulls_not_distinct=false) -%}
    exists (
        select 1 from pg_index as ix
        where ix.indrelid = {{ relation_oid }}
            and ix.indisunique = {{ 'true' if unique else 'false' }}
            {%- if nulls_not_distinct %}
            and ix.indnullsnotdistinct
            {%- endif %}
            and ix.indpred is null
            and ix.indexprs is null
            and array(
                select att.attname::text
                from unnest(ix.indkey) with ordinality as key (attnum, position)
                inner join pg_attribute as att on att.attrelid = ix.indrelid and att.attnum = key.attnum
                order by {{ 'key.position' if ordered else 'att.attname::text' }}
            ) = array['{{ (columns if ordered else columns | sort) | join("', '") }}']::text[]
    )
{%- endmacro %}

{#-
    The contacts int_identity__edges left out of the graph as shared, recorded by its post-hook in
    the same transaction as its rows: int_identity__scope compares them with those shared now
    (a contact that became shared, or no longer is, has its events' edges recomputed). The
    relation's name, or nothing when no build recorded it yet (looked up in the database).
-#}
{% macro identity_shared_in_graph_relation() -%}
    {{ this.schema }}.identity_shared_in_graph
{%- endmacro %}

{% macro identity_shared_in_graph() -%}
    {%- set relation = identity_shared_in_graph_relation() | trim -%}
    {%- if execute and run_query("select to_regclass('" ~ relation ~ "') is not null").columns[0].values()[0] -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}

{% macro record_identity_shared_in_graph() -%}
    {%- set relation = identity_shared_in_graph_relation() | trim -%}
    create table if not exists {{ relation }} (node_id text primary key);
    delete from {{ relation }};
    insert into {{ relation }} (node_id)
    select node_id from {{ ref('int_identity__shared_identifiers') }}
{%- endmacro %}

{#- Post-hook of the last identity model: the touched records the scope read are done with. -#}
{% macro consume_touched_identity() -%}
    delete from {{ identity_touched_relation() }}
    where seq <= (select coalesce(max(through_seq), 0) from {{ ref('int_identity__scope') }})
{%- endmacro %}

{#-
    For int_touchpoint_events: the condition "the event's attribution was recomputed since this
    table's last build" — its int_identity__event_clients row carries a watermark above the
    highest one this table holds (a build that failed in between leaves the watermark lower, and
    the next build reads those rows too). Nothing on a full build (every event is read).
-#}
{% macro attribution_changed() -%}
    {%- if staging_mode() | trim == 'incremental' and execute -%}
        {%- set held = run_query('select coalesce(max(identity_through), -1) from ' ~ this).columns[0].values()[0] -%}
        (source, region_id, event_key) in (
            select attributed.source, attributed.region_id, attributed.event_key
            from {{ ref('int_identity__event_clients') }} as attributed
            where attributed.identity_through > {{ held }}
        )
    {%- endif -%}
{%- endmacro %}

{#-
    Pre-hook of int_identity__event_clients (before its delete), building for a scope: the rows
    of the events it recomputes only because they carry a scope node — not recorded as touched —
    as they are now, in a temporary table. An event whose attribution comes out the same keeps its
    `identity_through`.
-#}
{% macro replaced_attributions_relation() -%}
    pg_temp.cjw_replaced_attributions
{%- endmacro %}

{% macro keep_replaced_attributions() -%}
    {%- set mode = identity_build_mode() | trim -%}
    {%- if mode == 'scope' -%}
        drop table if exists {{ replaced_attributions_relation() }};
        create temporary table {{ replaced_attributions_relation() }} as
        select rows.*
        from {{ this }} as rows
        where {{ in_attribution_events('rows') }}
            and not {{ touched_identity_events('rows') }};
        analyze {{ replaced_attributions_relation() }}
    {%- endif -%}
{%- endmacro %}

{#-
    The events int_identity__event_clients recomputes. An event's attribution follows from the
    nodes it carries and the client (and cap) int_identity__clients gives each: it can change
    only if the event changed (recorded as touched) or one of its nodes changed client or cap.
    int_identity__clients recomputes whole components — for a client
    with a new event, every node of a history of years — but records only the nodes whose row
    changed (`identity_changed_nodes`, in its schema; a build of it that recomputes everything
    records a sentinel, node null, and event_clients then takes every event of the scope, as it
    did before). event_clients consumes the records in its post-hook; a failed build leaves them.
-#}
{% macro identity_changed_nodes_relation() -%}
    {{ this.schema }}.identity_changed_nodes
{%- endmacro %}

{% macro create_identity_changed_nodes() -%}
    create table if not exists {{ identity_changed_nodes_relation() }} (
        seq bigserial primary key,
        node_id text
    )
{%- endmacro %}

{#- Pre-hook of int_identity__clients (before its delete): the scope's rows as they are. -#}
{% macro keep_scope_clients() -%}
    {{ create_identity_changed_nodes() }};
    {%- if identity_build_mode() | trim == 'scope' %}
        drop table if exists pg_temp.cjw_scope_clients;
        create temporary table pg_temp.cjw_scope_clients as
        select node_id, client_id, is_capped from {{ this }}
        where {{ in_identity_scope('node_id', by='node_id', mode='scope') }}
    {%- endif %}
{%- endmacro %}

{#- Post-hook of int_identity__clients: the scope's nodes whose row is new, gone or changed. -#}
{% macro record_changed_client_nodes() -%}
    {%- if identity_build_mode() | trim == 'scope' -%}
        insert into {{ identity_changed_nodes_relation() }} (node_id)
        select coalesce(after.node_id, before.node_id)
        from (
            select node_id, client_id, is_capped from {{ this }}
            where {{ in_identity_scope('node_id', by='node_id', mode='scope') }}
        ) as after
        full join pg_temp.cjw_scope_clients as before on after.node_id = before.node_id
        where after.node_id is null or before.node_id is null
            or after.client_id is distinct from before.client_id
            or after.is_capped is distinct from before.is_capped
    {%- else -%}
        insert into {{ identity_changed_nodes_relation() }} (node_id) values (null)
    {%- endif -%}
{%- endmacro %}

{#- For int_identity__event_clients: `<the last record's seq>:<a sentinel among them>`, read in the database. -#}
{% macro identity_changed_nodes_watermark() -%}
    {%- set answer = '0:true' -%}
    {%- if execute and run_query is defined -%}
        {%- set relation = identity_changed_nodes_relation() | trim -%}
        {%- if run_query("select to_regclass('" ~ relation ~ "') is not null").columns[0].values()[0] -%}
            {%- set row = run_query(
                "select coalesce(max(seq), 0), coalesce(bool_or(node_id is null), false) from " ~ relation
            ).rows[0] -%}
            {%- set answer = row[0] ~ ':' ~ ('true' if row[1] else 'false') -%}
        {%- endif -%}
    {%- endif -%}
    {{ answer }}
{%- endmacro %}

{% macro attribution_events_relation() -%}
    pg_temp.cjw_attribution_events
{%- endmacro %}

{#-
    First pre-hook of int_identity__event_clients, building for a scope: the events it recomputes
    (see above), once, in a temporary table its other hooks and its rows read.
-#}
{% macro collect_attribution_events() -%}
    {%- set mode = identity_build_mode() | trim -%}
    {%- if mode == 'scope' -%}
        {%- set watermark = identity_changed_nodes_watermark().split(':') -%}
        {%- set occurrences = ref('int_identity__occurrences') -%}
        drop table if exists {{ attribution_events_relation() }};
        create temporary table {{ attribution_events_relation() }} as
        {%- if watermark[1] | trim == 'true' %}
        select source, region_id, event_key from {{ occurrences }}
        where node_id in (select node_id from {{ ref('int_identity__scope') }} where node_id is not null)
        {%- else %}
        select source, region_id, event_key from {{ occurrences }}
        where node_id = any(array(
            select changed.node_id from {{ identity_changed_nodes_relation() }} as changed
            where changed.seq <= {{ watermark[0] | trim | int }}
        ))
        {%- endif %}
        union
        select touched.source, touched.region_id, touched.event_key
        from {{ identity_touched_relation() }} as touched
        where touched.seq <= (select max(through_seq) from {{ ref('int_identity__scope') }})
            and touched.event_key is not null;
        analyze {{ attribution_events_relation() }}
    {%- endif -%}
{%- endmacro %}

{#- The condition "the event of `relation` is one int_identity__event_clients recomputes" (scope builds). -#}
{% macro in_attribution_events(relation) -%}
    ({{ relation }}.source, {{ relation }}.region_id, {{ relation }}.event_key) in (
        select source, region_id, event_key from {{ attribution_events_relation() }}
    )
{%- endmacro %}

{#- Post-hook of int_identity__event_clients: the changed nodes it read are done with. -#}
{% macro consume_changed_client_nodes() -%}
    {{ create_identity_changed_nodes() }};
    delete from {{ identity_changed_nodes_relation() }}
    where seq <= {{ identity_changed_nodes_watermark().split(':')[0] | trim | int }}
{%- endmacro %}
