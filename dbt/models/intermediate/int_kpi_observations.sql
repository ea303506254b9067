{#-
    One row per measurement that feeds a KPI (measures in the KPI's unit, 4 decimals): a called walk-in ticket for the walk-in wait, an
    offered call for the service level, and so on. Thresholds come from the kpi_definitions
    seed, never from SQL. `aggregation` says how fct_touchpoint_kpis turns observations into a
    value: share of successes, median or mean of the measure. `source` and `event_key` name
    the event (ticket, call) so journey-level KPIs can place it on a journey stage.
    Region figures (fct_touchpoint_kpis, office_id null) read `region_is_success` and
    `region_measure` of the rows with `counts_in_region`: a ticket is the same for its office and
    its region, but a call that overflowed from one queue to another is one offer to the region,
    with its whole wait, and one offer to each queue's office. A source registered for
    kpi_observations (project variable cjw_event_sources) adds its own observations.
-#}
with

tickets as (
    select * from {{ ref('int_office_visits__tickets') }}
),

calls as (
    select * from {{ ref('int_calls__summarised') }}
),

kpis as (
    select * from {{ ref('kpi_definitions') }}
),

thresholds as (
    select
        kpi_id,
        case threshold_unit
            when 'minutes' then threshold_value * 60
            when 'seconds' then threshold_value
            when 'hours' then threshold_value * 3600
        end as threshold_seconds
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

ticket_observations as (
    select * from walkin_wait
    union all select * from walkin_wait_median
    union all select * from prebooked_wait
    union all select * from service_time
    union all select * from service_time_median
),

unioned as (
    -- a ticket counts the same for its office and for its region
    select
        *,
        is_success as region_is_success,
        measure as region_measure,
        true as counts_in_region
    from ticket_observations
    union all select * from service_level
    union all select * from abandonment
    union all select * from speed_of_answer
    {%- if var('cjw_event_sources').get('kpi_observations') %}
    -- the touchpoint KPIs a source measures on its own events (int_<source>__kpi_observations)
    union all
    {{ union_event_sources('kpi_observations') }}
    {%- endif %}
)

select * from unioned
