{#-
    One row per region and client group: how many clients, which channels they use, their typical
    journeys (int_client_groups__profiled) and the top pain points of the first of them.
-#}
with

profiled as (
    select * from {{ ref('int_client_groups__profiled') }}
),

groups as (
    select * from {{ ref('client_groups') }}
),

pains as (
    select * from {{ ref('pain_points') }}
),

group_pains as (
    select
        profiled.region_id,
        profiled.client_group,
        jsonb_agg(
            jsonb_build_object('pain_point_id', ranked.pain_point_id, 'kpi_name_ru', ranked.kpi_name_ru, 'rank', ranked.rank)
            order by ranked.rank
        ) as top_pain_points
    from profiled
    inner join lateral (
        select pains.* from pains
        where pains.journey_id = profiled.first_journey_id and pains.region_id = profiled.region_id
        order by pains.rank
        limit 3
    ) as ranked on true
    group by profiled.region_id, profiled.client_group
),

final as (
    select
        profiled.region_id,
        profiled.client_group,
        coalesce(groups.client_group_name_ru, 'Не определена') as client_group_name_ru,
        profiled.clients::int as clients,
        coalesce(profiled.channel_shares, '{}'::jsonb) as channel_shares,
        coalesce(profiled.top_journeys, '[]'::jsonb) as top_journeys,
        coalesce(group_pains.top_pain_points, '[]'::jsonb) as top_pain_points
    from profiled
    left join groups on profiled.client_group = groups.client_group
    left join group_pains on profiled.region_id = group_pains.region_id and profiled.client_group = group_pains.client_group
)

select * from final
