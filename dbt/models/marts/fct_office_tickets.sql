{#-
    One row per electronic-queue ticket, for BI. Incremental by ticket (macros/incremental_events.sql):
    a build rewrites the tickets new batches touched, where it copied every ticket of the history.
-#}
{{ incremental_by_changes('office_visits', "delete_changed_tickets()", [], on_schema_change='append_new_columns') }}
with

tickets as (
    select * from {{ ref('int_office_visits__tickets') }}
    where {{ changed_events_only('office_visits') }}
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
