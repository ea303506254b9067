{#- The Metrica client (cookie) of each site visit. -#}
{{ incremental_by_events('website_visits') }}
select
    'website_visits' as source, region_id, event_key, visit_started_at as event_at,
    'metrica_client' as identifier_type, metrica_client_hash as identifier
from {{ ref('stg_website__visits') }}
where {{ changed_events_only('website_visits') }}
