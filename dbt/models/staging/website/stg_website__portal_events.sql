with

validated as (
    {{ validated_rows('website', 'raw_website_portal_events') }}
),

renamed as (
    select
        region_id || '|' || event_id as portal_event_id,
        event_id as event_key,
        region_id,
        event_type,
        occurred_at,
        user_type,
        esia_hash,
        metrica_client_hash,
        snils_hash,
        phone_hash,
        email_hash,
        inn,
        inn_hash,
        ogrn,
        application_id,
        application_type,
        status,
        office_id,
        appointment_at,
        client_group,
        batch_id,
        line_no
    from validated
),

deduplicated as (
    -- an event delivered again in a later batch (corrected export): the latest batch wins
    select distinct on (portal_event_id) *
    from renamed
    order by portal_event_id asc, batch_id desc, line_no asc
),

final as (
    select
        portal_event_id,
        event_key,
        region_id,
        event_type,
        occurred_at,
        user_type,
        esia_hash,
        metrica_client_hash,
        snils_hash,
        phone_hash,
        email_hash,
        inn,
        inn_hash,
        ogrn,
        application_id,
        application_type,
        status,
        office_id,
        appointment_at,
        client_group
    from deduplicated
)

select * from final
