{#-
    E-mail and web-form requests as touchpoint events: the request when it is received (event
    type `request`, attribute `<topic>:<channel>`, a contact of the client) and its first answer
    (event type `answer`, attribute `<topic>:on_time|late|open`, not a contact: the ЦЗН wrote).
-#}
with

requests as (
    select * from {{ ref('int_email_requests__requests') }}
)

select
    'email_requests' as source, region_id, event_key, received_at as event_at,
    'email' as channel, 'email_requests' as touchpoint_id, office_id, 'request' as event_type,
    topic || ':' || channel as attribute,
    true as is_contact
from requests
union all
select
    'email_requests', region_id, answer_event_key, answered_at,
    'email', 'email_requests', office_id, 'answer',
    topic || ':' || case
        when is_answered_on_time then 'on_time' when not is_answered_on_time then 'late' else 'open'
    end,
    false
from requests
where answer_event_key is not null
