{#-
    The heavy part of client_group_profiles, per region and client group: its clients, the share
    of their events per channel, the three journeys most of them took (and the first of these,
    whose pain points the mart lists). Read from the running totals int_client_groups__members
    keeps (`client_group_totals`, macros/running_totals.sql): a few rows per group. Counting every
    client and journey instance of the history each build cost 1.5 s of a day's build at 10 M
    events (0.24 s at 1 M).
-#}
-- depends_on: {{ ref('int_client_groups__members') }}
with

totals as (
    select * from {{ client_group_totals_relation() }}
),

journeys as (
    select * from {{ ref('dim_journeys') }}
),

sizes as (
    select region_id, client_group, amount as clients
    from totals
    where measure = 'clients'
),

channels as (
    -- each client's events per channel (int_clients__grouped.channel_events), summed per group
    select
        region_id,
        client_group,
        jsonb_object_agg(item, share order by item) as channel_shares
    from (
        select
            region_id,
            client_group,
            item,
            round(amount::numeric / sum(amount::numeric) over (partition by region_id, client_group), 4) as share
        from totals
        where measure = 'channel_events'
    ) as shares
    group by region_id, client_group
),

journey_counts as (
    select
        region_id,
        client_group,
        item as journey_id,
        amount as clients,
        row_number() over (partition by region_id, client_group order by amount desc, item) as n
    from totals
    where measure = 'journey_clients'
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

final as (
    select
        sizes.region_id,
        sizes.client_group,
        sizes.clients,
        channels.channel_shares,
        top_journeys.top_journeys,
        first_journeys.journey_id as first_journey_id
    from sizes
    left join channels
        on sizes.region_id = channels.region_id and sizes.client_group = channels.client_group
    left join top_journeys
        on sizes.region_id = top_journeys.region_id and sizes.client_group = top_journeys.client_group
    left join journey_counts as first_journeys
        on sizes.region_id = first_journeys.region_id
        and sizes.client_group = first_journeys.client_group
        and first_journeys.n = 1
)

select * from final
