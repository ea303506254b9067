{#-
    One row per desk window and region-local day it served on (the day its tickets were issued):
    tickets served, time serving and open time (first call to the last service's end), for the
    staff KPIs window_occupancy and window_tickets_per_hour (fct_staff_kpis).

    Incremental by day (macro changed_ticket_days): a build recomputes the days of the tickets new
    batches brought — their issue day and the day of the export that holds them, which is part of a
    ticket's key — from those days' tickets, and keeps every other day. (Until 2026-12 fct_staff_kpis
    grouped every ticket of the history on every build.)
-#}
{{ incremental_by_changes(
    'office_visits',
    "delete_changed_days(changed_ticket_days(), 'local_date')",
    [{'columns': ['region_id', 'local_date', 'office_id', 'window_name'], 'unique': True, 'nulls_not_distinct': True}],
) }}
{%- set incremental = staging_mode() | trim == 'incremental' %}
with

{% if incremental -%}
changed_days as (
    {{ region_day_rows(changed_ticket_days()) }}
),
{%- endif %}

tickets as (
    select * from {{ ref('int_office_visits__tickets') }}
    where window_name is not null and called_at is not null
    {%- if incremental %}
        and (region_id, issued_local_date) in (select region_id, local_date from changed_days)
    {%- endif %}
),

final as (
    select
        region_id,
        office_id,
        issued_local_date as local_date,
        window_name,
        count(*) filter (where service_seconds is not null) as served,
        sum(service_seconds) as busy_seconds,
        extract(epoch from max(ended_at) - min(called_at)) as open_seconds
    from tickets
    group by region_id, office_id, issued_local_date, window_name
    having max(ended_at) > min(called_at)
)

select * from final
