{#-
    The over-merging guard at work: one row per contact cut out of the identity graph because
    several people share it, and per component not merged because it held more than one
    person's SNILS/ESIA/INN or too many identifiers. Opaque references only (md5 of the node).
-#}
-- depends_on: {{ ref('int_identity__occurrences') }}
with

shared as (
    select * from {{ ref('int_identity__shared_identifiers') }}
),

-- the nodes of capped components only: both parts below read those, and the unfiltered CTE,
-- read twice, was materialised whole (1.7 M rows at 10 M events, 1.3 s)
clients as (
    select * from {{ ref('int_identity__clients') }}
    where is_capped
),

-- the events of the guarded nodes only, from the counts int_identity__occurrences keeps per node
-- (macros/running_totals.sql), by an index lookup: grouping every occurrence cost 4.7 s of a
-- day's build at 10 M events, counting the guarded nodes' occurrences 1.9 s (40 000 nodes)
guarded as (
    select node_id from shared
    union
    select node_id from clients
),

occurrences as (
    select node_id, region_id, events
    from {{ node_events_relation() }}
    where node_id = any(array(select guarded.node_id from guarded))
),

shared_contacts as (
    select
        'shared_contact' as guard,
        occurrences.region_id,
        shared.identifier_type,
        md5(shared.node_id) as reference,
        shared.persons_of_one_type::int as persons,
        1 as identifiers,
        occurrences.events::int as events
    from shared
    inner join occurrences on shared.node_id = occurrences.node_id
),

capped_components as (
    select
        'capped_component' as guard,
        min(occurrences.region_id) as region_id,
        'component' as identifier_type,
        md5(clients.component_id) as reference,
        count(*) filter (where clients.identifier_type in ('snils', 'esia', 'person_inn', 'company_inn'))::int
            as persons,
        count(*)::int as identifiers,
        sum(occurrences.events)::int as events
    from clients
    inner join occurrences on clients.node_id = occurrences.node_id
    where clients.is_capped
    group by clients.component_id
),

final as (
    select * from shared_contacts
    union all
    select * from capped_components
)

select * from final
