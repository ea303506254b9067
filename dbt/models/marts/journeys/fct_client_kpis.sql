{#-
    The client KPIs measured over the whole journey rather than at one touchpoint — survey
    scores (CSAT, CES, NPS, «Ваш контроль»), chatbot containment and fallbacks, first-contact
    resolution, channel switching, visits per case, electronic share, employment outcome —
    for the region and per office (office_id null = whole region; touchpoint_id null = all
    touchpoints) × day and month: the same shape as fct_touchpoint_kpis, so the KPI tiles and
    BI read the five expectation groups from two marts of one form.

    Left out: the KPIs fct_touchpoint_kpis already holds (waits, calls: their journey
    observations are a placed subset of the same events) and the KPIs that only mean something
    per stage (conversion, drop-off, time to the next stage: see fct_stage_funnel and
    fct_journey_kpis). sample_size counts clients (an observation without a known client counts
    as one), so small-cell suppression hides figures about fewer than 5 people, not events.

    Incremental by (KPI, region, month) (macros/incremental_journey_months.sql): a build
    recomputes the months whose observations the journey KPI observation tables changed, logged
    by those tables in the same transaction as their rows.
-#}
{{ incremental_by_journey_months(indexes=[{'columns': ['kpi_id', 'period_grain']}, {'columns': ['period_grain', 'period_start']}]) }}

with

kpis as (
    select * from {{ ref('dim_kpis') }}
),

excluded_kpis as (
    -- the KPIs fct_touchpoint_kpis holds (an index lookup each), the per-stage ones, the staff's
    select kpis.kpi_id from kpis
    where exists (select from {{ ref('fct_touchpoint_kpis') }} as touchpoint_kpis where touchpoint_kpis.kpi_id = kpis.kpi_id)
    union all
    select kpi_id from (values ('stage_conversion'), ('stage_drop_off'), ('time_to_stage')) as per_stage (kpi_id)
    union all
    -- the staff's KPIs (internal clients) are in fct_staff_kpis
    select kpi_id from {{ ref('kpi_definitions') }} where expectation_group = 'staff'
),

journey_observations as (
    select observations.*
    from {{ journey_observations_of_changed_months() }}
    where observations.local_date is not null
        and observations.kpi_id not in (select excluded_kpis.kpi_id from excluded_kpis)
),

counted_once as (
    -- a survey answer placed on two journeys is still one answer of the region
    select distinct on (kpi_id, observation_key) *
    from journey_observations
    where observation_key is not null
    union all
    select * from journey_observations
    where observation_key is null
),

observations as (
    select
        *,
        date_trunc('month', local_date)::date as local_month
    from counted_once
),

aggregated as (
    select
        kpi_id,
        region_id,
        office_id,
        case when grouping(local_date) = 0 then 'day' else 'month' end as period_grain,
        coalesce(local_date, local_month) as period_start,
        grouping(office_id) = 0 and office_id is null as is_officeless_row,
        count(distinct client_id) + count(*) filter (where client_id is null) as clients,
        {{ kpi_aggregates() }}
    from observations
    group by grouping sets (
        (kpi_id, region_id, office_id, local_date),
        (kpi_id, region_id, office_id, local_month),
        (kpi_id, region_id, local_date),
        (kpi_id, region_id, local_month)
    )
),

valued as (
    select
        kpi_id,
        region_id,
        office_id,
        period_grain,
        period_start,
        clients,
        {{ kpi_value_columns() }}
    from aggregated
    -- the office grouping sets give an office-less row for observations without an office; the
    -- region sets already count them
    where not is_officeless_row
),

final as (
    select
        {{ surrogate_key(['valued.kpi_id', 'valued.region_id', 'valued.office_id', 'valued.period_grain', 'valued.period_start']) }}
            as kpi_row_id,
        valued.kpi_id,
        valued.region_id,
        valued.office_id,
        null::text as touchpoint_id,
        valued.period_grain,
        valued.period_start,
        {{ kpi_published_columns(clients=true) }}
    from valued
    inner join kpis on valued.kpi_id = kpis.kpi_id
)

select * from final
