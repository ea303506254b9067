{#-
    One row per observation of a journey-level client KPI, placed on a journey, stage and
    touchpoint where it belongs (null = not placed), with the client it is about (null = not
    known): the observations of the clients' journey instances (int_journey_kpi_observations__clients,
    incremental by client: stage conversion, drop-off and time to stage, first-contact resolution,
    channel switching, visits per case, electronic share, employment outcome and the touchpoint KPIs
    of the events placed on a stage), the page views ending on an error page
    (int_journey_kpi_observations__portal, incremental by event) and the others
    (int_journey_kpi_observations__events, whole: survey scores, complaints on time, the chatbot,
    the operators' shifts).
    A view: the three tables are not copied into a fourth.
-#}
{{ config(materialized='view') }}

{%- set columns = 'kpi_id, region_id, journey_id, stage_id, touchpoint_id, office_id, client_id, local_date, is_success, measure, aggregation, observation_key' %}
select {{ columns }} from {{ ref('int_journey_kpi_observations__clients') }}
union all
select {{ columns }} from {{ ref('int_journey_kpi_observations__portal') }}
union all
select {{ columns }} from {{ ref('int_journey_kpi_observations__events') }}
