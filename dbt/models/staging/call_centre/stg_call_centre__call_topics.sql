with

batches as (
    select batch_id
    from {{ source('raw', 'ingest_batches') }}
    where source = 'call_centre' and status = 'validated'
),

topics as (
    select * from {{ source('raw', 'raw_call_centre_call_topics') }}
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
