{#-
    The touchpoint KPIs of the electronic queue, one row per measurement (the kpi-observations
    contract, macro union_event_sources): a called walk-in ticket for the walk-in wait, a started
    pre-booked one for the wait after the slot, a served one for the service time. Thresholds
    come from the kpi_definitions seed. A ticket counts the same for its office and its region.
-#}
{#- indexed by KPI month for int_kpi_observations' readers (a view over the sources) -#}
{{ incremental_by_events('office_visits', indexes=[{'columns': ['kpi_id', 'region_id', 'local_date']}]) }}
with

tickets as (
    select * from {{ ref('int_office_visits__tickets') }}
    where {{ changed_events_only('office_visits') }}
),

kpis as (
    select * from {{ ref('kpi_definitions') }}
),

thresholds as (
    select
        kpi_id,
        {{ threshold_seconds('threshold_value', 'threshold_unit') }} as threshold_seconds
    from kpis
),

walkin_wait as (
    select
        'office_wait_walkin' as kpi_id, tickets.region_id, tickets.office_id, 'office_queue' as touchpoint_id,
        tickets.issued_local_date as local_date, tickets.issued_local_weekday as local_weekday,
        tickets.issued_local_hour as local_hour,
        tickets.wait_seconds <= thresholds.threshold_seconds as is_success,
        (tickets.wait_seconds / 60.0)::numeric(14, 4) as measure,
        'share' as aggregation,
        'office_visits' as source,
        tickets.event_key
    from tickets
    inner join thresholds on thresholds.kpi_id = 'office_wait_walkin'
    where not tickets.is_prebooked and tickets.called_at is not null
),

walkin_wait_median as (
    select
        'office_wait_walkin_median' as kpi_id, region_id, office_id, touchpoint_id,
        local_date, local_weekday, local_hour,
        null::boolean as is_success, measure, 'median' as aggregation, source, event_key
    from walkin_wait
),

prebooked_wait as (
    select
        'office_wait_prebooked' as kpi_id, tickets.region_id, tickets.office_id, 'office_queue' as touchpoint_id,
        tickets.issued_local_date, tickets.issued_local_weekday, tickets.issued_local_hour,
        tickets.wait_after_slot_seconds <= thresholds.threshold_seconds as is_success,
        (greatest(tickets.wait_after_slot_seconds, 0) / 60.0)::numeric(14, 4) as measure,
        'share' as aggregation,
        'office_visits' as source,
        tickets.event_key
    from tickets
    inner join thresholds on thresholds.kpi_id = 'office_wait_prebooked'
    where tickets.is_prebooked and tickets.started_at is not null
),

service_time as (
    select
        'office_service_time' as kpi_id, tickets.region_id, tickets.office_id, 'office_window' as touchpoint_id,
        tickets.issued_local_date, tickets.issued_local_weekday, tickets.issued_local_hour,
        tickets.service_seconds <= thresholds.threshold_seconds as is_success,
        (tickets.service_seconds / 60.0)::numeric(14, 4) as measure,
        'share' as aggregation,
        'office_visits' as source,
        tickets.event_key
    from tickets
    inner join thresholds on thresholds.kpi_id = 'office_service_time'
    where tickets.started_at is not null and tickets.ended_at is not null
),

service_time_median as (
    select
        'office_service_time_median' as kpi_id, region_id, office_id, touchpoint_id,
        issued_local_date, issued_local_weekday, issued_local_hour,
        null::boolean as is_success, measure, 'median' as aggregation, source, event_key
    from service_time
),

ticket_observations as (
    select * from walkin_wait
    union all select * from walkin_wait_median
    union all select * from prebooked_wait
    union all select * from service_time
    union all select * from service_time_median
),

final as (
    select
        *,
        is_success as region_is_success,
        measure as region_measure,
        true as counts_in_region
    from ticket_observations
)

select * from final
