{#-
    One row per client with what the client group profiles count: region, client group, events
    per channel and the journeys the client took (of int_journey_instances). Incremental by client
    (macros/incremental_clients.sql); its hooks keep the running totals per region and client
    group (`client_group_totals`, macros/running_totals.sql) that int_client_groups__profiled
    reads, so a day's build counts its touched clients, not every client of the history.
-#}
{{ incremental_by_touched_clients(
    unique=true,
    pre_hook=["{{ subtract_client_group_totals() }}"],
    post_hook=["{{ add_client_group_totals_after() }}"],
) }}
{%- set mode = touched_clients_mode() | trim %}
with

clients as (
    select * from {{ ref('int_clients__grouped') }}
    where {{ in_touched_clients('client_id', mode) }}
),

instances as (
    select * from {{ ref('int_journey_instances') }}
    where {{ in_touched_clients('client_id', mode) }}
),

journeys as (
    select client_id, array_agg(distinct journey_id order by journey_id) as journey_ids
    from instances
    group by client_id
),

final as (
    select
        clients.client_id,
        clients.region_id,
        clients.client_group,
        clients.channel_events,
        coalesce(journeys.journey_ids, '{}'::text[]) as journey_ids
    from clients
    left join journeys on clients.client_id = journeys.client_id
)

select * from final
