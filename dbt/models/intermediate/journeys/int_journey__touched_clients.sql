{#-
    The clients (and operator shifts) the journey models by client recompute in this build
    (macros/incremental_clients.sql):
    * the clients recorded as left by a recomputed attribution, and those of the attributions
      recomputed since the last build; the shifts of the call-centre batches new to this model;
    * the clients with an instance whose fate the new end of the region's data changes: in
      progress at a stage whose `drop_off_days` the data end now passes (it turns dropped), or
      dropped at one it no longer passes (the data end went back). Nothing else in a journey
      depends on the data end, and these are few: instances whose deadline falls in the day.
    Rows stay until the last model by client has built; one row per region without a client, per
    build, carries the watermarks read (`changes_through`, `identity_through`) and the start of the
    region's data. `everything`: this model's own full or reset build, a sentinel among the
    records, or a region whose data now starts elsewhere (whether an instance was under way before
    the data began depends on it) — the models by client then recompute all their rows.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook=["{{ create_client_changes() }}", "{{ staging_increment_begin() }}"],
    post_hook=["{{ ensure_indexes([{'columns': ['client_id']}]) }}", "{{ staging_increment_end(none) }}"],
) }}
{%- set held = touched_clients_watermark().split(':') -%}
{%- set changes_held, identity_held = held[0] | trim | int, held[1] | trim | int -%}
{%- set changes = client_changes_relation() -%}
{%- set instances = this.incorporate(path={'identifier': 'int_journey_instances'}) -%}
{%- set incremental = staging_mode() | trim == 'incremental' and relation_exists(instances) | trim == 'true' -%}
{#- the parents of the incremental branch, named for dbt's parse (which renders the full one) -#}
{%- do ref('stg_call_centre__agent_events') -%}
{%- do ref('stg_call_centre__queue_events') -%}
{%- do ref('journey_stages') %}
with

event_clients as not materialized (
    select * from {{ ref('int_identity__event_clients') }}
),

bounds as materialized (
    select
        (select coalesce(max(seq), {{ changes_held }}) from {{ changes }}) as changes_through,
        (select coalesce(max(identity_through), {{ identity_held }}) from event_clients) as identity_through
),

-- per region: the first and last event (index lookups on region_id, event_at)
region_bounds as materialized (
    {{ region_data_bounds() }}
),

watermarks as (
    select
        null::text as client_id,
        region_bounds.region_id,
        bounds.changes_through,
        bounds.identity_through,
        region_bounds.data_start_at
    from bounds cross join region_bounds
),

{% if not incremental %}

final as (
    select client_id, region_id, true as everything, changes_through, identity_through, data_start_at
    from watermarks
)

{% else %}

recorded as (
    select client_id from {{ changes }}
    where seq > {{ changes_held }} and seq <= (select bounds.changes_through from bounds)
),

shift_events as (
    select region_id, agent, event_at
    from {{ ref('stg_call_centre__agent_events') }}
    where batch_id in ({{ batches_to_read('call_centre') }})
    union all
    select region_id, agent, event_at
    from {{ ref('stg_call_centre__queue_events') }}
    where event = 'CONNECT' and agent is not null and batch_id in ({{ batches_to_read('call_centre') }})
),

held_starts as (
    select region_id, data_start_at from {{ this }}
    where client_id is null and changes_through = (select max(held.changes_through) from {{ this }} as held)
),

start_moved as (
    select count(*) > 0 as moved
    from region_bounds
    left join held_starts on region_bounds.region_id = held_starts.region_id
    where region_bounds.data_start_at is distinct from held_starts.data_start_at
),

deadlines as (
    select instances.client_id
    from {{ instances }} as instances
    inner join {{ ref('journey_stages') }} as stages
        on instances.journey_id = stages.journey_id
        and instances.version = stages.version
        and instances.furthest_stage_id = stages.stage_id
    inner join region_bounds on instances.region_id = region_bounds.region_id
    where
        stages.drop_off_days is not null
        and instances.outcome in ('in_progress', 'dropped')
        and (instances.outcome = 'dropped') <> (
            region_bounds.data_end_at - instances.last_event_at > interval '1 day' * stages.drop_off_days
        )
),

clients as (
    select recorded.client_id from recorded where recorded.client_id is not null
    union
    select event_clients.client_id from event_clients
    where
        event_clients.identity_through > {{ identity_held }}
        and event_clients.identity_through <= (select bounds.identity_through from bounds)
        and event_clients.client_id is not null
    union
    select {{ shift_client_id('shift_events.agent', '(shift_events.event_at at time zone regions.timezone)::date') }}
    from shift_events
    inner join {{ ref('regions') }} as regions on shift_events.region_id = regions.region_id
    union
    select deadlines.client_id from deadlines
),

final as (
    select
        clients.client_id,
        null::text as region_id,
        false as everything,
        null::bigint as changes_through,
        null::bigint as identity_through,
        null::timestamptz as data_start_at
    from clients
    union all
    select
        watermarks.client_id,
        watermarks.region_id,
        (select count(*) > 0 from recorded where recorded.client_id is null) or (select moved from start_moved),
        watermarks.changes_through,
        watermarks.identity_through,
        watermarks.data_start_at
    from watermarks
)

{% endif %}

select * from final
