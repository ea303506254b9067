{#-
    One row per event × identifier it carries, from every source registered for identity
    occurrences (macro union_event_sources over int_<source>__identity_occurrences).
    Identifiers are keyed hashes (phone, e-mail, SNILS, ESIA, an individual's INN, cookies,
    messenger ids) or business keys (a company's INN/OGRN, case, application, office ticket,
    chat session).

    `event_key` is the source's natural key of the event (call id, office/date/ticket, Metrica
    watchID/visitID, portal event id, chat session, case event id, survey response id).
    `identifier_class`: `person` — names one person (SNILS, ESIA, INN of a person) or one
    company (INN/OGRN); `contact` — usually one person but can be shared (phone, e-mail,
    cookie, messenger id); `link` — one case, application, visit or chat, tying the
    identifiers of its events together.
-#}
{#- touched events recorded for the identity models (macros/incremental_identity.sql); node_id indexed for them -#}
{#- the events per node kept for fct_identity_capped as running totals (macros/running_totals.sql) -#}
{{ incremental_union_of_events(
    'identity_occurrences',
    pre_hook=["{{ reset_node_events() }}", "{{ record_touched_identity(var('cjw_event_sources')['identity_occurrences']) }}"],
    post_hook=[
        "{{ ensure_indexes([{'columns': ['node_id']}, {'columns': ['source', 'event_key', 'node_id'], 'unique': True, 'nulls_not_distinct': True}]) }}",
        "{{ complete_node_events() }}",
    ],
    wrap='subtract_node_events',
    strategy='node_count_append',
) }}
with

occurrences as (
    {{ union_event_sources('identity_occurrences', changed_only=true) }}
),

final as (
    {{ identity_occurrence_rows('occurrences') }}
)

select * from final
