{#- The Metrica client (cookie) of each page view. -#}
{{ incremental_by_events('website_hits') }}
select
    'website_hits' as source, region_id, event_key, hit_at as event_at,
    'metrica_client' as identifier_type, metrica_client_hash as identifier
from {{ ref('stg_website__hits') }}
where {{ changed_events_only('website_hits') }}
