{#-
    One row per event of a call-centre operator's shift, in the shape of int_touchpoint_events so
    the internal-client journey (`operator_shift`) is mapped by the same event → stage rules: the
    operator joining the queue, each answered call, pauses, the end of the shift. A shift is one
    operator (a keyed pseudonym of the agent interface) on one region-local day: its `client_id`
    names the shift, never a person.

    Incremental by the call-centre batches new to it: each row is made from one staging row, so a
    build deletes the rows of the staging rows those batches brought (pre-hook
    delete_changed_shift_events) and appends them again; every other row stays.
-#}
{{ incremental_by_changes(
    'call_centre',
    "delete_changed_shift_events()",
    [{'columns': ['event_id'], 'unique': True}, {'columns': ['client_id']}],
) }}
{%- set incremental = staging_mode() | trim == 'incremental' %}
with

agent_events as (
    select * from {{ ref('stg_call_centre__agent_events') }}
    {%- if incremental %}
    where batch_id in ({{ batches_to_read('call_centre') }})
    {%- endif %}
),

calls as (
    select * from {{ ref('stg_call_centre__queue_events') }}
    where event = 'CONNECT' and agent is not null
    {%- if incremental %}
        and batch_id in ({{ batches_to_read('call_centre') }})
    {%- endif %}
),

queues as (
    select * from {{ ref('call_queues') }}
),

regions as (
    select * from {{ ref('regions') }}
),

unioned as (
    select region_id, queue_name, agent, event, event_at, agent_event_id as event_key
    from agent_events
    union all
    select region_id, queue_name, agent, event, event_at, queue_event_id
    from calls
),

final as (
    select
        'call_centre_agents|' || unioned.event_key as event_id,
        'call_centre_agents' as source,
        unioned.region_id,
        unioned.event_key,
        {{ shift_client_id('unioned.agent', '(unioned.event_at at time zone regions.timezone)::date') }} as client_id,
        unioned.event_at,
        (unioned.event_at at time zone regions.timezone)::date as event_local_date,
        'call_centre' as channel,
        'operator_workplace' as touchpoint_id,
        queues.office_id,
        unioned.event as event_type,
        unioned.queue_name as attribute,
        false as is_contact,
        unioned.agent as staff_id
    from unioned
    inner join regions on unioned.region_id = regions.region_id
    left join queues on unioned.region_id = queues.region_id and unioned.queue_name = queues.queue_name
)

select * from final
