with

journeys as (
    select * from {{ ref('journeys') }}
),

stages as (
    select journey_id, version, count(*) as stage_count
    from {{ ref('journey_stages') }}
    group by journey_id, version
),

groups as (
    select * from {{ ref('client_groups') }}
),

final as (
    select
        journeys.journey_id,
        journeys.journey_name_ru,
        journeys.client_kind,
        journeys.target_client_group,
        coalesce(groups.client_group_name_ru, 'Все клиенты') as client_group_name_ru,
        journeys.basis,
        journeys.basis_value_ru,
        journeys.application_type,
        journeys.czn_interactions,
        journeys.version,
        journeys.valid_from,
        journeys.valid_to,
        stages.stage_count::int as stage_count
    from journeys
    inner join stages on journeys.journey_id = stages.journey_id and journeys.version = stages.version
    left join groups on journeys.target_client_group = groups.client_group
    -- the version in force today is the one the working group reads
    where journeys.valid_to is null or journeys.valid_to > current_date
)

select * from final
