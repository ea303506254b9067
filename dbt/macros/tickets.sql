{#-
    An office ticket's keys, built in one place. `ticket_event_key`: the ticket's natural key as an
    event (`<office>/<local date>/<ticket id>`), the `event_key` of source office_visits that
    events, identity occurrences and KPI observations join on. `ticket_link_key`: the hashed
    key a case event or survey response that names a ticket shares with the ticket itself (the
    identity link between them).
-#}
{% macro ticket_event_key(office_id, ticket_date, ticket_id) -%}
    {{ office_id }} || '/' || {{ ticket_date }} || '/' || {{ ticket_id }}
{%- endmacro %}

{% macro ticket_link_key(office_id, ticket_date, ticket_id) -%}
    {{ surrogate_key([office_id, ticket_date, ticket_id]) }}
{%- endmacro %}
