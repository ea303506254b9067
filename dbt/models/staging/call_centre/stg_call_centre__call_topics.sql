with

topics as (
    {{ validated_rows('call_centre', 'raw_call_centre_call_topics') }}
),

latest_wrapup as (
    -- one topic per call: the last wrap-up wins (a transferred call may be wrapped up twice)
    select distinct on (topics.region_id, topics.call_id)
        topics.region_id,
        topics.call_id,
        topics.topic_code,
        topics.resolution,
        topics.wrapup_at
    from topics
    order by topics.region_id, topics.call_id, topics.wrapup_at desc, topics.batch_id desc
)

select * from latest_wrapup
