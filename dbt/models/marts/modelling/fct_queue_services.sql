{#-
    The input of the queueing models (include/modelling): one row per office ticket and per call
    offered to a queue, in one shape. `ready_s` is when the client could be served (walk-in: the
    ticket; pre-booked: the later of ticket and slot; call: ENTERQUEUE), `start_s` when a window
    called the ticket or an agent answered (CONNECT), `end_s` when the service ended — all in
    seconds after local midnight. `server` is the window or the agent, so the models count the
    windows and operators that really worked, hour by hour, and their breaks, from the data.
    Incremental by event (macros/incremental_events.sql): a build rewrites the tickets and the
    calls new batches touched (`event_key`: the ticket's event, the call's id).
-#}
{{ incremental_by_changes(
    none,
    "delete_changed_queue_services()",
    [{'columns': ['system', 'region_id', 'event_key']}, {'columns': ['system', 'service_id'], 'unique': True, 'nulls_not_distinct': True}],
) }}
with

tickets as (
    select * from {{ ref('int_office_visits__tickets') }}
    where {{ changed_events_only('office_visits') }}
),

offices as (
    select * from {{ ref('offices') }}
),

calls as (
    select * from {{ ref('int_calls__summarised') }}
    where {{ changed_events_only('call_centre', key='call_id') }}
),

-- materialized: computed once. A new batch's rows are estimated at one (its batch_id is not in
-- the statistics yet), so PostgreSQL made this the inner side of a nested loop and ran it once per
-- call (a day at 1 M events: 762 times, 2.5 s; once: 0.1 s)
connects as materialized (
    select distinct on (region_id, call_id, queue_name)
        region_id, call_id, queue_name, agent
    from {{ ref('stg_call_centre__queue_events') }}
    where event = 'CONNECT' and {{ changed_events_only('call_centre', key='call_id') }}
    order by region_id, call_id, queue_name, event_at
),

regions as (
    select * from {{ ref('regions') }}
),

office_rows as (
    select
        'office' as system,
        tickets.region_id,
        tickets.office_id as unit_id,
        tickets.office_id,
        tickets.ticket_key as service_id,
        tickets.event_key,
        (tickets.issued_at at time zone offices.timezone)::date as local_date,
        extract(isodow from tickets.issued_at at time zone offices.timezone)::int as local_weekday,
        extract(epoch from (greatest(tickets.issued_at, coalesce(tickets.booked_for_at, tickets.issued_at))
            at time zone offices.timezone)::time)::int as ready_s,
        tickets.is_prebooked as is_priority,
        tickets.service_code as service_class,
        extract(epoch from (tickets.called_at at time zone offices.timezone)::time)::int as start_s,
        extract(epoch from (coalesce(tickets.ended_at, tickets.called_at) at time zone offices.timezone)::time)::int
            as end_s,
        tickets.window_name as server,
        case
            when tickets.called_at is null then 'left'
            when tickets.started_at is null then 'no_show'
            else 'served'
        end as outcome,
        null::int as exit_wait_s
    from tickets
    inner join offices on tickets.office_id = offices.office_id
),

call_rows as (
    select
        'call' as system,
        calls.region_id,
        calls.queue_name as unit_id,
        calls.office_id,
        calls.queue_call_id as service_id,
        calls.call_id as event_key,
        (calls.offered_at at time zone regions.timezone)::date as local_date,
        extract(isodow from calls.offered_at at time zone regions.timezone)::int as local_weekday,
        extract(epoch from (calls.offered_at at time zone regions.timezone)::time)::int as ready_s,
        false as is_priority,
        'call' as service_class,
        case when calls.is_answered
            then extract(epoch from (calls.offered_at at time zone regions.timezone)::time)::int + calls.hold_seconds
        end as start_s,
        case when calls.is_answered
            then extract(epoch from (calls.offered_at at time zone regions.timezone)::time)::int
                + calls.hold_seconds + coalesce(calls.talk_seconds, 0)
        end as end_s,
        connects.agent as server,
        case
            when calls.is_answered then 'served'
            when calls.outcome = 'abandoned' then 'abandoned'
            when calls.outcome = 'timed_out' then 'timed_out'
            else 'other'
        end as outcome,
        calls.wait_before_exit_seconds::int as exit_wait_s
    from calls
    inner join regions on calls.region_id = regions.region_id
    left join connects
        on calls.region_id = connects.region_id
        and calls.call_id = connects.call_id
        and calls.queue_name = connects.queue_name
)

select * from office_rows
union all
select * from call_rows
