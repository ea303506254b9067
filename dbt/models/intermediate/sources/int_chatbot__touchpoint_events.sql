{#-
    Chat sessions as touchpoint events, attribute `<intent>:<outcome>`: the first recognised
    intent, or `fallback:<intent guessed from the text>` when the bot understood nothing;
    outcome resolved, handoff or abandoned.
-#}
{{ incremental_by_events('chatbot', unique=true) }}
with

chat as (
    select * from {{ ref('stg_chatbot__events') }}
    where {{ changed_events_only('chatbot') }}
),

chat_sessions as (
    select
        region_id,
        event_key,
        min(event_at) as event_at,
        max(channel) as chat_channel,
        (array_agg(intent order by seq) filter (where event = 'intent_recognised'))[1] as first_intent,
        bool_or(event = 'fallback') as had_fallback,
        bool_or(event = 'handoff_to_operator') as handed_off,
        bool_or(event = 'resolved') as resolved,
        string_agg(text_scrubbed, ' ' order by seq) filter (where event = 'fallback') as fallback_text
    from chat
    group by region_id, event_key
),

chat_topics as (
    -- what a session was about: its first recognised intent, or — when the bot understood
    -- nothing — the intent whose keywords (chatbot_intents seed) the unrecognised text matches
    select
        chat_sessions.*,
        coalesce(
            chat_sessions.first_intent,
            'fallback:' || coalesce(guessed.intent, 'unknown')
        ) as topic
    from chat_sessions
    left join lateral (
        select intents.intent
        from {{ ref('chatbot_intents') }} as intents
        where {{ fold_case('chat_sessions.fallback_text') }} ~* intents.keywords_ru
        order by intents.intent
        limit 1
    ) as guessed on chat_sessions.first_intent is null
)

select
    'chatbot' as source, region_id, event_key, event_at,
    'chatbot' as channel, 'chatbot' as touchpoint_id, null::text as office_id, 'chat' as event_type,
    topic || ':' || case when resolved and not handed_off then 'resolved' when handed_off then 'handoff' else 'abandoned' end
        as attribute,
    true as is_contact
from chat_topics
