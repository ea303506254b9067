{#-
    One row per call-centre operator shift (an agent in a queue on one region-local day): time in
    the queue, pauses, answered calls and talk time, and how long the operator worked before the
    first break. `shift_id` is the `client_id` of the shift's events in int_staff__shift_events.

    Incremental by shift day (macro changed_shift_days): a build recomputes the region-local days
    of the agent events and answered calls that call-centre batches new to it brought, and the day
    of the event before each new agent event (a pause's end may arrive with the next day's log),
    and keeps every other day's shifts. Only the recomputed days are read: their agent events and
    answered calls by the tables' (region_id, event_at) indexes; an event's `lead` is taken within
    its operator's day, and for the day's last event the operator's next event, wherever it is,
    is looked up by the (region, queue, agent, time) index — the same next event a full build's
    window over the operator's whole history finds. (Until 2026-12 the agent events were ordered
    whole on every build: 345 k rows at 10 M events, the model's time grew with the history.)
-#}
{{ incremental_by_changes(
    'call_centre',
    "delete_changed_days(changed_shift_days(), 'local_date')",
    [{'columns': ['region_id', 'local_date']}],
    pre_hook=["{{ aggregate_work_mem() }}"],
) }}
{%- set incremental = staging_mode() | trim == 'incremental' %}
with

queues as (
    select * from {{ ref('call_queues') }}
),

regions as (
    select * from {{ ref('regions') }}
),

{% if incremental -%}
changed_days as (
    {{ region_day_rows(changed_shift_days()) }}
),
{%- endif %}

calls as (
    {%- if incremental %}
    -- the answered calls of each recomputed day: an index range of (region_id, event_at)
    select day_calls.*
    from changed_days
    inner join regions on changed_days.region_id = regions.region_id
    cross join lateral (
        select queue_events.*
        from {{ ref('stg_call_centre__queue_events') }} as queue_events
        where queue_events.region_id = changed_days.region_id
            and queue_events.event_at >= (changed_days.local_date::timestamp at time zone regions.timezone)
            and queue_events.event_at < ((changed_days.local_date + 1)::timestamp at time zone regions.timezone)
            and queue_events.agent is not null
            and {{ ends_an_answered_call('queue_events.event') }}
        -- a planner fence (no row is skipped): the subquery stays a parameterised index scan
        offset 0  -- noqa: AM09
    ) as day_calls
    {%- else %}
    select * from {{ ref('stg_call_centre__queue_events') }}
    where agent is not null and {{ ends_an_answered_call('event') }}
    {%- endif %}
),

{% if incremental -%}
day_events as (
    -- the agent events of each recomputed day: an index range of (region_id, event_at)
    select day_events.*, changed_days.local_date
    from changed_days
    inner join regions on changed_days.region_id = regions.region_id
    cross join lateral (
        select agent_events.region_id, agent_events.queue_name, agent_events.agent, agent_events.event,
            agent_events.event_at, agent_events.agent_event_id
        from {{ ref('stg_call_centre__agent_events') }} as agent_events
        where agent_events.region_id = changed_days.region_id
            and agent_events.event_at >= (changed_days.local_date::timestamp at time zone regions.timezone)
            and agent_events.event_at < ((changed_days.local_date + 1)::timestamp at time zone regions.timezone)
        -- a planner fence (no row is skipped): the subquery stays a parameterised index scan
        offset 0  -- noqa: AM09
    ) as day_events
),

day_ordered as (
    -- an operator's events of one day are consecutive in their whole history's order
    select
        day_events.*,
        lead(day_events.event_at) over w as next_at,
        lead(day_events.event) over w as next_event
    from day_events
    window w as (
        partition by day_events.region_id, day_events.queue_name, day_events.agent, day_events.local_date
        order by day_events.event_at, day_events.agent_event_id
    )
),

ordered as (
    -- the day's last event: the operator's next event, on whatever later day it came
    select
        day_ordered.region_id,
        day_ordered.queue_name,
        day_ordered.agent,
        day_ordered.local_date,
        day_ordered.event,
        day_ordered.event_at,
        coalesce(day_ordered.next_at, following.event_at) as next_at,
        coalesce(day_ordered.next_event, following.event) as next_event
    from day_ordered
    left join lateral (
        select later.event_at, later.event
        from {{ ref('stg_call_centre__agent_events') }} as later
        where day_ordered.next_at is null
            and later.region_id = day_ordered.region_id
            and later.queue_name = day_ordered.queue_name
            and later.agent = day_ordered.agent
            and (later.event_at, later.agent_event_id) > (day_ordered.event_at, day_ordered.agent_event_id)
        order by later.event_at, later.agent_event_id
        limit 1
    ) as following on true
),
{%- else %}
agent_events as (
    select * from {{ ref('stg_call_centre__agent_events') }}
),

ordered as (
    select
        agent_events.region_id,
        agent_events.queue_name,
        agent_events.agent,
        (agent_events.event_at at time zone regions.timezone)::date as local_date,
        agent_events.event,
        agent_events.event_at,
        lead(agent_events.event_at) over w as next_at,
        lead(agent_events.event) over w as next_event
    from agent_events
    inner join regions on agent_events.region_id = regions.region_id
    window w as (
        partition by agent_events.region_id, agent_events.queue_name, agent_events.agent
        order by agent_events.event_at, agent_events.agent_event_id
    )
),
{%- endif %}

shifts as (
    select
        region_id,
        queue_name,
        agent,
        local_date,
        min(event_at) filter (where event in ('ADDMEMBER', 'AGENTLOGIN')) as joined_at,
        max(event_at) filter (where event in ('REMOVEMEMBER', 'AGENTLOGOFF')) as left_at,
        min(event_at) filter (where event = 'PAUSE') as first_pause_at,
        coalesce(sum(extract(epoch from next_at - event_at)) filter (where event = 'PAUSE' and next_event = 'UNPAUSE'), 0)
            as paused_seconds
    from ordered
    group by region_id, queue_name, agent, local_date
),

talk as (
    select
        calls.region_id, calls.queue_name, calls.agent,
        (calls.event_at at time zone regions.timezone)::date as local_date,
        count(*) as answered,
        sum(calls.talk_seconds) as talk_seconds
    from calls
    inner join regions on calls.region_id = regions.region_id
    group by 1, 2, 3, 4
),

final as (
    select
        {{ shift_client_id('shifts.agent', 'shifts.local_date') }} as shift_id,
        shifts.region_id,
        queues.office_id,
        shifts.queue_name,
        shifts.agent as staff_id,
        shifts.local_date,
        shifts.joined_at,
        shifts.left_at,
        extract(epoch from shifts.left_at - shifts.joined_at) as queue_seconds,
        shifts.paused_seconds,
        extract(epoch from shifts.left_at - shifts.joined_at) - shifts.paused_seconds as available_seconds,
        coalesce(talk.answered, 0)::int as answered,
        coalesce(talk.talk_seconds, 0) as talk_seconds,
        extract(epoch from coalesce(shifts.first_pause_at, shifts.left_at) - shifts.joined_at) / 3600.0
            as hours_before_first_break
    from shifts
    inner join queues on shifts.region_id = queues.region_id and shifts.queue_name = queues.queue_name
    left join talk
        on shifts.region_id = talk.region_id and shifts.queue_name = talk.queue_name
        and shifts.agent = talk.agent and shifts.local_date = talk.local_date
    where shifts.joined_at is not null and shifts.left_at > shifts.joined_at
)

select * from final
