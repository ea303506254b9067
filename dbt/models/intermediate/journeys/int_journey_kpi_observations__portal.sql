{#-
    The journey KPI observations of the site and the portal, one per page view (the third part
    of int_journey_kpi_observations): comfort of the online channel as the share of page views of
    the portal and the ЦЗН site that ended on an error page, with the client the view is
    attributed to (null: an anonymous visitor).

    Incremental as fct_touchpoint_events copies int_touchpoint_events (macros/incremental_events.sql):
    the page views new batches touched and those whose attribution changed since this table's
    last build are deleted and appended again. Every page view is one row here — a third of the
    journey KPI observations, rebuilt whole each day before.
-#}
{#- the (KPI, region, month) partitions it changes are logged for fct_client_kpis (macros/incremental_journey_months.sql) -#}
{{ incremental_by_changes(
    none,
    "delete_touchpoint_copy()",
    [{'columns': ['event_id'], 'unique': True}, {'columns': ['kpi_id', 'region_id', 'local_date']}],
    pre_hook=["{{ record_touchpoint_copy_months(before=true) }}"],
    post_hook=["{{ record_touchpoint_copy_months(before=false) }}", "{{ record_touchpoint_copy_watermark() }}"],
) }}
{%- set mode = touchpoint_copy_mode() | trim %}
with

events as not materialized (
    select * from {{ ref('int_touchpoint_events') }}
),

{% if mode == 'all' %}

changed as (
    select * from events where source = 'website_hits'
),

{% else %}

changed as (
    select * from events
    where source = 'website_hits' and {{ touchpoint_copy_changed(ref('int_touchpoint_events'), 'batches') }}
    union
    select * from events
    where source = 'website_hits' and {{ touchpoint_copy_changed(ref('int_touchpoint_events'), 'attribution') }}
),

{% endif %}

final as (
    select
        event_id,
        source,
        'portal_error_rate' as kpi_id,
        region_id,
        null::text as journey_id,
        null::text as stage_id,
        'website' as touchpoint_id,
        null::text as office_id,
        client_id,
        event_local_date as local_date,
        attribute like '%/error%' as is_success,
        null::numeric as measure,
        'share' as aggregation,
        null::text as observation_key
    from changed
)

select * from final
