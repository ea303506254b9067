{#-
    Each scenario row the modelling DAG cannot run, with the reason (warning: the build and the
    other scenarios go on; the DAG records the same reason in modelling.scenario_errors).
-#}
{% test cjw_valid_scenario(model) %}
with rows as (
    select * from {{ model }}
),

checked as (
    select
        scenario_id,
        case
            when scenario_id is null then 'scenario_id is empty'
            when model not in ('office_queue', 'call_queue', 'journey_stage', 'chatbot_intent')
                then 'unknown model ' || coalesce(model, '∅')
            when model = 'office_queue' and change not in ('add_servers', 'set_servers', 'service_time_factor')
                then 'change ' || coalesce(change, '∅') || ' does not apply to office_queue'
            when model = 'call_queue' and change not in ('add_servers', 'set_servers', 'service_time_factor')
                then 'change ' || coalesce(change, '∅') || ' does not apply to call_queue'
            when model = 'journey_stage' and change <> 'dropoff_factor'
                then 'change ' || coalesce(change, '∅') || ' does not apply to journey_stage'
            when model = 'chatbot_intent' and change <> 'answer_share'
                then 'change ' || coalesce(change, '∅') || ' does not apply to chatbot_intent'
            when value is null or value < 0 then 'value must be a number ≥ 0'
            when model = 'chatbot_intent' and value > 1 then 'answer_share is a share between 0 and 1'
            when model = 'chatbot_intent' and coalesce(target, '') = '' then 'chatbot_intent needs a topic'
            when model = 'office_queue' and not exists (select 1 from {{ ref('offices') }} o where o.office_id = rows.target)
                then 'unknown office ' || coalesce(target, '∅')
            when model = 'call_queue' and not exists (select 1 from {{ ref('call_queues') }} q where q.queue_name = rows.target)
                then 'unknown call queue ' || coalesce(target, '∅')
            when model = 'journey_stage' and not exists (
                select 1 from {{ ref('journey_stages') }} s where s.journey_id || ':' || s.stage_id = rows.target
            ) then 'unknown journey:stage ' || coalesce(target, '∅')
        end as problem
    from rows
)

select scenario_id, problem from checked where problem is not null
{% endtest %}
