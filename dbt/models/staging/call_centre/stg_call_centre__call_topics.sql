{{ incremental_by_batches('call_centre', ['region_id', 'call_id']) }}
with

topics as (
    {{ validated_rows('call_centre', 'raw_call_centre_call_topics') }}
),

wrapups as (
    select
        topics.region_id,
        topics.call_id,
        topics.topic_code,
        topics.resolution,
        topics.wrapup_at,
        topics.batch_id
    from topics
),

latest_wrapup as (
    -- one topic per call: the last wrap-up wins (a transferred call may be wrapped up twice)
    {{ latest_per_key('wrapups', ['region_id', 'call_id'], ['wrapup_at desc', 'batch_id desc']) }}
)

select * from latest_wrapup
