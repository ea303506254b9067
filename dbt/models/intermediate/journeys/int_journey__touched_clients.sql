{#-
    The clients (and operator shifts) the journey models by client recompute in this build
    (macros/incremental_clients.sql): the clients recorded as left by a recomputed attribution and
    those of the attributions recomputed since the last build, the shifts of the call-centre
    batches new to this model. Rows stay until the last model by client has built; one row without
    a client per build carries the watermarks read (`changes_through`, `identity_through`).
    `everything`: this model's own full or reset build, or a sentinel among the records — the
    models by client then recompute all their rows.
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
{#- the parents of the incremental branch, named for dbt's parse (which renders the full one) -#}
{%- do ref('stg_call_centre__agent_events') -%}
{%- do ref('stg_call_centre__queue_events') -%}
{%- do ref('regions') %}
with

event_clients as not materialized (
    select * from {{ ref('int_identity__event_clients') }}
),

bounds as materialized (
    select
        (select coalesce(max(seq), {{ changes_held }}) from {{ changes }}) as changes_through,
        (select coalesce(max(identity_through), {{ identity_held }}) from event_clients) as identity_through
),

{% if staging_mode() | trim != 'incremental' %}

final as (
    select null::text as client_id, true as everything, bounds.changes_through, bounds.identity_through
    from bounds
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

clients as (
    select recorded.client_id from recorded where recorded.client_id is not null
    union
    select event_clients.client_id from event_clients
    where
        event_clients.identity_through > {{ identity_held }}
        and event_clients.identity_through <= (select bounds.identity_through from bounds)
        and event_clients.client_id is not null
    union
    select {{ shift_client_id('shift_events.agent', 'shift_events.event_at', 'regions.timezone') }}
    from shift_events
    inner join {{ ref('regions') }} as regions on shift_events.region_id = regions.region_id
),

final as (
    select clients.client_id, false as everything, null::bigint as changes_through, null::bigint as identity_through
    from clients
    union all
    select
        null,
        (select count(*) > 0 from recorded where recorded.client_id is null),
        bounds.changes_through,
        bounds.identity_through
    from bounds
)

{% endif %}

select * from final
