{#-
    Every event of every source in one stream, with client, channel and touchpoint; no personal
    data. Incremental (macros/incremental_events.sql): the events new batches touched since this
    mart schema's last build, and those whose attribution identity recomputed since.
-#}
{{ incremental_by_changes(
    none,
    "delete_touchpoint_copy()",
    [],
    on_schema_change='append_new_columns',
    post_hook=["{{ ensure_indexes([{'columns': ['source']}]) }}", "{{ record_touchpoint_copy_watermark() }}"],
) }}
{%- set mode = touchpoint_copy_mode() | trim %}
with

events as not materialized (
    select * from {{ ref('int_touchpoint_events') }}
),

{% if mode == 'all' %}

changed as (
    select * from events
),

{% else %}

changed as (
    select * from events where {{ touchpoint_copy_changed(ref('int_touchpoint_events'), 'batches') }}
    union
    select * from events where {{ touchpoint_copy_changed(ref('int_touchpoint_events'), 'attribution') }}
),

{% endif %}

final as (
    select
        event_id,
        source,
        region_id,
        client_id,
        event_at,
        event_local_date,
        channel,
        touchpoint_id,
        office_id,
        event_type,
        case when source = 'website_hits' then split_part(attribute, '?', 1) else attribute end as attribute,
        is_contact
    from changed
)

select * from final
