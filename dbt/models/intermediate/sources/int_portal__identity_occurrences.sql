{#- The identifiers a portal event carries: ESIA, cookie, SNILS, phone, e-mail, INN (person, company), application. -#}
{{ incremental_by_events('portal') }}
with

portal as (
    select * from {{ ref('stg_website__portal_events') }}
    where {{ changed_events_only('portal') }}
)

select 'portal' as source, region_id, event_key, occurred_at as event_at, 'esia' as identifier_type, esia_hash as identifier
from portal
union all
select 'portal', region_id, event_key, occurred_at, 'metrica_client', metrica_client_hash from portal
union all
select 'portal', region_id, event_key, occurred_at, 'snils', snils_hash from portal
union all
select 'portal', region_id, event_key, occurred_at, 'phone', phone_hash from portal
union all
select 'portal', region_id, event_key, occurred_at, 'email', email_hash from portal
union all
select 'portal', region_id, event_key, occurred_at, 'person_inn', inn_hash from portal
union all
select 'portal', region_id, event_key, occurred_at, 'company_inn', inn from portal
union all
select 'portal', region_id, event_key, occurred_at, 'application', application_id from portal
