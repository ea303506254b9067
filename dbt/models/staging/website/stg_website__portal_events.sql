{{ incremental_by_batches('website', ['portal_event_id']) }}
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
        client_group,
        batch_id,
        line_no
    from renamed
),

deduplicated as (
    -- an event delivered again in a later batch (corrected export): the latest batch wins
    {{ latest_per_key('final', ['portal_event_id'], ['batch_id desc', 'line_no']) }}
)

select * from deduplicated
