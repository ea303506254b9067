{#- The identifiers a survey response carries: phone, ESIA, the desk ticket and the case it rates. -#}
{{ incremental_by_events('surveys') }}
with

survey_events as (
    select
        surveys.*,
        case
            when surveys.ticket_id is not null and surveys.office_id is not null
                then {{ ticket_link_key('surveys.office_id', '(surveys.responded_at at time zone offices.timezone)::date', 'surveys.ticket_id') }}
        end as ticket_key
    from {{ ref('stg_surveys__responses') }} as surveys
    left join {{ ref('offices') }} as offices on surveys.office_id = offices.office_id
    where {{ changed_events_only('surveys', region='surveys.region_id', key='surveys.event_key') }}
)

select 'surveys' as source, region_id, event_key, responded_at as event_at, 'phone' as identifier_type, phone_hash as identifier
from survey_events
union all
select 'surveys', region_id, event_key, responded_at, 'esia', esia_hash from survey_events
union all
select 'surveys', region_id, event_key, responded_at, 'ticket', ticket_key from survey_events
union all
select 'surveys', region_id, event_key, responded_at, 'case', case_id from survey_events
