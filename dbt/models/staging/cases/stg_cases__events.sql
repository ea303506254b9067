{#- (region_id, case_id): the cases new batches brought an event of (changed_event_keys, int_staff__case_decisions) -#}
{{ incremental_by_batches('cases', ['region_id', 'case_event_id'], indexes=[{'columns': ['region_id', 'case_id']}]) }}
with

validated as (
    {{ validated_rows('cases', 'raw_cases_events', match=['event_id']) }}
),

deduplicated as (
    -- an event re-delivered in a later batch (corrected export): the latest batch wins
    select distinct on (region_id, event_id) *
    from validated
    order by region_id, event_id, batch_id desc, line_no
),

final as (
    select
        event_id as case_event_id,
        event_id as event_key,
        region_id,
        case_id,
        event_type,
        occurred_at,
        office_id,
        client_kind,
        snils_hash,
        inn,
        inn_hash,
        ogrn,
        phone_hash,
        service_type,
        client_group,
        application_id,
        ticket_id,
        close_reason,
        amount_rub,
        batch_id
    from deduplicated
)

select * from final
