{#- One row per region and client group: how many clients, which channels they use, their typical journeys and pains. -#}
with

clients as (
    select * from {{ ref('dim_clients') }}
),

groups as (
    select * from {{ ref('client_groups') }}
),

instances as (
    select * from {{ ref('int_journey_instances') }}
),

journeys as (
    select * from {{ ref('dim_journeys') }}
),

pains as (
    select * from {{ ref('pain_points') }}
),

sizes as (
    select region_id, client_group, count(*) as clients
    from clients
    group by region_id, client_group
),

channel_counts as (
    -- each client's events per channel (dim_clients.channel_events), summed per group
    select
        clients.region_id,
        clients.client_group,
        channel_events.channel,
        round(
            sum(channel_events.events::numeric)
            / sum(sum(channel_events.events::numeric)) over (partition by clients.region_id, clients.client_group),
            4
        ) as share
    from clients
    cross join lateral jsonb_each_text(clients.channel_events) as channel_events (channel, events)
    group by clients.region_id, clients.client_group, channel_events.channel
),

channels as (
    select region_id, client_group, jsonb_object_agg(channel, share order by channel) as channel_shares
    from channel_counts
    group by region_id, client_group
),

journey_counts as (
    select
        clients.region_id,
        clients.client_group,
        instances.journey_id,
        count(distinct instances.client_id) as clients,
        row_number() over (
            partition by clients.region_id, clients.client_group
            order by count(distinct instances.client_id) desc, instances.journey_id
        ) as n
    from instances
    inner join clients on instances.client_id = clients.client_id
    group by clients.region_id, clients.client_group, instances.journey_id
),

top_journeys as (
    select
        journey_counts.region_id,
        journey_counts.client_group,
        jsonb_agg(
            jsonb_build_object('journey_id', journey_counts.journey_id, 'journey_name_ru', journeys.journey_name_ru,
                'clients', journey_counts.clients)
            order by journey_counts.n
        ) as top_journeys
    from journey_counts
    inner join journeys on journey_counts.journey_id = journeys.journey_id
    where journey_counts.n <= 3
    group by journey_counts.region_id, journey_counts.client_group
),

group_pains as (
    select
        journey_counts.region_id,
        journey_counts.client_group,
        jsonb_agg(
            jsonb_build_object('pain_point_id', ranked.pain_point_id, 'kpi_name_ru', ranked.kpi_name_ru, 'rank', ranked.rank)
            order by ranked.rank
        ) as top_pain_points
    from journey_counts
    inner join lateral (
        select pains.* from pains
        where pains.journey_id = journey_counts.journey_id and pains.region_id = journey_counts.region_id
        order by pains.rank
        limit 3
    ) as ranked on true
    where journey_counts.n = 1
    group by journey_counts.region_id, journey_counts.client_group
),

final as (
    select
        sizes.region_id,
        sizes.client_group,
        coalesce(groups.client_group_name_ru, 'Не определена') as client_group_name_ru,
        sizes.clients::int as clients,
        coalesce(channels.channel_shares, '{}'::jsonb) as channel_shares,
        coalesce(top_journeys.top_journeys, '[]'::jsonb) as top_journeys,
        coalesce(group_pains.top_pain_points, '[]'::jsonb) as top_pain_points
    from sizes
    left join groups on sizes.client_group = groups.client_group
    left join channels on sizes.region_id = channels.region_id and sizes.client_group = channels.client_group
    left join top_journeys on sizes.region_id = top_journeys.region_id and sizes.client_group = top_journeys.client_group
    left join group_pains on sizes.region_id = group_pains.region_id and sizes.client_group = group_pains.client_group
)

select * from final
