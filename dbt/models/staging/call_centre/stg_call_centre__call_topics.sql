with

batches as (
    {{ validated_batches('call_centre') }}
),

topics as (
    select * from {{ source('raw_call_centre', 'raw_call_centre_call_topics') }}
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
    inner join batches on topics.batch_id = batches.batch_id
    order by topics.region_id, topics.call_id, topics.wrapup_at desc, topics.batch_id desc
)

select * from latest_wrapup
