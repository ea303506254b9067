{#- Every (journey, stage) named here exists in journey_stages: a map or measure that points nowhere fails. -#}
{% test cjw_references_stage(model, journey_column='journey_id', stage_column='stage_id') %}
select {{ journey_column }}, {{ stage_column }}
from {{ model }} as referencing
where {{ stage_column }} is not null
    and not exists (
        select 1 from {{ ref('journey_stages') }} as stages
        where stages.journey_id = referencing.{{ journey_column }}
            and stages.stage_id = referencing.{{ stage_column }}
    )
{% endtest %}
