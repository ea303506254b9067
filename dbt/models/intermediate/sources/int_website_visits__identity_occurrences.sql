{#- The Metrica client (cookie) of each site visit. -#}
select
    'website_visits' as source, region_id, event_key, visit_started_at as event_at,
    'metrica_client' as identifier_type, metrica_client_hash as identifier
from {{ ref('stg_website__visits') }}
