{#-
    The per-source event contract. Every event source has its own model per kind:
      int_<source>__touchpoint_events    what clients did, one row per event (touchpoint_events)
      int_<source>__identity_occurrences one row per event × identifier it carries
    and, when the source measures touchpoint KPIs (waits, calls, an answer time …),
      int_<source>__kpi_observations     one row per KPI observation (kpi_observations)
    with the columns union_event_sources lists, in that order. The shared models (int_touchpoint_events,
    int_identity__occurrences, int_kpi_observations) union every source registered for the kind.

    The registry is the `sources` seed (one row per source: has_touchpoint_events,
    has_identity_occurrences). dbt must know a model's dependencies when it parses the project,
    before any seed is loaded, so the ids are also listed by kind in the project variable
    `cjw_event_sources`; the test assert_event_sources_registered fails when the two differ.
    kpi_observations is listed in the variable only (the seed has no column for it).
-#}
{#-
    Every registered source's int_<source>__<kind>, its contract columns in order, unioned. The
    contract columns per kind are here (the models' YAML in intermediate/sources/ documents them).
-#}
{#-
    `literal_source`: each part names its source as a constant (for a union view: a condition on
    `source` then leaves out the other sources' tables when the query is planned).
-#}
{#-
    `changed_only`: on an incremental build of the union (macros/incremental_events.sql), only the
    rows of the events new batches touched (and, by a union, those that meet the condition `also`,
    if any), and every row of the sources recomputed whole.
-#}
{% macro union_event_sources(kind, changed_only=false, also=none, literal_source=false) -%}
    {%- set contract = {
        'touchpoint_events': [
            'source', 'region_id', 'event_key', 'event_at', 'channel', 'touchpoint_id', 'office_id',
            'event_type', 'attribute', 'is_contact'
        ],
        'identity_occurrences': ['source', 'region_id', 'event_key', 'event_at', 'identifier_type', 'identifier'],
        'kpi_observations': [
            'kpi_id', 'region_id', 'office_id', 'touchpoint_id', 'local_date', 'local_weekday', 'local_hour',
            'is_success', 'measure', 'aggregation', 'source', 'event_key',
            'region_is_success', 'region_measure', 'counts_in_region'
        ],
    } -%}
    {%- if kind not in contract -%}
        {{ exceptions.raise_compiler_error('unknown kind of event source model: ' ~ kind) }}
    {%- endif -%}
    {%- set also = (also or '') | trim -%}
    {%- for source_id in var('cjw_event_sources').get(kind, []) %}
    {% if not loop.first %}union all{% endif %}
    {%- set parts = [] %}
    {%- for column in contract[kind] %}
        {%- do parts.append("'" ~ source_id ~ "'::text as source" if literal_source and column == 'source' else column) %}
    {%- endfor %}
    {%- set columns = parts | join(', ') %}
    {%- set relation = ref('int_' ~ source_id ~ '__' ~ kind) %}
    {%- if changed_only and source_id not in var('cjw_whole_event_sources') and also %}
    {#- a union, not `where a in (…) or b in (…)`: PostgreSQL ran the first subquery once per row
        (at 10 M events one day's int_touchpoint_events ran for more than 7 minutes) #}
    (
        select {{ columns }} from {{ relation }} where {{ changed_events_only(source_id) }}
        union
        select {{ columns }} from {{ relation }} where {{ also }}
    )
    {%- else %}
    select {{ columns }}
    from {{ relation }}
    {%- if changed_only and source_id not in var('cjw_whole_event_sources') %}
        where {{ changed_events_only(source_id) }}
    {%- endif %}
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
