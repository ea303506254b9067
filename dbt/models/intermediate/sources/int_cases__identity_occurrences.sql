{#- The identifiers a case event carries: case, SNILS, phone, INN (person, company), application, and the desk ticket it names. -#}
{{ incremental_by_events('cases') }}
with

case_events as (
    select
        cases.*,
        case
            when cases.ticket_id is not null
                then {{ ticket_link_key('cases.office_id', '(cases.occurred_at at time zone offices.timezone)::date', 'cases.ticket_id') }}
        end as ticket_key
    from {{ ref('stg_cases__events') }} as cases
    left join {{ ref('offices') }} as offices on cases.office_id = offices.office_id
    where {{ changed_events_only('cases', region='cases.region_id', key='cases.event_key') }}
)

select 'cases' as source, region_id, event_key, occurred_at as event_at, 'case' as identifier_type, case_id as identifier
from case_events
union all
select 'cases', region_id, event_key, occurred_at, 'snils', snils_hash from case_events
union all
select 'cases', region_id, event_key, occurred_at, 'phone', phone_hash from case_events
union all
select 'cases', region_id, event_key, occurred_at, 'person_inn', inn_hash from case_events
union all
select 'cases', region_id, event_key, occurred_at, 'company_inn', inn from case_events
union all
select 'cases', region_id, event_key, occurred_at, 'application', application_id from case_events
union all
select 'cases', region_id, event_key, occurred_at, 'ticket', ticket_key from case_events
