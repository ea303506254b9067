{#- Desk tickets as touchpoint events, attribute `<service code>:<outcome>`. -#}
{{ incremental_by_events('office_visits', unique=true) }}
select
    'office_visits' as source, region_id, event_key, issued_at as event_at,
    'office' as channel, 'office_window' as touchpoint_id, office_id, 'ticket' as event_type,
    service_code || ':' || coalesce(outcome, '') as attribute,
    -- a desk visit with a question is a contact; one for a service (registration, a case) is a step
    service_code in ('consultation', 'documents') as is_contact
from {{ ref('int_office_visits__tickets') }}
where {{ changed_events_only('office_visits') }}
