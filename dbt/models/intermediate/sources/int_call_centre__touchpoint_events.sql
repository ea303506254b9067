{#- Calls as touchpoint events: one per call (an overflowed call is one), attribute `<topic>:<resolution>`. -#}
{{ incremental_by_events('call_centre', unique=true) }}
with

calls as (
    select
        region_id,
        call_id,
        min(offered_at) as event_at,
        (array_agg(office_id order by offered_at))[1] as office_id,
        bool_or(is_answered) as is_answered
    from {{ ref('int_calls__summarised') }}
    where {{ changed_events_only('call_centre', key='call_id') }}
    group by region_id, call_id
),

topics as (
    select * from {{ ref('stg_call_centre__call_topics') }}
)

select
    'call_centre' as source, calls.region_id, calls.call_id as event_key, calls.event_at,
    'call_centre' as channel, 'call_centre_operator' as touchpoint_id, calls.office_id,
    'call' as event_type, topics.topic_code || ':' || coalesce(topics.resolution, '') as attribute,
    true as is_contact
from calls
left join topics on calls.region_id = topics.region_id and calls.call_id = topics.call_id
