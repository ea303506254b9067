with

tickets as (
    select * from {{ ref('int_office_visits__tickets') }}
)

select
    ticket_key,
    region_id,
    office_id,
    ticket_id,
    ticket_date,
    service_code,
    is_prebooked,
    booked_for_at,
    issued_at,
    called_at,
    started_at,
    ended_at,
    outcome,
    wait_seconds,
    wait_after_slot_seconds,
    service_seconds,
    issued_local_date,
    issued_local_weekday,
    issued_local_hour
from tickets
