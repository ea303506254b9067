{#-
    One row per journey event with the journey instance it belongs to: a client's events of one
    journey form one instance until a gap longer than `cjw_journey_restart_days`.
-#}
with

journey_events as (
    select * from {{ ref('int_journey_events') }}
),

gaps as (
    select
        *,
        case
            when lag(event_at) over w is null then 1
            when event_at - lag(event_at) over w > interval '1 day' * {{ var('cjw_journey_restart_days') }} then 1
            else 0
        end as is_new_instance
    from journey_events
    window w as (partition by client_id, journey_id order by event_at, event_id)
),

numbered as (
    select
        *,
        sum(is_new_instance) over (partition by client_id, journey_id order by event_at, event_id) as instance_seq
    from gaps
),

final as (
    select
        md5(
            client_id || '|' || journey_id || '|'
            || extract(epoch from min(event_at) over (partition by client_id, journey_id, instance_seq))::bigint::text
        ) as journey_instance_id,
        event_id,
        source,
        region_id,
        client_id,
        journey_id,
        version,
        stage_id,
        stage_order,
        event_at,
        event_local_date,
        channel,
        touchpoint_id,
        office_id,
        event_type,
        attribute,
        is_contact,
        starts_journey,
        marks_progress
    from numbered
)

select * from final
