{#-
    One row per event × identifier it carries, from every source. Identifiers are keyed hashes
    (phone, e-mail, SNILS, ESIA, an individual's INN, cookies, messenger ids) or business keys
    (a company's INN/OGRN, case, application, office ticket, chat session).

    `event_key` is the source's natural key of the event (call id, office/date/ticket, Metrica
    watchID/visitID, portal event id, chat session, case event id, survey response id).
    `identifier_class`: `person` — names one person (SNILS, ESIA, INN of a person) or one
    company (INN/OGRN); `contact` — usually one person but can be shared (phone, e-mail,
    cookie, messenger id); `link` — one case, application, visit or chat, tying the
    identifiers of its events together.
-#}
with

calls as (
    select * from {{ ref('int_calls__summarised') }}
),

tickets as (
    select * from {{ ref('stg_office_visits__tickets') }}
),

hits as (
    select * from {{ ref('stg_website__hits') }}
),

visits as (
    select * from {{ ref('stg_website__visits') }}
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

call_events as (
    -- a call that overflowed is one event (the caller called once)
    select
        'call_centre' as source, region_id, call_id as event_key, min(offered_at) as event_at,
        max(caller_hash) as phone_hash
    from calls
    group by region_id, call_id
),

ticket_events as (
    select
        'office_visits' as source, region_id,
        event_key,
        issued_at as event_at, phone_hash, ticket_key
    from tickets
),

chat_sessions as (
    select
        'chatbot' as source, region_id, session_id as event_key, min(event_at) as event_at,
        max(user_hash) as user_hash, max(phone_hash) as phone_hash
    from chat
    group by region_id, session_id
),

case_events as (
    select
        cases.*,
        case
            when cases.ticket_id is not null
                then {{ ticket_link_key('cases.office_id', '(cases.occurred_at at time zone offices.timezone)::date', 'cases.ticket_id') }}
        end as ticket_key
    from cases
    left join {{ ref('offices') }} as offices on cases.office_id = offices.office_id
),

survey_events as (
    select
        surveys.*,
        case
            when surveys.ticket_id is not null and surveys.office_id is not null
                then {{ ticket_link_key('surveys.office_id', '(surveys.responded_at at time zone offices.timezone)::date', 'surveys.ticket_id') }}
        end as ticket_key
    from surveys
    left join {{ ref('offices') }} as offices on surveys.office_id = offices.office_id
),

occurrences as (
    select source, region_id, event_key, event_at, 'phone' as identifier_type, phone_hash as identifier
    from call_events

    union all
    select source, region_id, event_key, event_at, 'phone', phone_hash from ticket_events
    union all
    select source, region_id, event_key, event_at, 'ticket', ticket_key from ticket_events

    union all
    select 'website_hits', region_id, split_part(hit_id, '|', 2), hit_at, 'metrica_client', metrica_client_hash
    from hits
    union all
    select 'website_visits', region_id, split_part(visit_id, '|', 2), visit_started_at, 'metrica_client', metrica_client_hash
    from visits

    union all
    select 'portal', region_id, split_part(portal_event_id, '|', 2), occurred_at, 'esia', esia_hash from portal
    union all
    select 'portal', region_id, split_part(portal_event_id, '|', 2), occurred_at, 'metrica_client', metrica_client_hash from portal
    union all
    select 'portal', region_id, split_part(portal_event_id, '|', 2), occurred_at, 'snils', snils_hash from portal
    union all
    select 'portal', region_id, split_part(portal_event_id, '|', 2), occurred_at, 'phone', phone_hash from portal
    union all
    select 'portal', region_id, split_part(portal_event_id, '|', 2), occurred_at, 'email', email_hash from portal
    union all
    select 'portal', region_id, split_part(portal_event_id, '|', 2), occurred_at, 'person_inn', inn_hash from portal
    union all
    select 'portal', region_id, split_part(portal_event_id, '|', 2), occurred_at, 'company_inn', inn from portal
    union all
    select 'portal', region_id, split_part(portal_event_id, '|', 2), occurred_at, 'application', application_id from portal

    union all
    select source, region_id, event_key, event_at, 'chat_session', event_key from chat_sessions
    union all
    select source, region_id, event_key, event_at, 'messenger_user', user_hash from chat_sessions
    union all
    select source, region_id, event_key, event_at, 'phone', phone_hash from chat_sessions

    union all
    select 'cases', region_id, case_event_id, occurred_at, 'case', case_id from case_events
    union all
    select 'cases', region_id, case_event_id, occurred_at, 'snils', snils_hash from case_events
    union all
    select 'cases', region_id, case_event_id, occurred_at, 'phone', phone_hash from case_events
    union all
    select 'cases', region_id, case_event_id, occurred_at, 'person_inn', inn_hash from case_events
    union all
    select 'cases', region_id, case_event_id, occurred_at, 'company_inn', inn from case_events
    union all
    select 'cases', region_id, case_event_id, occurred_at, 'application', application_id from case_events
    union all
    select 'cases', region_id, case_event_id, occurred_at, 'ticket', ticket_key from case_events

    union all
    select 'surveys', region_id, response_id, responded_at, 'phone', phone_hash from survey_events
    union all
    select 'surveys', region_id, response_id, responded_at, 'esia', esia_hash from survey_events
    union all
    select 'surveys', region_id, response_id, responded_at, 'ticket', ticket_key from survey_events
    union all
    select 'surveys', region_id, response_id, responded_at, 'case', case_id from survey_events
),

final as (
    select distinct
        source,
        region_id,
        event_key,
        event_at,
        identifier_type,
        case
            when identifier_type in ('snils', 'esia', 'person_inn', 'company_inn') then 'person'
            when identifier_type in ('phone', 'email', 'metrica_client', 'messenger_user') then 'contact'
            else 'link'
        end as identifier_class,
        -- identifiers are per region: the same phone in two regions is matched only inside each
        region_id || ':' || identifier_type || ':' || identifier as node_id
    from occurrences
    where identifier is not null and identifier <> ''
)

select * from final
