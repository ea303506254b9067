{#- A desk ticket's phone (pre-booked tickets) and the ticket itself (the link to cases and surveys naming it). -#}
{{ incremental_by_events('office_visits') }}
with

tickets as (
    select * from {{ ref('stg_office_visits__tickets') }}
    where {{ changed_events_only('office_visits') }}
)

select 'office_visits' as source, region_id, event_key, issued_at as event_at, 'phone' as identifier_type, phone_hash as identifier
from tickets
union all
select 'office_visits', region_id, event_key, issued_at, 'ticket', ticket_key
from tickets
