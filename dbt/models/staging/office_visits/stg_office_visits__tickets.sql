{#- event_key is unique by an index (its test reads the index, not every ticket of the history) -#}
{{ incremental_by_batches('office_visits', ['ticket_key'], indexes=[{'columns': ['event_key'], 'unique': True}]) }}
with

validated as (
    {{ validated_rows('office_visits', 'raw_office_visits_tickets') }}
),

renamed as (
    select
        {{ ticket_link_key('office_id', 'file_date', 'ticket_id') }} as ticket_key,
        {{ ticket_event_key('office_id', 'file_date', 'ticket_id') }} as event_key,
        region_id,
        office_id,
        ticket_id,
        file_date as ticket_date,
        service_code,
        is_prebooked,
        booked_for as booked_for_at,
        issued_at,
        called_at,
        started_at,
        ended_at,
        window_name,
        outcome,
        phone_hash,
        batch_id,
        line_no
    from validated
),

deduplicated as (
    -- a ticket re-delivered in a later batch (corrected export): the latest batch wins
    {{ latest_per_key('renamed', ['ticket_key'], ['batch_id desc', 'line_no']) }}
)

select * from deduplicated
