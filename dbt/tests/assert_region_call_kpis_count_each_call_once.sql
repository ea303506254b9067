{#-
    The region's call KPIs count each call once, however many queues it went through: per region
    and local day (of the call's first ENTERQUEUE), the offered calls of the service level and of
    the abandonment rate equal the distinct calls of the queue log, and the answered calls behind
    the average speed of answer equal the distinct answered calls (on the day they entered the
    queue that answered them). Per queue (office) an
    overflowed call still counts in each queue it entered. Rows returned = days that disagree.

    The months fct_touchpoint_kpis' last build recomputed (intermediate.kpi_months_built; all of
    them after a full build): the others were checked when they were built, and reading every
    call of the history each build was 4.8 s of a day at 10 M events.
-#}
with

regions as (
    select * from {{ ref('regions') }}
),

checked_months as (
    select region_id, local_month
    from {{ kpi_months_built_relation() }}
    where mart = '{{ ref('fct_touchpoint_kpis').schema }}.{{ ref('fct_touchpoint_kpis').identifier }}'
        and (kpi_id is null or kpi_id in ('call_service_level', 'call_abandon_rate', 'call_asa'))
),

everything as (
    select coalesce(bool_or(local_month is null), false) as checked from checked_months
),

calls_of_checked_months as (
    -- the calls with a queue entry in a checked month (whole: a call's first entry may be in the
    -- month before); the month as a range of instants, not every call's local date
    select distinct summarised.region_id, summarised.call_id
    from (
        select distinct
            checked_months.region_id,
            checked_months.local_month::timestamp at time zone regions.timezone as month_start,
            (checked_months.local_month + interval '1 month')::timestamp at time zone regions.timezone as month_end
        from checked_months
        inner join regions on checked_months.region_id = regions.region_id
    ) as ranges
    inner join {{ ref('int_calls__summarised') }} as summarised
        on ranges.region_id = summarised.region_id
        and summarised.offered_at >= ranges.month_start
        and summarised.offered_at < ranges.month_end
),

queue_calls as (
    -- two branches, one of them off: an `or` of both read every call of the history
    select * from {{ ref('int_calls__summarised') }}
    where (select everything.checked from everything)
    union all
    select * from {{ ref('int_calls__summarised') }}
    where not (select everything.checked from everything)
        and (region_id, call_id) in (select region_id, call_id from calls_of_checked_months)
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
),

compared as (
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
)

select compared.*
from compared
where (
    (select everything.checked from everything)
    or (compared.region_id, date_trunc('month', compared.local_date)::date) in (
        select checked_months.region_id, checked_months.local_month from checked_months
    )
)
and (
    coalesce(compared.offered, 0) <> coalesce(compared.service_level_offered, 0)
    or coalesce(compared.offered, 0) <> coalesce(compared.abandon_offered, 0)
    or coalesce(compared.answered, 0) <> coalesce(compared.asa_answered, 0)
)
