{#-
    KPIs of the ЦЗН's internal clients — its staff — per office (NULL = whole region) × month and
    over the whole period (`all`): how loaded the desk windows and the call-centre operators are
    and how fast decisions are recorded.

    * window_occupancy: share of a window's open time spent serving (open time: first call to last
      service end of the window's day); window_tickets_per_hour: tickets served per open hour;
    * agent_occupancy: share of an operator's available time (in the queue, not paused) spent
      talking; agent_calls_per_hour: answered calls per hour in the queue; breaks_on_time: shifts
      whose first break came within the threshold hours of joining the queue (of shifts longer
      than that);
    * decision_days: days from opening an unemployment case to recording the decision on the
      status (median).

    Staff are keyed pseudonyms (the agent interface); sample_size counts window-days, shifts or
    cases. Norms come from kpi_definitions (expectation group `staff`).

    Read from three tables kept up to date by day or case (int_staff__window_days,
    int_staff__shifts, int_staff__case_decisions): a few rows per office and day, not every ticket
    and case event of the history (2.6 s of a day's build at 10 M events over 120 months, 0.3 s at 1 M).
-#}
with

window_days as (
    select * from {{ ref('int_staff__window_days') }}
),

shifts as (
    select * from {{ ref('int_staff__shifts') }}
),

kpi_thresholds as (
    select kpi_id, threshold_value from {{ ref('kpi_definitions') }}
),

decisions as (
    select * from {{ ref('int_staff__case_decisions') }}
),

kpis as (
    select * from {{ ref('dim_kpis') }}
),

observations as (
    select 'window_occupancy' as kpi_id, region_id, office_id, local_date,
        busy_seconds as numerator, open_seconds as denominator, null::numeric as measure
    from window_days
    union all
    select 'window_tickets_per_hour', region_id, office_id, local_date, served, open_seconds / 3600.0, null
    from window_days
    union all
    select 'agent_occupancy', region_id, office_id, local_date, talk_seconds, available_seconds, null
    from shifts
    where available_seconds > 0
    union all
    select 'agent_calls_per_hour', region_id, office_id, local_date, answered, available_seconds / 3600.0, null
    from shifts
    where available_seconds > 0
    union all
    -- shifts longer than the threshold: was the first break taken within it?
    select 'breaks_on_time', shifts.region_id, shifts.office_id, shifts.local_date,
        (shifts.hours_before_first_break <= kpi_thresholds.threshold_value)::int, 1, null
    from shifts
    inner join kpi_thresholds on kpi_thresholds.kpi_id = 'breaks_on_time'
    where shifts.queue_seconds / 3600.0 > kpi_thresholds.threshold_value
    union all
    select 'decision_days', region_id, office_id, local_date, null, null, days::numeric
    from decisions
    where days >= 0
),

{#- the levels: office and region × month and the whole period -#}
{%- set levels %}
        kpi_id,
        region_id,
        office_id,
        case when grouping(date_trunc('month', local_date)) = 0 then 'month' else 'all' end as period_grain,
        case
            when grouping(date_trunc('month', local_date)) = 0 then date_trunc('month', local_date)::date
            else min(local_date)
        end as period_start,
        grouping(office_id) = 0 and office_id is null as is_officeless_row,
{%- endset %}
{%- set grouping_sets %}
    group by grouping sets (
        (kpi_id, region_id, office_id, date_trunc('month', local_date)),
        (kpi_id, region_id, office_id),
        (kpi_id, region_id, date_trunc('month', local_date)),
        (kpi_id, region_id)
    )
{%- endset %}

-- the ratio KPIs' sums (hashed) apart from the median KPI's values (sorted): one grouping with
-- the median sorted every observation of the history by each set
sums as (
    select
        {{- levels }}
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        null::double precision as measure_median,
        count(*) as sample_size
    from observations
    where measure is null
    {{- grouping_sets }}
),

medians as (
    select
        {{- levels }}
        null::numeric as numerator,
        null::numeric as denominator,
        percentile_cont(0.5) within group (order by measure) as measure_median,
        count(*) as sample_size
    from observations
    where measure is not null
    {{- grouping_sets }}
),

aggregated as (
    select * from sums
    union all
    select * from medians
),

final as (
    select
        {{ surrogate_key(['aggregated.kpi_id', 'aggregated.region_id', 'aggregated.office_id', 'aggregated.period_grain', 'aggregated.period_start']) }}
            as kpi_row_id,
        aggregated.kpi_id,
        aggregated.region_id,
        aggregated.office_id,
        aggregated.period_grain,
        aggregated.period_start,
        trim_scale(round(aggregated.numerator::numeric, 4)) as numerator,
        trim_scale(round(aggregated.denominator::numeric, 4)) as denominator,
        trim_scale(round(coalesce(
            aggregated.numerator / nullif(aggregated.denominator, 0), aggregated.measure_median
        )::numeric, 6)) as value,
        aggregated.sample_size::int as sample_size,
        kpis.norm_value,
        {{ kpi_status('coalesce(aggregated.numerator / nullif(aggregated.denominator, 0), aggregated.measure_median)', 'kpis.direction', 'kpis.norm_value', 'kpis.amber_band') }}
            as status
    from aggregated
    inner join kpis on aggregated.kpi_id = kpis.kpi_id
    where not aggregated.is_officeless_row
)

select * from final
