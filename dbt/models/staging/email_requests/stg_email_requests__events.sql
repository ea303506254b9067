{{ incremental_by_batches('email_requests', ['region_id', 'email_request_event_id']) }}
with

validated as (
    {{ validated_rows('email_requests', 'raw_email_requests_events', match=['event_id']) }}
),

deduplicated as (
    -- an event re-delivered in a later batch (corrected export): the latest batch wins
    select distinct on (region_id, event_id) *
    from validated
    order by region_id, event_id, batch_id desc, line_no
),

final as (
    select
        event_id as email_request_event_id,
        region_id,
        request_id,
        -- the event of the journey: the request itself for its receipt, the answer for an answer
        -- (int_email_requests__requests keeps the first of each); help desks number their
        -- requests per region, events are keyed across regions: the region comes first
        region_id || '/' || case when event = 'received' then request_id else event_id end as event_key,
        event,
        event_at,
        channel,
        office_id,
        email_hash,
        phone_hash,
        snils_hash,
        subject_scrubbed,
        body_scrubbed,
        operator,
        resolution,
        batch_id
    from deduplicated
)

select * from final
