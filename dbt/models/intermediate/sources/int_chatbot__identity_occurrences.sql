{#- The identifiers of a chat session: the session itself, the messenger user and a phone given in the chat. -#}
{{ incremental_by_events('chatbot') }}
with

chat_sessions as (
    select
        region_id, event_key, min(event_at) as event_at,
        max(user_hash) as user_hash, max(phone_hash) as phone_hash
    from {{ ref('stg_chatbot__events') }}
    where {{ changed_events_only('chatbot') }}
    group by region_id, event_key
)

select 'chatbot' as source, region_id, event_key, event_at, 'chat_session' as identifier_type, event_key as identifier
from chat_sessions
union all
select 'chatbot', region_id, event_key, event_at, 'messenger_user', user_hash from chat_sessions
union all
select 'chatbot', region_id, event_key, event_at, 'phone', phone_hash from chat_sessions
