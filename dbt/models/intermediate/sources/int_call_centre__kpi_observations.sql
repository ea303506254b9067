{#-
    The touchpoint KPIs of the call centre, one row per offered call and queue (the
    kpi-observations contract, macro union_event_sources): service level, abandonment, speed
    of answer. Thresholds come from the kpi_definitions seed. `region_is_success`,
    `region_measure` and `counts_in_region` make a call that overflowed from one queue to another
    one offer to the region, with its whole wait, and one offer to each queue's office.
-#}
{#- indexed by KPI month for int_kpi_observations' readers (a view over the sources) -#}
{{ incremental_by_events('call_centre', indexes=[{'columns': ['kpi_id', 'region_id', 'local_date']}]) }}
with

calls as (
    select * from {{ ref('int_calls__summarised') }}
    where {{ changed_events_only('call_centre', key='call_id') }}
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

service_level as (
    select
        thresholds.kpi_id, calls.region_id, calls.office_id, calls.touchpoint_id,
        calls.offered_local_date, calls.offered_local_weekday, calls.offered_local_hour,
        coalesce(calls.is_answered and calls.hold_seconds <= thresholds.threshold_seconds, false) as is_success,
        null::numeric(14, 4) as measure,
        'share' as aggregation,
        'call_centre' as source,
        calls.call_id as event_key,
        coalesce(calls.call_is_answered and calls.call_hold_seconds <= thresholds.threshold_seconds, false)
            as region_is_success,
        null::numeric(14, 4) as region_measure,
        calls.is_first_queue as counts_in_region
    from calls
    inner join thresholds on thresholds.kpi_id in ('call_service_level', 'call_service_level_20s')
),

abandonment as (
    select
        'call_abandon_rate' as kpi_id, region_id, office_id, touchpoint_id,
        offered_local_date, offered_local_weekday, offered_local_hour,
        is_abandoned as is_success,
        null::numeric(14, 4) as measure,
        'share' as aggregation,
        'call_centre' as source,
        call_id as event_key,
        call_is_abandoned as region_is_success,
        null::numeric(14, 4) as region_measure,
        is_first_queue as counts_in_region
    from calls
),

speed_of_answer as (
    select
        'call_asa' as kpi_id, region_id, office_id, touchpoint_id,
        offered_local_date, offered_local_weekday, offered_local_hour,
        null::boolean as is_success,
        hold_seconds::numeric(14, 4) as measure,
        'mean' as aggregation,
        'call_centre' as source,
        call_id as event_key,
        null::boolean as region_is_success,
        call_hold_seconds::numeric(14, 4) as region_measure,
        is_answering_queue as counts_in_region
    from calls
    where is_answered
),

unioned as (
    select * from service_level
    union all select * from abandonment
    union all select * from speed_of_answer
),

final as (
    select
        kpi_id, region_id, office_id, touchpoint_id,
        offered_local_date as local_date, offered_local_weekday as local_weekday, offered_local_hour as local_hour,
        is_success, measure, aggregation, source, event_key,
        region_is_success, region_measure, counts_in_region
    from unioned
)

select * from final
