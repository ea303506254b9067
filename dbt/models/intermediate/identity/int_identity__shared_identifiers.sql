{#-
    Contact identifiers (phone, e-mail, cookie, messenger id) seen in the same events as more
    than one person identifier of one type — a family phone, an office landline, a library
    computer. A person has one SNILS and one ESIA account, so such a contact belongs to several
    people: it must not glue their journeys together. These nodes are left out of the
    identity graph (their events are attributed only through other identifiers). An event is
    (source, region, event key): two regions' systems may give two events one key.

    Read from the person side: a contact reaches a person only in an event that carries the
    person, or in an event that carries a link (case, application, ticket, chat) some event of
    the person carries. Person identifiers are few among the occurrences (0.2 % at 10 M events),
    so the whole table is recomputed each build from them by index lookups (0.35 s at 10 M
    events), not from the contacts' histories: recomputing only the contacts a day touched read
    every event of each touched phone or cookie (285 000 occurrences, 6.2 s at 10 M).
-#}
{{ config(materialized='table', indexes=[{'columns': ['node_id'], 'unique': True}]) }}
with

-- read from the table by each CTE below (with its statistics and indexes), not materialised once
occurrences as not materialized (
    select * from {{ ref('int_identity__occurrences') }}
),

persons as (
    select distinct source, region_id, event_key, node_id, identifier_type
    from occurrences
    where identifier_class = 'person'
),

-- the links the persons' events carry
person_links as (
    select distinct persons.node_id as person_node, persons.identifier_type, links.node_id as link_node
    from persons
    inner join occurrences as links
        on persons.source = links.source and persons.region_id = links.region_id
        and persons.event_key = links.event_key
    where links.identifier_class = 'link'
),

contact_persons as (
    -- in the person's own events
    select contacts.node_id as contact_node, contacts.identifier_type as contact_type,
        persons.identifier_type as person_type, persons.node_id as person_node
    from persons
    inner join occurrences as contacts
        on persons.source = contacts.source and persons.region_id = contacts.region_id
        and persons.event_key = contacts.event_key
    where contacts.identifier_class = 'contact'

    union

    -- in any event of a link the person's events carry (an index lookup by link node, then by event)
    select contacts.node_id, contacts.identifier_type, person_links.identifier_type, person_links.person_node
    from person_links
    inner join occurrences as link_events
        on person_links.link_node = link_events.node_id and link_events.identifier_class = 'link'
    inner join occurrences as contacts
        on link_events.source = contacts.source and link_events.region_id = contacts.region_id
        and link_events.event_key = contacts.event_key
    where contacts.identifier_class = 'contact'
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
    group by node_id
    having max(persons) > {{ var('cjw_identity_max_persons_per_contact') }}
)

select * from final
