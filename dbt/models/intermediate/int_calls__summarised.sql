{#-
    Incremental by call-centre batch (macros/incremental_staging.sql): a build recomputes whole
    every call a new batch brought an event of (a call that crosses midnight is in two days'
    logs), from all of that call's queue events.
-#}
{{ incremental_by_batches(
    'call_centre', ['region_id', 'call_id'], unique=false, by_batch=false,
    indexes=[{'columns': ['queue_call_id'], 'unique': True}],
    pre_hook=['{{ without_index_order_when_whole() }}'],
) }}
with

events as (
    {{ rows_of_changed_keys(ref('stg_call_centre__queue_events'), 'call_centre', ['region_id', 'call_id']) }}
),

queues as (
    select * from {{ ref('call_queues') }}
),

regions as (
    select * from {{ ref('regions') }}
),

per_call as (
    select
        region_id,
        call_id,
        queue_name,
        min(event_at) filter (where event = 'ENTERQUEUE') as offered_at,
        max(caller_hash) filter (where event = 'ENTERQUEUE') as caller_hash,
        min(event_at) filter (where event = 'CONNECT') as answered_at,
        min(hold_seconds) filter (where event = 'CONNECT') as hold_seconds,
        max(talk_seconds) as talk_seconds,
        max(wait_seconds) filter (where event in ('ABANDON', 'EXITWITHTIMEOUT', 'EXITEMPTY', 'EXITWITHKEY'))
            as wait_before_exit_seconds,
        count(*) filter (where event = 'RINGNOANSWER') as ring_no_answer_count,
        bool_or(event = 'CONNECT') as has_connect,
        bool_or(event = 'ABANDON') as has_abandon,
        bool_or(event = 'EXITWITHTIMEOUT') as has_timeout,
        bool_or(event = 'EXITEMPTY') as has_exit_empty,
        bool_or(event = 'EXITWITHKEY') as has_exit_key,
        bool_or(event in ('TRANSFER', 'BLINDTRANSFER', 'ATTENDEDTRANSFER')) as is_transferred,
        max(event_at) as last_event_at
    from events
    group by region_id, call_id, queue_name
),

classified as (
    select
        *,
        case
            when has_connect then 'answered'
            when has_abandon then 'abandoned'
            when has_timeout then 'timed_out'
            when has_exit_empty then 'no_agents'
            when has_exit_key then 'left_by_key'
            else 'no_exit'
        end as outcome
    from per_call
    -- a call is offered to a queue when it entered it; fragments without ENTERQUEUE are not calls
    where offered_at is not null
),

call_path as (
    -- the queues a call went through, in order: an overflowed call leaves one queue (EXITWITHTIMEOUT)
    -- and enters the next; the first queue that answered it ends its wait
    select
        *,
        row_number() over call_window as queue_seq,
        count(*) over (partition by region_id, call_id) as queues_entered
    from classified
    window call_window as (partition by region_id, call_id order by offered_at, queue_name)
),

whole_call as (
    select
        *,
        min(queue_seq) filter (where outcome = 'answered') over (partition by region_id, call_id) as answered_seq
    from call_path
),

call_figures as (
    -- the call as the caller lived it, for the region's figures: answered if any queue answered,
    -- abandoned if the caller hung up in the last queue, waiting from the first ENTERQUEUE
    select
        *,
        queue_seq = 1 as is_first_queue,
        coalesce(queue_seq = answered_seq, false) as is_answering_queue,
        answered_seq is not null as call_is_answered,
        answered_seq is null
        and bool_or(outcome = 'abandoned' and queue_seq = queues_entered) over (partition by region_id, call_id)
            as call_is_abandoned,
        case
            when answered_seq is not null then sum(
                case
                    when queue_seq < answered_seq then coalesce(wait_before_exit_seconds, 0)
                    when queue_seq = answered_seq then hold_seconds
                end
            ) over (partition by region_id, call_id)
        end as call_hold_seconds
    from whole_call
),

final as (
    select
        {{ surrogate_key(['classified.region_id', 'classified.call_id', 'classified.queue_name']) }} as queue_call_id,
        classified.region_id,
        classified.call_id,
        classified.queue_name,
        queues.office_id,
        queues.touchpoint_id,
        classified.caller_hash,
        classified.offered_at,
        classified.answered_at,
        classified.outcome,
        classified.outcome = 'answered' as is_answered,
        classified.outcome = 'abandoned' as is_abandoned,
        classified.is_transferred,
        classified.hold_seconds,
        classified.talk_seconds,
        classified.wait_before_exit_seconds,
        classified.ring_no_answer_count,
        classified.queue_seq,
        classified.queues_entered,
        classified.is_first_queue,
        classified.is_answering_queue,
        classified.call_is_answered,
        classified.call_is_abandoned,
        classified.call_hold_seconds,
        {{ local_parts('classified.offered_at', 'regions.timezone', 'offered') }}
    from call_figures as classified
    inner join queues
        on classified.region_id = queues.region_id and classified.queue_name = queues.queue_name
    inner join regions on classified.region_id = regions.region_id
)

select * from final
