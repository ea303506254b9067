{#- Survey responses as touchpoint events, attribute the rated touchpoint. -#}
{{ incremental_by_events('surveys', unique=true) }}
select
    'surveys' as source, region_id, event_key, responded_at as event_at,
    channel, touchpoint_id, office_id, 'survey' as event_type, touchpoint_id as attribute, false as is_contact
from {{ ref('stg_surveys__responses') }}
where {{ changed_events_only('surveys') }}
