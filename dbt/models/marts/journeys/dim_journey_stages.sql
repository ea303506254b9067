with

journeys as (
    select * from {{ ref('dim_journeys') }}
),

stages as (
    select * from {{ ref('journey_stages') }}
),

final as (
    select
        stages.journey_id,
        stages.stage_id,
        stages.stage_order,
        stages.stage_name_ru,
        stages.stage_goal_ru,
        stages.is_inside_czn,
        stages.drop_off_days
    from stages
    inner join journeys on stages.journey_id = journeys.journey_id and stages.version = journeys.version
)

select * from final
