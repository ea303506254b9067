{#-
    int_staff__shifts reads by two indexes: (region, queue, agent, time) for an operator's event
    before a new one and after a recomputed day's last; (region, time) for a recomputed day's events
-#}
{{ incremental_by_batches('call_centre', ['agent_event_id'], indexes=[
    {'columns': ['region_id', 'queue_name', 'agent', 'event_at', 'agent_event_id']},
    {'columns': ['region_id', 'event_at']},
]) }}
with

queue_log as (
    {{ validated_rows('call_centre', 'raw_call_centre_queue_log') }}
),

agent_lines as (
    select
        queue_log.batch_id,
        queue_log.line_no,
        queue_log.region_id,
        queue_log.event_at,
        queue_log.queue_name,
        queue_log.agent,
        queue_log.event,
        case when queue_log.event in ('PAUSE', 'PAUSEALL') then queue_log.data1 end as pause_reason
    from queue_log
    where queue_log.agent <> 'NONE'
        and queue_log.event in (
            'ADDMEMBER', 'REMOVEMEMBER', 'AGENTLOGIN', 'AGENTLOGOFF', 'PAUSE', 'UNPAUSE', 'PAUSEALL', 'UNPAUSEALL'
        )
),

typed as (
    select
        {{ surrogate_key(['region_id', 'agent', 'queue_name', 'event', 'event_at']) }} as agent_event_id,
        region_id,
        queue_name,
        agent,
        event,
        event_at,
        pause_reason,
        batch_id,
        line_no
    from agent_lines
),

deduplicated as (
    -- the same line delivered in two batches (overlapping exports) counts once
    {{ latest_per_key('typed', ['agent_event_id'], ['batch_id', 'line_no']) }}
)

select * from deduplicated
