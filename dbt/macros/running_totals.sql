{#-
    Running totals: a mart that counts the rows of a large incremental table keeps its counts in
    a bookkeeping table (the intermediate schema) that the table's own build updates, in the same
    transaction as its rows: the counts of the rows it deletes subtracted (`delete … returning`),
    of the rows it appends added (its incremental strategy), the counts of the whole table after
    a full build. The mart then reads a few rows, not every row of the history.

    In use:
    - `identity_coverage_totals` (source × region: events, identified, attributed, in a capped
      component, ambiguous), kept by int_identity__event_coverage and read by
      fct_identity_coverage. Counting every event of ten years for it cost 1.0 s of a day's build
      at 10 M events, 0.2 s at 1 M.
    - `identity_node_events` (identifier node: the events that carry it), kept by
      int_identity__occurrences and read by fct_identity_capped for the nodes it reports (the
      shared contacts and the nodes of capped components). Counting their occurrences read 300 000
      pages of the occurrences at 10 M events (40 000 nodes of capped components with ten years
      of events each): 1.9 s of a day's build, 0.2 s at 1 M.
    - `client_group_totals` (region × client group: clients, events per channel, clients per
      journey), kept by int_client_groups__members (a model by client: the touched clients' rows
      subtracted before its delete, added after its insert) and read by
      int_client_groups__profiled. Reading every client and journey instance for it cost 1.5 s of
      a day's build at 10 M events, 0.24 s at 1 M.
-#}

{% macro coverage_totals_relation() -%}
    {{ change_log_relation('identity_coverage_totals') }}
{%- endmacro %}

{#- Made with the bookkeeping tables (create_incremental_batches). -#}
{% macro create_coverage_totals() -%}
    create table if not exists {{ coverage_totals_relation() }} (
        source text not null,
        region_id text,
        events bigint not null,
        identified_events bigint not null,
        attributed_events bigint not null,
        capped_events bigint not null,
        ambiguous_events bigint not null,
        unique nulls not distinct (source, region_id)
    )
{%- endmacro %}

{#- The counts of `rows` (rows of int_identity__event_coverage) per source and region, times `sign` (1 or -1). -#}
{% macro coverage_counts(rows, sign=1) -%}
    select
        source,
        region_id,
        {{ sign }} * count(*),
        {{ sign }} * count(*) filter (where is_identified),
        {{ sign }} * count(*) filter (where is_attributed),
        {{ sign }} * count(*) filter (where is_identified and in_capped_component),
        {{ sign }} * count(*) filter (where is_identified and is_ambiguous)
    from {{ rows }}
    group by source, region_id
{%- endmacro %}

{#- Add the counts `counts` (a query: coverage_counts) to the totals. -#}
{% macro add_coverage_counts(counts) -%}
    insert into {{ coverage_totals_relation() }} as totals
        (source, region_id, events, identified_events, attributed_events, capped_events, ambiguous_events)
    {{ counts }}
    on conflict (source, region_id) do update set
        events = totals.events + excluded.events,
        identified_events = totals.identified_events + excluded.identified_events,
        attributed_events = totals.attributed_events + excluded.attributed_events,
        capped_events = totals.capped_events + excluded.capped_events,
        ambiguous_events = totals.ambiguous_events + excluded.ambiguous_events
{%- endmacro %}

{#- A delete of int_identity__event_coverage (delete_changed_events' `wrap`): its rows' counts subtracted. -#}
{% macro subtract_coverage_counts(delete) -%}
    with gone as (
        {{ delete }}
        returning *
    )
    {{ add_coverage_counts(coverage_counts('gone', -1)) }}
{%- endmacro %}

{#-
    Pre-hook of a model keeping running totals in `relation`: a build of the whole table (full or
    reset) empties them, to be counted anew (by its post-hook or its strategy).
-#}
{% macro reset_running_totals(relation) -%}
    {%- if staging_mode() | trim != 'incremental' -%}
        truncate {{ relation }}
    {%- endif -%}
{%- endmacro %}

{#- The pre-hooks by the names the models call (a model's SQL is part of its checksum: renaming the call would rebuild the identity chain). -#}
{% macro reset_coverage_totals() -%}
    {{ reset_running_totals(coverage_totals_relation()) }}
{%- endmacro %}

{% macro reset_node_events() -%}
    {{ reset_running_totals(node_events_relation()) }}
{%- endmacro %}

{#-
    Post-hook: a source × region none of whose events is left goes; totals that are empty (after a
    full build, which made the table as a whole, not through the strategy) are counted from the table.
-#}
{% macro complete_coverage_totals() -%}
    delete from {{ coverage_totals_relation() }} where events = 0;
    {{ add_coverage_counts(
        coverage_counts('(select * from ' ~ this ~ ' where not exists (select from ' ~ coverage_totals_relation() ~ ')) as held')
    ) }}
{%- endmacro %}

{#- An append whose rows' counts are added to running totals: `add_counts`, given the appended rows' relation. -#}
{% macro counted_append_sql(arg_dict, add_counts) -%}
    {%- set target, source = arg_dict['target_relation'], arg_dict['temp_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    insert into {{ target }} ({{ columns }}) select {{ columns }} from {{ source }};
    {{ add_counts(source) }}
{%- endmacro %}

{#- The coverage_append strategy (int_identity__event_coverage): the rows appended, their counts added. -#}
{% macro get_incremental_coverage_append_sql(arg_dict) -%}
    {{ counted_append_sql(arg_dict, add_appended_coverage) }}
{%- endmacro %}

{% macro add_appended_coverage(rows) -%}
    {{ add_coverage_counts(coverage_counts(rows)) }}
{%- endmacro %}

{% macro client_group_totals_relation() -%}
    {{ change_log_relation('client_group_totals') }}
{%- endmacro %}

{#- Made with the bookkeeping tables (create_incremental_batches). `measure`: clients (item ''), channel_events (item: the channel), journey_clients (item: the journey). -#}
{% macro create_client_group_totals() -%}
    create table if not exists {{ client_group_totals_relation() }} (
        region_id text,
        client_group text,
        measure text not null,
        item text not null,
        amount bigint not null,
        unique nulls not distinct (region_id, client_group, measure, item)
    )
{%- endmacro %}

{#- Add (sign 1) or subtract (-1) the totals of the rows of int_client_groups__members meeting `condition`. -#}
{% macro add_client_group_totals(condition, sign=1) -%}
    with members as (
        select * from {{ this }} where {{ condition }}
    )

    insert into {{ client_group_totals_relation() }} as totals (region_id, client_group, measure, item, amount)
    select region_id, client_group, 'clients', '', {{ sign }} * count(*)
    from members
    group by region_id, client_group
    union all
    select members.region_id, members.client_group, 'channel_events', channels.channel, {{ sign }} * sum(channels.events::bigint)
    from members
    cross join lateral jsonb_each_text(members.channel_events) as channels (channel, events)
    group by members.region_id, members.client_group, channels.channel
    union all
    select members.region_id, members.client_group, 'journey_clients', journeys.journey_id, {{ sign }} * count(*)
    from members
    cross join lateral unnest(members.journey_ids) as journeys (journey_id)
    group by members.region_id, members.client_group, journeys.journey_id
    on conflict (region_id, client_group, measure, item) do update set amount = totals.amount + excluded.amount;
    delete from {{ client_group_totals_relation() }} where amount = 0
{%- endmacro %}

{#- Pre-hook of int_client_groups__members, before its delete: the touched clients' rows subtracted; a build of all clients counts anew. -#}
{% macro subtract_client_group_totals() -%}
    {%- if not execute -%}
    {%- elif touched_clients_mode() | trim == 'clients' -%}
        {{ add_client_group_totals(in_touched_clients('client_id', 'clients'), -1) }}
    {%- else -%}
        delete from {{ client_group_totals_relation() }}
    {%- endif -%}
{%- endmacro %}

{#- Post-hook of int_client_groups__members, after its insert: the touched clients' rows (all rows after a build of all) added. -#}
{% macro add_client_group_totals_after() -%}
    {%- if not execute -%}
    {%- elif touched_clients_mode() | trim == 'clients' -%}
        {{ add_client_group_totals(in_touched_clients('client_id', 'clients')) }}
    {%- else -%}
        {{ add_client_group_totals('true') }}
    {%- endif -%}
{%- endmacro %}

{% macro node_events_relation() -%}
    {{ change_log_relation('identity_node_events') }}
{%- endmacro %}

{#- Made with the bookkeeping tables (create_incremental_batches). -#}
{% macro create_node_events() -%}
    create table if not exists {{ node_events_relation() }} (
        node_id text not null,
        region_id text,
        events bigint not null,
        unique nulls not distinct (node_id, region_id)
    )
{%- endmacro %}

{#- Add the occurrences `rows` (rows of int_identity__occurrences) per node, times `sign`; nodes left without one go. -#}
{% macro add_node_events(rows, sign=1) -%}
    insert into {{ node_events_relation() }} as totals (node_id, region_id, events)
    select node_id, region_id, {{ sign }} * count(*) from {{ rows }} group by node_id, region_id
    on conflict (node_id, region_id) do update set events = totals.events + excluded.events;
    delete from {{ node_events_relation() }} as totals
    where totals.events = 0 and totals.node_id in (select node_id from {{ rows }})
{%- endmacro %}

{#- A delete of int_identity__occurrences (delete_changed_events' `wrap`): its rows subtracted. -#}
{% macro subtract_node_events(delete) -%}
    drop table if exists pg_temp.cjw_occurrences_gone;
    create temporary table cjw_occurrences_gone as
    with gone as (
        {{ delete }}
        returning node_id, region_id
    )
    select * from gone;
    {{ add_node_events('pg_temp.cjw_occurrences_gone', -1) }}
{%- endmacro %}

{#- Post-hook: totals that are empty (after a full build) are counted from the table. -#}
{% macro complete_node_events() -%}
    insert into {{ node_events_relation() }} (node_id, region_id, events)
    select node_id, region_id, count(*) from {{ this }}
    where not exists (select from {{ node_events_relation() }})
    group by node_id, region_id
{%- endmacro %}

{#- The node_count_append strategy (int_identity__occurrences): the rows appended, their nodes' counts added. -#}
{% macro get_incremental_node_count_append_sql(arg_dict) -%}
    {{ counted_append_sql(arg_dict, add_node_events) }}
{%- endmacro %}
