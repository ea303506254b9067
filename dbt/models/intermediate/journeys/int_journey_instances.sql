{#-
    One row per journey instance: a client's pass through one journey (events grouped in
    int_journey_instance_events; only instances with an event that can start the journey). The
    furthest stage is the furthest stage reached (int_journey_stage_visits); the outcome is the
    state there: `completed` (a stage that ends the journey), `dropped` or `in_progress`.
    `started_before_data`: the instance was already under way when the region's data begin — its
    first reached stage is not the journey's first observed stage and its first event falls within
    `cjw_under_way_days` of the start of the data (a benefit paid on a case opened last year).

    Incremental by client (macros/incremental_clients.sql); the journey KPI observations by client
    come after it (the last model by client: it consumes the touched clients).
-#}
{#- the touched clients are estimated at a hundred rows: the planner then nested loops over the aggregates (minutes at 1 M events) -#}
{{ incremental_by_touched_clients(indexes=[{'columns': ['journey_instance_id'], 'unique': True}], pre_hook=["{{ without_nested_loops() }}"]) }}
{%- set mode = touched_clients_mode() | trim %}
with

instance_events as (
    select * from {{ ref('int_journey_instance_events') }}
    where {{ in_touched_clients('client_id', mode) }}
),

visits as (
    select * from {{ ref('int_journey_stage_visits') }}
    where {{ in_touched_clients('client_id', mode) }}
),

stages as (
    select * from {{ ref('journey_stages') }}
),

data_start as (
    select region_id, min(event_at) as data_start_at
    from {{ ref('int_touchpoint_events') }}
    group by region_id
),

first_observed as (
    select journey_id, version, min(stage_order) as first_observed_order
    from stages
    where entry = 'observed'
    group by journey_id, version
),

final_stages as (
    select journey_id, version, max(stage_order) as final_stage_order
    from stages
    group by journey_id, version
),

reached as (
    -- the small lookups joined to the stage rows first, so the instance rows come out of one
    -- aggregate (joining aggregates on aggregated keys made the planner loop over them)
    select
        visits.journey_instance_id,
        visits.client_id,
        visits.region_id,
        visits.journey_id,
        visits.version,
        (array_agg(visits.stage_id order by visits.stage_order desc))[1] as furthest_stage_id,
        max(visits.stage_order) as furthest_stage_order,
        (array_agg(visits.arrived_at order by visits.stage_order desc))[1] as furthest_stage_reached_at,
        (array_agg(visits.state order by visits.stage_order desc))[1] as furthest_state,
        min(visits.stage_order) filter (where not visits.is_inferred) as first_reached_order,
        max(first_observed.first_observed_order) as first_observed_order,
        max(final_stages.final_stage_order) as final_stage_order,
        max(data_start.data_start_at) as data_start_at
    from visits
    inner join first_observed on visits.journey_id = first_observed.journey_id and visits.version = first_observed.version
    inner join final_stages on visits.journey_id = final_stages.journey_id and visits.version = final_stages.version
    inner join data_start on visits.region_id = data_start.region_id
    where visits.is_reached
    group by visits.journey_instance_id, visits.client_id, visits.region_id, visits.journey_id, visits.version
),

activity as (
    select
        journey_instance_id,
        min(event_at) as started_at,
        max(event_at) as last_event_at,
        count(distinct event_id) as events,
        count(distinct event_id) filter (where is_contact) as contacts,
        count(distinct event_id) filter (where source = 'office_visits') as office_visits,
        count(distinct channel) as channels
    from instance_events
    group by journey_instance_id
),

final as (
    select
        reached.journey_instance_id,
        reached.client_id,
        reached.region_id,
        reached.journey_id,
        reached.version,
        activity.started_at,
        activity.last_event_at,
        reached.furthest_stage_id,
        reached.furthest_stage_order,
        reached.furthest_stage_reached_at,
        reached.final_stage_order,
        activity.events::int as events,
        activity.contacts::int as contacts,
        activity.office_visits::int as office_visits,
        activity.channels::int as channels,
        case reached.furthest_state
            when 'finished' then 'completed'
            when 'dropped' then 'dropped'
            else 'in_progress'
        end as outcome,
        reached.first_reached_order > reached.first_observed_order
        and activity.started_at < reached.data_start_at + interval '1 day' * {{ var('cjw_under_way_days') }}
            as started_before_data
    from reached
    inner join activity on reached.journey_instance_id = activity.journey_instance_id
)

select * from final
