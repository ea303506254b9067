{#-
    Contact identifiers (phone, e-mail, cookie, messenger id) seen in the same events as more
    than one person identifier of one type — a family phone, an office landline, a library
    computer. A person has one SNILS and one ESIA account, so such a contact belongs to several
    people: it must not glue their journeys together. These nodes are left out of the
    identity graph (their events are attributed only through other identifiers). An event is
    (source, region, event key): two regions' systems may give two events one key.

    Incremental by contact: a build recomputes only the contacts whose count of persons the
    events recorded as touched can change, over the occurrences that reach them (macro
    delete_shared_identifiers_scope), and keeps the others.
-#}
{{ incremental_by_identity_scope("delete_shared_identifiers_scope()", indexes=[{'columns': ['node_id'], 'unique': True}]) }}
{%- set scoped = shared_identifiers_mode() | trim == 'scope' %}
with

-- read from the table by each CTE below (with its statistics), not materialised once without any
occurrences as not materialized (
    {%- if scoped %}
    select * from {{ shared_identifiers_temp('occurrences') }}
    {%- else %}
    select * from {{ ref('int_identity__occurrences') }}
    {%- endif %}
),

persons as (
    select distinct source, region_id, event_key, node_id, identifier_type
    from occurrences
    where identifier_class = 'person'
),

contacts as (
    select distinct source, region_id, event_key, node_id, identifier_type
    from occurrences
    where identifier_class = 'contact'
),

-- contacts reach persons directly, or through a link (case, application, ticket, chat)
links as (
    select distinct source, region_id, event_key, node_id from occurrences where identifier_class = 'link'
),

contact_links as (
    select distinct contacts.node_id as contact_node, links.node_id as link_node
    from contacts
    inner join links
        on contacts.source = links.source and contacts.region_id = links.region_id
        and contacts.event_key = links.event_key
),

person_links as (
    select distinct persons.node_id as person_node, persons.identifier_type, links.node_id as link_node
    from persons
    inner join links
        on persons.source = links.source and persons.region_id = links.region_id
        and persons.event_key = links.event_key
),

contact_persons as (
    select contacts.node_id as contact_node, contacts.identifier_type as contact_type,
        persons.identifier_type as person_type, persons.node_id as person_node
    from contacts
    inner join persons
        on contacts.source = persons.source and contacts.region_id = persons.region_id
        and contacts.event_key = persons.event_key

    union

    select contact_links.contact_node, split_part(contact_links.contact_node, ':', 2),
        person_links.identifier_type, person_links.person_node
    from contact_links
    inner join person_links on contact_links.link_node = person_links.link_node
),

per_contact as (
    select
        contact_node as node_id,
        contact_type as identifier_type,
        person_type,
        count(distinct person_node) as persons
    from contact_persons
    group by contact_node, contact_type, person_type
),

final as (
    select
        node_id,
        max(identifier_type) as identifier_type,
        max(persons) as persons_of_one_type
    from per_contact
    {%- if scoped %}
    where node_id in (select scope.node_id from {{ shared_identifiers_temp('scope') }} as scope)
    {%- endif %}
    group by node_id
    having max(persons) > {{ var('cjw_identity_max_persons_per_contact') }}
)

select * from final
