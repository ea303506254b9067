{#-
    The region's call KPIs count each call once, however many queues it went through: per region
    and local day (of the call's first ENTERQUEUE), the offered calls of the service level and of
    the abandonment rate equal the distinct calls of the queue log, and the answered calls behind
    the average speed of answer equal the distinct answered calls (on the day they entered the
    queue that answered them). Per queue (office) an
    overflowed call still counts in each queue it entered. Rows returned = days that disagree.
-#}
with

queue_calls as (
    select * from {{ ref('int_calls__summarised') }}
),

regions as (
    select * from {{ ref('regions') }}
),

calls as (
    select
        region_id,
        call_id,
        min(offered_at) as first_offered_at,
        min(offered_at) filter (where is_answered) as answered_queue_offered_at
    from queue_calls
    group by region_id, call_id
),

days as (
    select
        calls.region_id,
        (calls.first_offered_at at time zone regions.timezone)::date as local_date,
        1 as offered,
        0 as answered
    from calls
    inner join regions on calls.region_id = regions.region_id
    union all
    select
        calls.region_id,
        (calls.answered_queue_offered_at at time zone regions.timezone)::date,
        0,
        1
    from calls
    inner join regions on calls.region_id = regions.region_id
    where calls.answered_queue_offered_at is not null
),

distinct_calls as (
    select region_id, local_date, sum(offered) as offered, sum(answered) as answered
    from days
    group by region_id, local_date
),

region_kpis as (
    select
        region_id,
        period_start as local_date,
        sum(denominator) filter (where kpi_id = 'call_service_level') as service_level_offered,
        sum(denominator) filter (where kpi_id = 'call_abandon_rate') as abandon_offered,
        sum(denominator) filter (where kpi_id = 'call_asa') as asa_answered
    from {{ ref('fct_touchpoint_kpis') }}
    where office_id is null and period_grain = 'day' and kpi_id in ('call_service_level', 'call_abandon_rate', 'call_asa')
    group by 1, 2
)

select
    coalesce(distinct_calls.region_id, region_kpis.region_id) as region_id,
    coalesce(distinct_calls.local_date, region_kpis.local_date) as local_date,
    distinct_calls.offered,
    distinct_calls.answered,
    region_kpis.service_level_offered,
    region_kpis.abandon_offered,
    region_kpis.asa_answered
from distinct_calls
full outer join region_kpis
    on distinct_calls.region_id = region_kpis.region_id and distinct_calls.local_date = region_kpis.local_date
where coalesce(distinct_calls.offered, 0) <> coalesce(region_kpis.service_level_offered, 0)
    or coalesce(distinct_calls.offered, 0) <> coalesce(region_kpis.abandon_offered, 0)
    or coalesce(distinct_calls.answered, 0) <> coalesce(region_kpis.asa_answered, 0)
