{#-
    The unified stream of what clients did, from every source: one row per call, ticket, site
    hit, portal event, chat session, case event and survey response, with the client it is
    attributed to (identity stitching), its channel, default touchpoint, office and the
    attribute the event → stage map matches on:
    call `<topic>:<resolution>` (the CRM wrap-up: resolved, callback, redirected; empty when the
    call has no wrap-up), desk ticket `<service code>:<outcome>` (served, no_show, redirected),
    page URL (percent-decoded), portal `<application type or user type>:<status>`, chat
    `<intent>:<outcome>` (the intent, or `fallback:<intent guessed from the text>` when the bot
    understood nothing; outcome resolved, handoff or abandoned), case event the case's service
    type, survey the rated touchpoint.
-#}
with

event_clients as (
    select * from {{ ref('int_identity__event_clients') }}
),

calls as (
    select
        region_id,
        call_id,
        min(offered_at) as event_at,
        (array_agg(office_id order by offered_at))[1] as office_id,
        bool_or(is_answered) as is_answered
    from {{ ref('int_calls__summarised') }}
    group by region_id, call_id
),

topics as (
    select * from {{ ref('stg_call_centre__call_topics') }}
),

tickets as (
    select * from {{ ref('int_office_visits__tickets') }}
),

hits as (
    select * from {{ ref('stg_website__hits') }}
),

portal as (
    select * from {{ ref('stg_website__portal_events') }}
),

chat as (
    select * from {{ ref('stg_chatbot__events') }}
),

cases as (
    select * from {{ ref('stg_cases__events') }}
),

surveys as (
    select * from {{ ref('stg_surveys__responses') }}
),

chat_sessions as (
    select
        region_id,
        session_id,
        min(event_at) as event_at,
        max(channel) as chat_channel,
        (array_agg(intent order by seq) filter (where event = 'intent_recognised'))[1] as first_intent,
        bool_or(event = 'fallback') as had_fallback,
        bool_or(event = 'handoff_to_operator') as handed_off,
        bool_or(event = 'resolved') as resolved,
        string_agg(text_scrubbed, ' ' order by seq) filter (where event = 'fallback') as fallback_text
    from chat
    group by region_id, session_id
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
        where chat_sessions.fallback_text ~* intents.keywords_ru
        order by intents.intent
        limit 1
    ) as guessed on chat_sessions.first_intent is null
),

case_services as (
    -- a case's service type: named on the event, else on the case's first event that names it
    -- (many systems name it only when the case is opened)
    select region_id, case_id, (array_agg(service_type order by occurred_at) filter (where service_type is not null))[1]
        as service_type
    from cases
    group by region_id, case_id
),

unioned as (
    select
        'call_centre' as source, calls.region_id, calls.call_id as event_key, calls.event_at,
        'call_centre' as channel, 'call_centre_operator' as touchpoint_id, calls.office_id,
        'call' as event_type, topics.topic_code || ':' || coalesce(topics.resolution, '') as attribute,
        true as is_contact
    from calls
    left join topics on calls.region_id = topics.region_id and calls.call_id = topics.call_id

    union all
    select
        'office_visits', region_id, event_key, issued_at,
        'office', 'office_window', office_id, 'ticket', service_code || ':' || coalesce(outcome, ''),
        -- a desk visit with a question is a contact; one for a service (registration, a case) is a step
        service_code in ('consultation', 'documents')
    from tickets

    union all
    select
        'website_hits', region_id, split_part(hit_id, '|', 2), hit_at,
        'website', 'website', null, 'hit', url, false
    from hits

    union all
    select
        'portal', region_id, split_part(portal_event_id, '|', 2), occurred_at,
        'portal',
        case
            when event_type = 'esia_login' then 'esia_login'
            when event_type = 'application_submitted' and user_type = 'employer' then 'employer_cabinet'
            when event_type = 'application_submitted' then 'portal_application'
            else 'portal_cabinet'
        end,
        office_id, event_type,
        coalesce(application_type, user_type) || ':' || coalesce(status, ''),
        -- an application is a step, not a contact (calls, chats and desk questions are)
        false
    from portal

    union all
    select
        'chatbot', region_id, session_id, event_at,
        'chatbot', 'chatbot', null, 'chat',
        topic || ':' || case when resolved and not handed_off then 'resolved' when handed_off then 'handoff' else 'abandoned' end,
        true
    from chat_topics

    union all
    select
        'cases', cases.region_id, cases.case_event_id, cases.occurred_at,
        'office',
        case
            when cases.event_type like 'benefit%' or cases.event_type = 'recognised_unemployed' then 'benefit_payment'
            when cases.event_type like 'training%' and cases.event_type <> 'training_referral' then 'training_provider'
            else 'case_consultant'
        end,
        -- case events are what staff record of a visit; the visit itself is the ticket
        cases.office_id, cases.event_type, coalesce(cases.service_type, case_services.service_type, ''), false
    from cases
    left join case_services on cases.region_id = case_services.region_id and cases.case_id = case_services.case_id

    union all
    select
        'surveys', region_id, response_id, responded_at,
        channel, touchpoint_id, office_id, 'survey', touchpoint_id, false
    from surveys
),

final as (
    select
        unioned.source || '|' || unioned.event_key as event_id,
        unioned.source,
        unioned.region_id,
        unioned.event_key,
        event_clients.client_id,
        unioned.event_at,
        (unioned.event_at at time zone regions.timezone)::date as event_local_date,
        unioned.channel,
        unioned.touchpoint_id,
        unioned.office_id,
        unioned.event_type,
        unioned.attribute,
        unioned.is_contact
    from unioned
    inner join {{ ref('regions') }} as regions on unioned.region_id = regions.region_id
    left join event_clients
        on unioned.source = event_clients.source
        and unioned.region_id = event_clients.region_id
        and unioned.event_key = event_clients.event_key
)

select * from final
