{#-
    The sources seed and the project variable `cjw_event_sources` (the list dbt needs at parse
    time, macro union_event_sources) name the same sources for each kind of the event contract.
    Rows returned = a source registered in one and not the other.
-#}
with

listed as (
    {%- for kind in ['touchpoint_events', 'identity_occurrences'] %}
    {%- for source_id in var('cjw_event_sources')[kind] %}
    select '{{ kind }}' as kind, '{{ source_id }}' as source_id
    union all
    {%- endfor %}
    {%- endfor %}
    select null, null where false
),

seeded as (
    select 'touchpoint_events' as kind, source_id from {{ ref('sources') }} where has_touchpoint_events
    union all
    select 'identity_occurrences', source_id from {{ ref('sources') }} where has_identity_occurrences
),

only_listed as (
    select kind, source_id, 'only in cjw_event_sources' as problem from listed
    except
    select kind, source_id, 'only in cjw_event_sources' from seeded
),

only_seeded as (
    select kind, source_id, 'only in the sources seed' as problem from seeded
    except
    select kind, source_id, 'only in the sources seed' from listed
)

select * from only_listed
union all
select * from only_seeded
