{#- (region_id, issued_local_date): the days int_staff__window_days recomputes -#}
{{ incremental_by_events(
    'office_visits', indexes=[{'columns': ['ticket_key'], 'unique': True}, {'columns': ['region_id', 'issued_local_date']}]
) }}
with

tickets as (
    select * from {{ ref('stg_office_visits__tickets') }}
    where {{ changed_events_only('office_visits') }}
),

offices as (
    select * from {{ ref('offices') }}
),

final as (
    select
        tickets.ticket_key,
        tickets.event_key,
        tickets.region_id,
        tickets.office_id,
        tickets.ticket_id,
        tickets.ticket_date,
        tickets.service_code,
        tickets.is_prebooked,
        tickets.booked_for_at,
        tickets.issued_at,
        tickets.called_at,
        tickets.started_at,
        tickets.ended_at,
        tickets.window_name,
        tickets.outcome,
        tickets.phone_hash,
        extract(epoch from tickets.called_at - tickets.issued_at)::numeric as wait_seconds,
        extract(epoch from tickets.started_at - tickets.booked_for_at)::numeric as wait_after_slot_seconds,
        extract(epoch from tickets.ended_at - tickets.started_at)::numeric as service_seconds,
        {{ local_parts('tickets.issued_at', 'offices.timezone', 'issued') }}
    from tickets
    inner join offices on tickets.office_id = offices.office_id
)

select * from final
