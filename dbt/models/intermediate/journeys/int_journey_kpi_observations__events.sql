{#-
    The journey KPI observations that are not computed per client (the other part of
    int_journey_kpi_observations): survey scores (CSAT, CES, NPS, «Ваш контроль», comfort of the
    premises, relevance of the offer) linked to the stage the client was at, complaints answered
    within the deadline, chatbot containment and fallbacks, and the operators' load and breaks
    (the internal client). Anonymous chats and surveys count here too; whether a complaint is late depends on the end of the region's data, which moves
    every day. Recomputed whole each build and written by partition into the same table: a table
    built anew would be swapped in by a drop … cascade, which drops the view
    int_journey_kpi_observations until it is built again. The partition_diff strategy replaces and
    logs only the (KPI, region, month) partitions whose rows changed, by a fingerprint of each
    (macros/incremental_journey_months.sql), so the table keeps the rest and fct_client_kpis
    recomputes those months only.
-#}
{#- chat_stage and the event CTEs are estimated at one row (macro without_nested_loops) -#}
{{ config(
    materialized='incremental',
    incremental_strategy='partition_diff',
    on_schema_change='sync_all_columns',
    pre_hook=["{{ without_nested_loops() }}"],
    post_hook=[
        "{{ ensure_indexes([{'columns': ['kpi_id', 'region_id', 'local_date']}]) }}",
        "{{ record_changed_fingerprints() }}",
    ],
) }}
with

instances as (
    select * from {{ ref('int_journey_instances') }}
),

visits as (
    select * from {{ ref('int_journey_stage_visits') }}
),

linked_surveys as (
    select * from {{ ref('int_journey_survey_links') }}
),

-- the chat sessions (the other sources' events are not read here)
events as (
    select * from {{ ref('int_touchpoint_events') }}
    where source = 'chatbot'
),

chat as (
    select * from {{ ref('stg_chatbot__events') }}
),

regions as (
    select * from {{ ref('regions') }}
),

data_end as (
    select region_id, data_end_at from ({{ region_data_bounds() }}) as bounds
    where data_end_at is not null
),

survey_scores as (
    select
        linked_surveys.response_id,
        linked_surveys.region_id, linked_surveys.journey_id, linked_surveys.stage_id,
        linked_surveys.touchpoint_id, linked_surveys.office_id, linked_surveys.client_id,
        (linked_surveys.responded_at at time zone regions.timezone)::date as local_date,
        linked_surveys.csat, linked_surveys.ces, linked_surveys.nps,
        linked_surveys.vk_comfort, linked_surveys.relevance,
        (
            select avg(score)
            from unnest(array[
                linked_surveys.vk_politeness, linked_surveys.vk_competence, linked_surveys.vk_speed,
                linked_surveys.vk_comfort, linked_surveys.vk_information
            ]) as criteria (score)
        ) as vash_kontrol
    from linked_surveys
    inner join regions on linked_surveys.region_id = regions.region_id
),

survey_observations as (
    select 'csat' as kpi_id, region_id, journey_id, stage_id, touchpoint_id, office_id, client_id, local_date,
        csat >= 4 as is_success, csat::numeric as measure, 'share' as aggregation,
        response_id as observation_key
    from survey_scores where csat is not null
    union all
    select 'ces', region_id, journey_id, stage_id, touchpoint_id, office_id, client_id, local_date,
        null, ces::numeric, 'mean', response_id
    from survey_scores where ces is not null
    union all
    select 'nps', region_id, journey_id, stage_id, touchpoint_id, office_id, client_id, local_date,
        null, case when nps >= 9 then 100 when nps <= 6 then -100 else 0 end, 'mean', response_id
    from survey_scores where nps is not null
    union all
    select 'vash_kontrol', region_id, journey_id, stage_id, touchpoint_id, office_id, client_id, local_date,
        null, round(vash_kontrol, 4), 'mean', response_id
    from survey_scores where vash_kontrol is not null
    union all
    -- comfort of the premises: the «Ваш контроль» criterion «комфортность условий», scored 4–5
    select 'premises_comfort', region_id, journey_id, stage_id, touchpoint_id, office_id, client_id, local_date,
        vk_comfort >= 4, vk_comfort::numeric, 'share', response_id
    from survey_scores where vk_comfort is not null
    union all
    -- targeting: what was offered fitted the client's situation, scored 4–5
    select 'offer_relevance', region_id, journey_id, stage_id, touchpoint_id, office_id, client_id, local_date,
        relevance >= 4, relevance::numeric, 'share', response_id
    from survey_scores where relevance is not null
),

staff_shifts as (
    select * from {{ ref('int_staff__shifts') }}
),

staff_observations as (
    -- the internal client's journey (an operator's shift): load while taking calls, the first break
    select
        'agent_occupancy' as kpi_id, region_id, 'operator_shift' as journey_id, 'first_call' as stage_id,
        'operator_workplace' as touchpoint_id, office_id, shift_id as client_id, local_date,
        null::boolean as is_success, round((talk_seconds / available_seconds)::numeric, 4) as measure,
        'mean' as aggregation
    from staff_shifts
    where available_seconds > 0
    union all
    select
        'breaks_on_time', staff_shifts.region_id, 'operator_shift', 'break', 'operator_workplace',
        staff_shifts.office_id, staff_shifts.shift_id, staff_shifts.local_date,
        staff_shifts.hours_before_first_break <= kpis.threshold_value, null::numeric, 'share'
    from staff_shifts
    inner join {{ ref('kpi_definitions') }} as kpis on kpis.kpi_id = 'breaks_on_time'
    where staff_shifts.queue_seconds / 3600.0 > kpis.threshold_value
),

complaint_deadlines as (
    -- a complaint answered within the deadline (kpi_definitions: complaints_on_time threshold), or
    -- not: unanswered past the deadline counts as late; unanswered within it is not known yet
    select
        'complaints_on_time' as kpi_id, instances.region_id, instances.journey_id, 'answer' as stage_id,
        'complaint_handling' as touchpoint_id, null::text as office_id, instances.client_id,
        (registered.arrived_at at time zone regions.timezone)::date as local_date,
        coalesce(answered.arrived_at <= registered.arrived_at + deadline.threshold, false) as is_success,
        null::numeric as measure, 'share' as aggregation
    from instances
    inner join visits as registered
        on instances.journey_instance_id = registered.journey_instance_id
        and registered.stage_id = 'registration' and registered.is_reached
    left join visits as answered
        on instances.journey_instance_id = answered.journey_instance_id
        and answered.stage_id = 'answer' and answered.is_reached
    inner join regions on instances.region_id = regions.region_id
    cross join (
        select threshold_value * interval '1 day' as threshold
        from {{ ref('kpi_definitions') }} where kpi_id = 'complaints_on_time'
    ) as deadline
    inner join data_end on instances.region_id = data_end.region_id
    where instances.journey_id = 'complaint'
        and (answered.arrived_at is not null or data_end.data_end_at > registered.arrived_at + deadline.threshold)
),

chat_attempts as (
    select
        chat.region_id, chat.session_id, chat.event,
        (chat.event_at at time zone regions.timezone)::date as local_date
    from chat
    inner join regions on chat.region_id = regions.region_id
    where chat.event in ('intent_recognised', 'fallback')
),

chat_sessions as (
    select
        region_id, session_id,
        bool_or(event = 'resolved') and not bool_or(event = 'handoff_to_operator') as is_contained
    from chat
    group by region_id, session_id
),

rules as (
    select * from {{ ref('event_stage_map') }}
    where source = 'chatbot'
),

chat_stage as (
    -- a chat is placed on the stage its topic marks, whether or not the client is known: the
    -- bot's failures matter for anonymous chats too
    select distinct on (events.event_id)
        events.event_id, rules.journey_id, rules.stage_id
    from events
    inner join rules on events.event_type = rules.event_type and events.attribute like rules.attribute_pattern
    where events.source = 'chatbot'
    order by events.event_id, rules.rule_id
),

chatbot_observations as (
    select
        'chatbot_containment' as kpi_id, events.region_id, chat_stage.journey_id, chat_stage.stage_id,
        'chatbot' as touchpoint_id, null::text as office_id, events.client_id, events.event_local_date as local_date,
        chat_sessions.is_contained as is_success, null::numeric as measure, 'share' as aggregation
    from chat_sessions
    inner join events
        on events.source = 'chatbot' and events.event_key = chat_sessions.session_id
        and events.region_id = chat_sessions.region_id
    left join chat_stage on chat_stage.event_id = events.event_id
    union all
    select
        'chatbot_fallback_rate', events.region_id, chat_stage.journey_id, chat_stage.stage_id,
        'chatbot', null::text, events.client_id, chat_attempts.local_date,
        chat_attempts.event = 'fallback', null::numeric, 'share'
    from chat_attempts
    inner join events
        on events.source = 'chatbot' and events.event_key = chat_attempts.session_id
        and events.region_id = chat_attempts.region_id
    left join chat_stage on chat_stage.event_id = events.event_id
),

unioned as (
    select * from chatbot_observations
    union all select * from staff_observations
    union all select * from complaint_deadlines
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
union all
-- a survey answer placed on several journeys is one row per journey; observation_key (the
-- response) lets the journey-wide marts count it once
select
    kpi_id, region_id, journey_id, stage_id, touchpoint_id, office_id, client_id, local_date,
    is_success, measure, aggregation, observation_key
from survey_observations
