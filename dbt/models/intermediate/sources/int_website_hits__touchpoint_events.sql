{#- Page views of the ЦЗН site as touchpoint events, attribute the URL. -#}
{{ incremental_by_events('website_hits', unique=true) }}
select
    'website_hits' as source, region_id, event_key, hit_at as event_at,
    'website' as channel, 'website' as touchpoint_id, null::text as office_id, 'hit' as event_type,
    url as attribute, false as is_contact
from {{ ref('stg_website__hits') }}
where {{ changed_events_only('website_hits') }}
