{#-
    One row per e-mail or web-form request whose receipt is in the data: how it came, from whom
    (hashed), what it was about and when it was answered.

    * topic — the first topic of the email_request_topics seed (in sort_order) whose keywords
      (lower case) match the subject and the text; `other` when none does;
    * answer_hours — received → first answer, in hours not counting Saturdays and Sundays (macro
      weekday_hours_between), in the office's time zone (the region's for a request handled
      centrally);
    * is_answered_on_time — answer_hours within the threshold of the KPI email_answer_on_time
      (kpi_definitions); an unanswered request is late once the threshold has passed by the
      region's last e-mail event, unknown before; a request closed as a duplicate or needing no
      answer, without an answer, is not measured (null).
    office_id of a request handled centrally is the office of its answer, else null.
-#}
with

events as (
    select * from {{ ref('stg_email_requests__events') }}
),

topics as (
    select * from {{ ref('email_request_topics') }}
),

received as (
    -- a request received twice (a re-sent letter registered again) counts from its first receipt
    select distinct on (region_id, request_id) *
    from events
    where event = 'received'
    order by region_id, request_id, event_at, email_request_event_id
),

answers as (
    select distinct on (region_id, request_id)
        region_id, request_id, event_key as answer_event_key, event_at as answered_at, office_id as answer_office_id
    from events
    where event = 'answered'
    order by region_id, request_id, event_at, email_request_event_id
),

closures as (
    select distinct on (region_id, request_id)
        region_id, request_id, event_at as closed_at, resolution
    from events
    where event = 'closed'
    order by region_id, request_id, event_at desc, email_request_event_id desc
),

data_end as (
    select region_id, max(event_at) as data_end_at
    from events
    group by region_id
),

threshold as (
    select threshold_value as hours
    from {{ ref('kpi_definitions') }}
    where kpi_id = 'email_answer_on_time' and threshold_unit = 'hours'
),

requests as (
    select
        received.region_id,
        received.request_id,
        received.event_key,
        received.event_at as received_at,
        received.channel,
        coalesce(received.office_id, answers.answer_office_id) as office_id,
        coalesce(offices.timezone, regions.timezone) as timezone,
        received.email_hash,
        received.phone_hash,
        received.snils_hash,
        -- lower case whatever the server's locale (macro fold_case)
        {{ fold_case("coalesce(received.subject_scrubbed, '') || ' ' || coalesce(received.body_scrubbed, '')") }}
            as request_text,
        answers.answer_event_key,
        -- an answer registered before its request (clocks of two systems) counts as immediate
        case when answers.answered_at is not null then greatest(answers.answered_at, received.event_at) end
            as answered_at,
        closures.closed_at,
        closures.resolution,
        data_end.data_end_at
    from received
    inner join {{ ref('regions') }} as regions on received.region_id = regions.region_id
    left join answers on received.region_id = answers.region_id and received.request_id = answers.request_id
    left join {{ ref('offices') }} as offices
        on coalesce(received.office_id, answers.answer_office_id) = offices.office_id
    left join closures on received.region_id = closures.region_id and received.request_id = closures.request_id
    inner join data_end on received.region_id = data_end.region_id
),

classified as (
    select
        requests.*,
        coalesce(matched.topic_code, 'other') as topic
    from requests
    left join lateral (
        select topics.topic_code
        from topics
        where requests.request_text ~* topics.keywords_ru
        order by topics.sort_order
        limit 1
    ) as matched on true
),

timed as (
    select
        classified.*,
        {{ weekday_hours_between(
            'classified.received_at at time zone classified.timezone',
            'classified.answered_at at time zone classified.timezone'
        ) }} as answer_hours,
        {{ weekday_hours_between(
            'classified.received_at at time zone classified.timezone',
            'classified.data_end_at at time zone classified.timezone'
        ) }} as hours_to_data_end
    from classified
),

final as (
    select
        timed.region_id,
        timed.request_id,
        timed.event_key,
        timed.received_at,
        {{ local_parts('timed.received_at', 'timed.timezone', 'received') }},
        timed.channel,
        timed.office_id,
        timed.email_hash,
        timed.phone_hash,
        timed.snils_hash,
        timed.topic,
        timed.answer_event_key,
        timed.answered_at,
        timed.answer_hours::numeric(14, 4) as answer_hours,
        timed.closed_at,
        timed.resolution,
        case
            when timed.answered_at is not null then timed.answer_hours <= threshold.hours
            when timed.resolution in ('duplicate', 'no_answer_needed') then null
            when timed.hours_to_data_end > threshold.hours then false
        end as is_answered_on_time
    from timed
    cross join threshold
)

select * from final
