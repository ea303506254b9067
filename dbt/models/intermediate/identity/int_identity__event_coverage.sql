{#-
    One row per event of every source registered for touchpoint events or identity occurrences
    (source × region × event key, as fct_identity_coverage counts them): whether it carries an
    identifier, and whether identity stitching attributed it to a client, left it ambiguous or
    found it in a capped component.

    Incremental (macros/incremental_events.sql): the events new batches touched, every event of a
    source recomputed whole, and the events whose attribution changed since this table's last
    build (int_identity__event_clients' `identity_through`). fct_identity_coverage counts these
    rows instead of counting distinct events over every source model and every attribution in
    each build (17.5 s of a day's build at 10 M events over 120 months) — as running totals
    (`identity_coverage_totals`) this model keeps up to date with the rows it deletes and appends.
-#}
{%- set kinds = ['touchpoint_events', 'identity_occurrences'] -%}
{%- set event_sources = [] -%}
{%- for kind in kinds -%}
    {%- for source_id in var('cjw_event_sources')[kind] if source_id not in event_sources -%}
        {%- do event_sources.append(source_id) -%}
    {%- endfor -%}
{%- endfor %}
{#- its counts kept for fct_identity_coverage as running totals (macros/running_totals.sql) -#}
{{ incremental_by_changes(
    none,
    "delete_changed_events(" ~ event_sources ~ ", by_source=true, also=attribution_changed(), wrap=subtract_coverage_counts)",
    [],
    pre_hook=["{{ reset_coverage_totals() }}"],
    post_hook=[
        "{{ ensure_indexes([{'columns': ['source', 'region_id', 'event_key'], 'unique': True, 'nulls_not_distinct': True}, {'columns': ['identity_through']}]) }}",
        "{{ complete_coverage_totals() }}",
    ],
    strategy='coverage_append',
) }}
with

events as (
    {%- for kind in kinds %}
    {% if not loop.first %}union{% endif %}
    select source, region_id, event_key
    from ({{ union_event_sources(kind, changed_only=true, also=attribution_changed()) }}) as {{ kind }}
    where event_key is not null
    {%- endfor %}
),

final as (
    select
        events.source,
        events.region_id,
        events.event_key,
        attributed.event_key is not null as is_identified,
        attributed.client_id is not null as is_attributed,
        coalesce(attributed.in_capped_component, false) as in_capped_component,
        coalesce(attributed.is_ambiguous, false) as is_ambiguous,
        attributed.identity_through
    from events
    left join {{ ref('int_identity__event_clients') }} as attributed
        on events.source = attributed.source
        and events.region_id = attributed.region_id
        and events.event_key = attributed.event_key
)

select * from final
