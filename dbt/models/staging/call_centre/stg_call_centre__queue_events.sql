{#- (region_id, event_at): int_staff__shifts reads the answered calls of the days it recomputes -#}
{{ incremental_by_batches('call_centre', ['queue_event_id'], indexes=[{'columns': ['region_id', 'call_id']}, {'columns': ['region_id', 'event_at']}]) }}
with

queue_log as (
    {{ validated_rows('call_centre', 'raw_call_centre_queue_log') }}
),

call_events as (
    select
        queue_log.batch_id,
        queue_log.line_no,
        queue_log.region_id,
        queue_log.event_at,
        queue_log.call_id,
        queue_log.queue_name,
        nullif(queue_log.agent, 'NONE') as agent,
        queue_log.event,
        queue_log.data1,
        queue_log.data2,
        queue_log.data3,
        queue_log.data4,
        queue_log.data5,
        queue_log.caller_hash
    from queue_log
    where queue_log.call_id <> 'NONE'
),

typed as (
    select
        {{ surrogate_key(['region_id', 'call_id', 'queue_name', 'event', 'event_at', 'agent', 'data1', 'data2', 'data3']) }}
            as queue_event_id,
        region_id,
        call_id,
        queue_name,
        event_at,
        event,
        agent,
        caller_hash,
        case
            when event = 'CONNECT' then {{ safe_int('data1') }}
            when event in ('COMPLETECALLER', 'COMPLETEAGENT') then {{ safe_int('data1') }}
            when event in ('TRANSFER', 'BLINDTRANSFER', 'ATTENDEDTRANSFER') then {{ safe_int('data3') }}
        end as hold_seconds,
        case
            when event in ('COMPLETECALLER', 'COMPLETEAGENT') then {{ safe_int('data2') }}
            when event in ('TRANSFER', 'BLINDTRANSFER', 'ATTENDEDTRANSFER') then {{ safe_int('data4') }}
        end as talk_seconds,
        case
            when event in ('ABANDON', 'EXITWITHTIMEOUT', 'EXITEMPTY') then {{ safe_int('data3') }}
            when event = 'EXITWITHKEY' then {{ safe_int('data4') }}
        end as wait_seconds,
        case when event = 'RINGNOANSWER' then {{ safe_int('data1') }} end as ring_ms,
        batch_id,
        line_no
    from call_events
),

deduplicated as (
    -- the same line delivered in two batches (overlapping exports) counts once
    {{ latest_per_key('typed', ['queue_event_id'], ['batch_id', 'line_no']) }}
)

select * from deduplicated
