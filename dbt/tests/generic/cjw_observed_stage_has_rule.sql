{#-
    Every stage marked observed has a rule of event_stage_map that can show it, and every journey
    has at least one: a journey or a stage nothing could ever fill fails the build (mark a stage
    that no data can show `entry = inferred`).
-#}
{% test cjw_observed_stage_has_rule(model) %}
select stages.journey_id, stages.version, stages.stage_id
from {{ model }} as stages
where stages.entry = 'observed'
    and not exists (
        select 1 from {{ ref('event_stage_map') }} as rules
        where rules.journey_id = stages.journey_id and rules.stage_id = stages.stage_id
    )
union all
select journeys.journey_id, journeys.version, null
from {{ ref('journeys') }} as journeys
where not exists (select 1 from {{ ref('event_stage_map') }} as rules where rules.journey_id = journeys.journey_id)
{% endtest %}
