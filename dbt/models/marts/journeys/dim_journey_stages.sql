{#-
    One row per journey version × stage (every version, so a revised map can be compared with the
    one before it), with its goal, the unit that owns it, whether data show it (`entry`: observed or
    inferred) and whether reaching it ends the journey; `is_current_version` marks the version the
    working group reads today.
-#}
with

journeys as (
    select * from {{ ref('journeys') }}
),

current_versions as (
    select journey_id, version from {{ ref('dim_journeys') }}
),

stages as (
    select * from {{ ref('journey_stages') }}
),

final as (
    select
        stages.journey_id,
        stages.version,
        stages.stage_id,
        stages.stage_order,
        stages.stage_name_ru,
        stages.stage_goal_ru,
        stages.is_inside_czn,
        stages.drop_off_days,
        stages.entry,
        stages.is_terminal,
        stages.owner_unit_ru,
        journeys.valid_from,
        journeys.valid_to,
        current_versions.version is not null as is_current_version
    from stages
    inner join journeys on stages.journey_id = journeys.journey_id and stages.version = journeys.version
    left join current_versions
        on stages.journey_id = current_versions.journey_id and stages.version = current_versions.version
)

select * from final
