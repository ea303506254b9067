{#-
    The identifiers of a request: the sender's e-mail, the phone and SNILS a form asks for, and
    the request itself, which ties its answer (an event of its own) to the sender.
-#}
with

requests as (
    select * from {{ ref('int_email_requests__requests') }}
),

request_events as (
    select region_id, request_id, event_key, received_at as event_at, email_hash, phone_hash, snils_hash
    from requests
    union all
    select region_id, request_id, answer_event_key, answered_at, null, null, null
    from requests
    where answer_event_key is not null
)

select
    'email_requests' as source, region_id, event_key, event_at,
    'email_request' as identifier_type, request_id as identifier
from request_events
union all
select 'email_requests', region_id, event_key, event_at, 'email', email_hash from request_events
union all
select 'email_requests', region_id, event_key, event_at, 'phone', phone_hash from request_events
union all
select 'email_requests', region_id, event_key, event_at, 'snils', snils_hash from request_events
