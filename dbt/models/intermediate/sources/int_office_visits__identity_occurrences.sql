{#- A desk ticket's phone (pre-booked tickets) and the ticket itself (the link to cases and surveys naming it). -#}
with

tickets as (
    select * from {{ ref('stg_office_visits__tickets') }}
)

select 'office_visits' as source, region_id, event_key, issued_at as event_at, 'phone' as identifier_type, phone_hash as identifier
from tickets
union all
select 'office_visits', region_id, event_key, issued_at, 'ticket', ticket_key
from tickets
