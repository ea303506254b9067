{#-
    The answer time of e-mail and web-form requests, one observation per request whose answer
    is known or overdue (int_email_requests__requests.is_answered_on_time): KPI
    email_answer_on_time at the touchpoint email_requests, on the day and hour of receipt. A
    request handled centrally counts with the region's first office (the central ЦЗН leads its
    requests), so that office and region figures add up.
-#}
{{ config(indexes=[{'columns': ['kpi_id', 'region_id', 'local_date']}]) }}
with

requests as (
    select * from {{ ref('int_email_requests__requests') }}
    where is_answered_on_time is not null
),

central_offices as (
    select region_id, min(office_id) as office_id
    from {{ ref('offices') }}
    group by region_id
)

select
    'email_answer_on_time' as kpi_id,
    requests.region_id,
    coalesce(requests.office_id, central_offices.office_id) as office_id,
    'email_requests' as touchpoint_id,
    requests.received_local_date as local_date,
    requests.received_local_weekday as local_weekday,
    requests.received_local_hour as local_hour,
    requests.is_answered_on_time as is_success,
    requests.answer_hours::numeric(14, 4) as measure,
    'share' as aggregation,
    'email_requests' as source,
    requests.event_key,
    requests.is_answered_on_time as region_is_success,
    requests.answer_hours::numeric(14, 4) as region_measure,
    true as counts_in_region
from requests
left join central_offices on requests.region_id = central_offices.region_id
