{#- Portal events as touchpoint events, attribute `<application type or user type>:<status>`. -#}
{{ incremental_by_events('portal', unique=true) }}
select
    'portal' as source, region_id, event_key, occurred_at as event_at,
    'portal' as channel,
    case
        when event_type = 'esia_login' then 'esia_login'
        when event_type = 'application_submitted' and user_type = 'employer' then 'employer_cabinet'
        when event_type = 'application_submitted' then 'portal_application'
        else 'portal_cabinet'
    end as touchpoint_id,
    office_id, event_type,
    coalesce(application_type, user_type) || ':' || coalesce(status, '') as attribute,
    -- an application is a step, not a contact (calls, chats and desk questions are)
    false as is_contact
from {{ ref('stg_website__portal_events') }}
where {{ changed_events_only('portal') }}
