{#-
    One row per unemployment case (and office of its events) with a recorded decision: the
    region-local day of the decision and the days from opening the case to it, for the staff KPI
    decision_days (fct_staff_kpis).

    Incremental by case: a build recomputes the cases new batches brought an event of, whole, and
    keeps every other case. (Until 2026-12 fct_staff_kpis grouped every case event of the history
    on every build.)
-#}
{{ incremental_by_changes(
    'cases',
    "delete_changed_cases()",
    [{'columns': ['region_id', 'case_id', 'office_id'], 'unique': True, 'nulls_not_distinct': True}],
) }}
{%- set incremental = staging_mode() | trim == 'incremental' %}
with

cases as (
    select * from {{ ref('stg_cases__events') }}
    {%- if incremental %}
    where (region_id, case_id) in ({{ changed_cases() }})
    {%- endif %}
),

regions as (
    select * from {{ ref('regions') }}
),

final as (
    select
        cases.region_id,
        cases.office_id,
        cases.case_id,
        (min(cases.occurred_at) filter (where cases.event_type = 'recognised_unemployed') at time zone regions.timezone)::date
            as local_date,
        extract(epoch from
            min(cases.occurred_at) filter (where cases.event_type = 'recognised_unemployed')
            - min(cases.occurred_at) filter (where cases.event_type = 'case_opened')
        ) / 86400.0 as days
    from cases
    inner join regions on cases.region_id = regions.region_id
    where cases.service_type = 'unemployment_registration' or cases.event_type = 'recognised_unemployed'
    group by cases.region_id, cases.office_id, cases.case_id, regions.timezone
    having bool_or(cases.event_type = 'case_opened') and bool_or(cases.event_type = 'recognised_unemployed')
)

select * from final
