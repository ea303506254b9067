{#- The caller's phone of each call (a call that overflowed is one event: the caller called once). -#}
{{ incremental_by_events('call_centre') }}
select
    'call_centre' as source, region_id, call_id as event_key, min(offered_at) as event_at,
    'phone' as identifier_type, max(caller_hash) as identifier
from {{ ref('int_calls__summarised') }}
where {{ changed_events_only('call_centre', key='call_id') }}
group by region_id, call_id
