{{ incremental_by_batches('chatbot', ['region_id', 'session_id', 'seq']) }}
with

validated as (
    {{ validated_rows('chatbot', 'raw_chatbot_events', match=['session_id']) }}
),

deduplicated as (
    -- an event re-delivered in a later batch (corrected export): the latest batch wins
    select distinct on (region_id, session_id, seq) *
    from validated
    order by region_id, session_id, seq, batch_id desc, line_no
),

final as (
    select
        session_id || '|' || seq::text as chatbot_event_id,
        region_id,
        session_id,
        -- the event of the journey is the chat session: its messages share its key
        session_id as event_key,
        seq,
        event_at,
        event,
        -- only chat_started names the channel: every event of the session gets it
        coalesce(
            channel,
            max(channel) filter (where event = 'chat_started') over (partition by region_id, session_id)
        ) as channel,
        user_hash,
        phone_hash,
        text_scrubbed,
        intent,
        confidence,
        rating,
        batch_id
    from deduplicated
)

select * from final
