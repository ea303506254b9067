{#-
    One row per journey event with the journey instance it belongs to: a client's events of one
    journey form one instance until a gap longer than `cjw_journey_restart_days`. The instance
    follows the journey version in force on the day of its first event (a map revised mid-year
    applies to journeys started after the revision); an event whose stage that version does not
    have drops out of the instance.

    Incremental by client (macros/incremental_clients.sql).
-#}
{#- written by difference (client_diff): a touched client's unchanged instances stay as they are -#}
{{ incremental_by_touched_clients(
    indexes=[{'columns': ['event_id', 'journey_id', 'stage_id'], 'unique': True, 'nulls_not_distinct': True}],
    diff_key=['event_id', 'journey_id', 'stage_id'],
) }}
{%- set mode = touched_clients_mode() | trim %}
with

journey_events as (
    select * from {{ ref('int_journey_events') }}
    where {{ in_touched_clients('client_id', mode) }}
),

journeys as (
    select * from {{ ref('journeys') }}
),

stages as (
    select * from {{ ref('journey_stages') }}
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

started as (
    select
        *,
        min(event_at) over (partition by client_id, journey_id, instance_seq) as instance_started_at,
        min(event_local_date) over (partition by client_id, journey_id, instance_seq) as instance_started_on
    from numbered
),

final as (
    select
        md5(
            started.client_id || '|' || started.journey_id || '|'
            || extract(epoch from started.instance_started_at)::bigint::text
        ) as journey_instance_id,
        started.event_id,
        started.source,
        started.region_id,
        started.client_id,
        started.journey_id,
        journeys.version,
        started.stage_id,
        stages.stage_order,
        started.event_at,
        started.event_local_date,
        started.channel,
        started.touchpoint_id,
        started.office_id,
        started.event_type,
        started.attribute,
        started.is_contact,
        started.starts_journey,
        started.marks_progress
    from started
    inner join journeys
        on started.journey_id = journeys.journey_id
        and started.instance_started_on >= journeys.valid_from
        and (journeys.valid_to is null or started.instance_started_on < journeys.valid_to)
    inner join stages
        on started.journey_id = stages.journey_id
        and journeys.version = stages.version
        and started.stage_id = stages.stage_id
)

select * from final
