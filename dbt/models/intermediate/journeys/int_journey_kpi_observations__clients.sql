{#-
    The journey KPI observations that belong to one client's journey instances (the part of
    int_journey_kpi_observations computed from the models by client): stage conversion and drop-off
    (over the stages' known fates: moved on or dropped) and the days it took to reach a stage from
    the one reached before, first-contact resolution and channel switching per stage, visits per
    case, electronic share of applications, employment outcome, and the touchpoint KPIs of the
    events placed on a stage. client_id is the instance's client (an operator's shift for the
    internal journey).

    Incremental by client (macros/incremental_clients.sql), the last of the models by client:
    after it the touched clients are done with. Every row here follows from the client's own
    instances, stage visits and events, which the models by client recompute for the same clients.
-#}
{#-
    All clients: hash joins (estimates of a row for CTEs that aggregate nested loops over the
    whole tables). The touched clients (a day's thousands): index lookups into the touchpoint
    events and observations — hash joins read them whole (1.5 s of 2.6 at 1 M events; 0.7 with lookups).
-#}
{#- the (KPI, region, month) partitions it changes are logged for fct_client_kpis (macros/incremental_journey_months.sql) -#}
{{ incremental_by_touched_clients(
    indexes=[{'columns': ['kpi_id', 'region_id', 'local_date']}],
    pre_hook=[
        "{% if touched_clients_mode() | trim == 'all' %}{{ without_nested_loops() }}{% else %}select 1{% endif %}",
        "{{ record_touched_clients_months(before=true) }}",
    ],
    post_hook=["{{ record_touched_clients_months(before=false) }}", "{{ consume_touched_clients() }}"],
) }}
{#- after the other model by client that is not its parent: the touched clients stay until both built -#}
-- depends_on: {{ ref('int_client_groups__members') }}
{%- set mode = touched_clients_mode() | trim %}
with

instances as (
    select * from {{ ref('int_journey_instances') }}
    where {{ in_touched_clients('client_id', mode) }}
),

instance_events as (
    select * from {{ ref('int_journey_instance_events') }}
    where {{ in_touched_clients('client_id', mode) }}
),

visits as (
    select * from {{ ref('int_journey_stage_visits') }}
    where {{ in_touched_clients('client_id', mode) }}
),

touchpoint_observations as (
    select * from {{ ref('int_kpi_observations') }}
),

applications as (
    select * from {{ ref('int_journey_applications') }}
),

events as (
    select * from {{ ref('int_touchpoint_events') }}
),

regions as (
    select * from {{ ref('regions') }}
),

stage_fates as (
    -- every observed stage an instance reached where its fate is known: moved on or dropped (in
    -- progress is not known yet; a finishing stage has no next one; inferred stages are not measured)
    select
        visits.journey_instance_id, visits.region_id, visits.journey_id, visits.stage_id, visits.client_id,
        visits.state,
        (instances.started_at at time zone regions.timezone)::date as local_date
    from visits
    inner join instances on visits.journey_instance_id = instances.journey_instance_id
    inner join regions on instances.region_id = regions.region_id
    where visits.is_reached and not visits.is_inferred and visits.state in ('moved_on', 'dropped')
),

stage_conversion as (
    select
        'stage_conversion' as kpi_id, region_id, journey_id, stage_id,
        null::text as touchpoint_id, null::text as office_id, client_id, local_date,
        state = 'moved_on' as is_success,
        null::numeric as measure, 'share' as aggregation
    from stage_fates
),

stage_drop_off as (
    select
        'stage_drop_off' as kpi_id, region_id, journey_id, stage_id,
        null::text as touchpoint_id, null::text as office_id, client_id, local_date,
        state = 'dropped' as is_success,
        null::numeric as measure, 'share' as aggregation
    from stage_fates
),

reached_visits as (
    select * from visits
    where is_reached and not is_inferred
),

time_to_stage as (
    select
        'time_to_stage' as kpi_id, instances.region_id, reached_visits.journey_id, reached_visits.stage_id,
        null::text, null::text, reached_visits.client_id,
        (reached_visits.arrived_at at time zone regions.timezone)::date,
        null::boolean,
        round(
            (extract(epoch from reached_visits.arrived_at - lag(reached_visits.arrived_at) over w) / 86400.0)::numeric, 4
        ),
        'median'
    from reached_visits
    inner join instances on reached_visits.journey_instance_id = instances.journey_instance_id
    inner join regions on instances.region_id = regions.region_id
    window w as (partition by reached_visits.journey_instance_id order by reached_visits.stage_order)
),

contact_resolution as (
    select
        'first_contact_resolution' as kpi_id, instances.region_id, visits.journey_id, visits.stage_id,
        null::text, null::text, visits.client_id,
        (visits.arrived_at at time zone regions.timezone)::date,
        visits.repeat_contacts = 0, null::numeric, 'share'
    from visits
    inner join instances on visits.journey_instance_id = instances.journey_instance_id
    inner join regions on instances.region_id = regions.region_id
    where visits.contacts > 0
),

channel_switching as (
    select
        'channel_switch_rate' as kpi_id, instances.region_id, visits.journey_id, visits.stage_id,
        null::text, null::text, visits.client_id,
        (visits.arrived_at at time zone regions.timezone)::date,
        visits.contact_channels >= 2, null::numeric, 'share'
    from visits
    inner join instances on visits.journey_instance_id = instances.journey_instance_id
    inner join regions on instances.region_id = regions.region_id
    where visits.contacts > 0
),

visits_per_case as (
    select
        'visits_per_case' as kpi_id, instances.region_id, instances.journey_id, null::text,
        null::text, null::text, instances.client_id,
        (instances.last_event_at at time zone regions.timezone)::date,
        null::boolean, instances.office_visits::numeric, 'mean'
    from instances
    inner join regions on instances.region_id = regions.region_id
    where instances.outcome = 'completed'
),

electronic_share as (
    select
        'electronic_share' as kpi_id, instances.region_id, instances.journey_id, applications.stage_id,
        null::text, null::text, instances.client_id, applications.local_date,
        applications.is_electronic, null::numeric, 'share'
    from applications
    inner join instances on applications.journey_instance_id = instances.journey_instance_id
),

ended_cases as (
    select
        journey_instance_id,
        bool_or(event_type = 'employed') as employed,
        max(event_local_date) as local_date
    from instance_events
    where source = 'cases'
    group by journey_instance_id
    having bool_or(event_type = 'case_closed')
),

employment_outcome as (
    select
        'employment_outcome' as kpi_id, instances.region_id, instances.journey_id, null::text,
        null::text, null::text, instances.client_id, ended_cases.local_date,
        ended_cases.employed, null::numeric, 'share'
    from ended_cases
    inner join instances on ended_cases.journey_instance_id = instances.journey_instance_id
),

placed_events as materialized (
    -- the events placed on a journey stage first: a fifth of the events; joined the other way the
    -- planner hashed every touchpoint observation (1.1 M at 1 M events) and took 1.8 s of 2.8
    select events.source, events.event_key, events.region_id, instance_events.client_id, instance_events.journey_id,
        instance_events.stage_id
    from instance_events
    inner join events on instance_events.event_id = events.event_id
),

placed_touchpoint_observations as (
    select
        touchpoint_observations.kpi_id, touchpoint_observations.region_id,
        placed_events.journey_id, placed_events.stage_id, touchpoint_observations.touchpoint_id,
        touchpoint_observations.office_id, placed_events.client_id, touchpoint_observations.local_date,
        touchpoint_observations.is_success, touchpoint_observations.measure, touchpoint_observations.aggregation
    from touchpoint_observations
    inner join placed_events
        on placed_events.source = touchpoint_observations.source
        and placed_events.event_key = touchpoint_observations.event_key
        and placed_events.region_id = touchpoint_observations.region_id
),

unioned as (
    select * from stage_conversion
    union all select * from stage_drop_off
    union all select * from time_to_stage
    union all select * from contact_resolution
    union all select * from channel_switching
    union all select * from visits_per_case
    union all select * from electronic_share
    union all select * from employment_outcome
    union all select * from placed_touchpoint_observations
)

select
    kpi_id,
    region_id,
    journey_id,
    stage_id,
    touchpoint_id,
    office_id,
    client_id,
    local_date,
    is_success,
    measure,
    aggregation,
    null::text as observation_key
from unioned
where aggregation <> 'median' or measure is not null
