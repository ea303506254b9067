{#-
    The modelled effect of the improvement instruments on the pain points, as the modelling DAG
    last published it (schema `modelling`, table instrument_effects); before its first run an
    empty relation with the same columns, so the marts build without it.
-#}
{% macro modelling_instrument_effects() -%}
    {%- set relation = adapter.get_relation(database=target.database, schema='modelling', identifier='instrument_effects') if execute else none -%}
    {%- if relation is not none %}
    select
        region_id::text, kpi_id::text, journey_id::text, stage_id::text, touchpoint_id::text, office_id::text,
        instrument_id::text, model_target::text, hours::text, now_value::float8, baseline_model_value::float8,
        predicted_value::float8, predicted_low::float8, predicted_high::float8, gap_closed_share::float8,
        is_reliable::boolean, is_norm_met_now::boolean
    from {{ relation }}
    {%- else %}
    select
        null::text as region_id, null::text as kpi_id, null::text as journey_id, null::text as stage_id,
        null::text as touchpoint_id, null::text as office_id, null::text as instrument_id, null::text as model_target,
        null::text as hours, null::float8 as now_value, null::float8 as baseline_model_value,
        null::float8 as predicted_value, null::float8 as predicted_low, null::float8 as predicted_high,
        null::float8 as gap_closed_share, null::boolean as is_reliable, null::boolean as is_norm_met_now
    where false
    {%- endif %}
{%- endmacro %}
