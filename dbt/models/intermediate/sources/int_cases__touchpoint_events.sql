{#- Case events as touchpoint events, attribute the case's service type. -#}
{{ incremental_by_events('cases', unique=true) }}
with

cases as (
    select * from {{ ref('stg_cases__events') }}
    where {{ changed_events_only('cases') }}
),

case_services as (
    -- a case's service type: named on the event, else on the case's first event that names it
    -- (many systems name it only when the case is opened)
    select region_id, case_id, (array_agg(service_type order by occurred_at) filter (where service_type is not null))[1]
        as service_type
    from cases
    group by region_id, case_id
)

select
    'cases' as source, cases.region_id, cases.event_key, cases.occurred_at as event_at,
    'office' as channel,
    case
        when cases.event_type like 'benefit%' or cases.event_type = 'recognised_unemployed' then 'benefit_payment'
        when cases.event_type like 'training%' and cases.event_type <> 'training_referral' then 'training_provider'
        else 'case_consultant'
    end as touchpoint_id,
    -- case events are what staff record of a visit; the visit itself is the ticket
    cases.office_id, cases.event_type,
    coalesce(cases.service_type, case_services.service_type, '') as attribute,
    false as is_contact
from cases
left join case_services on cases.region_id = case_services.region_id and cases.case_id = case_services.case_id
