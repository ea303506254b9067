{#-
    One row per identifier node with the pseudonymous client it belongs to.

    A component is one client unless it is implausible: more than one SNILS, ESIA account or
    INN, or more than `cjw_identity_max_nodes` identifiers of a person (over-merging). The id of
    one event — a queue ticket, a case, an application, a chat session, an e-mail request — is
    not one: a client gathers one with every visit, and counted in, a regular visitor's ten years
    of tickets capped 341 components of the 10 M bench region (5 at 1 M). A capped component
    is not merged: each of its person identifiers becomes its own client and its contacts and
    links stay unattributed (reported in fct_identity_capped_components). A component of links
    only (an anonymous visit or chat) is no client. client_id = md5 of the component label:
    deterministic. Incremental: the rows of the nodes in int_identity__scope (whole components);
    the nodes whose client or cap this changed are recorded for int_identity__event_clients
    (macro record_changed_client_nodes).
-#}
{{ incremental_by_identity_scope(
    "delete_identity_scope('node_id', by='node_id')", indexes=[{'columns': ['node_id'], 'unique': True}, {'columns': ['client_id']}],
    pre_hook=["{{ keep_scope_clients() }}"],
    post_hook=["{{ record_changed_client_nodes() }}"],
) }}
with

components as (
    select * from {{ ref('int_identity__components') }}
    where {{ in_identity_scope('node_id', by='node_id') }}
),

typed as (
    select
        node_id,
        component_id,
        split_part(node_id, ':', 2) as identifier_type
    from components
),

stats as (
    select
        component_id,
        count(*) as nodes,
        count(*) filter (where identifier_type = 'snils') as snils,
        count(*) filter (where identifier_type = 'esia') as esia,
        count(*) filter (where identifier_type = 'person_inn') as person_inns,
        count(*) filter (where identifier_type = 'company_inn') as company_inns,
        count(*) filter (
            where identifier_type not in ('ticket', 'case', 'application', 'chat_session', 'email_request')
        ) as personal_nodes
    from typed
    group by component_id
),

flagged as (
    select
        *,
        snils > 1 or esia > 1 or person_inns > 1 or company_inns > 1
        or personal_nodes > {{ var('cjw_identity_max_nodes') }} as is_capped
    from stats
),

final as (
    select
        typed.node_id,
        typed.identifier_type,
        typed.component_id,
        flagged.nodes as component_nodes,
        flagged.is_capped,
        case
            when flagged.personal_nodes = 0 then null
            when not flagged.is_capped then md5('client|' || typed.component_id)
            when typed.identifier_type in ('snils', 'esia', 'person_inn', 'company_inn')
                then md5('client|' || typed.node_id)
        end as client_id
    from typed
    inner join flagged on typed.component_id = flagged.component_id
)

select * from final
