{#- Every event of every source in one stream, with client, channel and touchpoint; no personal data. -#}
select
    event_id,
    source,
    region_id,
    client_id,
    event_at,
    event_local_date,
    channel,
    touchpoint_id,
    office_id,
    event_type,
    case when source = 'website_hits' then split_part(attribute, '?', 1) else attribute end as attribute,
    is_contact
from {{ ref('int_touchpoint_events') }}
