{#-
    Pseudonymous clients found by identity stitching; no personal data, only what they did.
    The client group is the one assigned in the client's case, else the first matching rule
    of the client_group_rules seed (by priority), else 'unknown'.

    A copy of int_clients__grouped, incremental by client (macros/incremental_clients.sql): the
    clients it recomputed since this schema's last build (logged in `client_row_changes`) are
    deleted and copied again; a full copy of every client each build was 3.6 s of a day at 10 M events.
-#}
{{ incremental_by_changes(
    none,
    "delete_logged_clients()",
    [],
    'append_new_columns',
    post_hook=["{{ record_change_log_watermark('client_row_changes', 'client_id') }}"],
) }}
select
    client_id,
    region_id,
    client_kind,
    client_group,
    is_known,
    first_seen_at,
    last_seen_at,
    events,
    sources_used,
    channel_events
from {{ ref('int_clients__grouped') }}
where {{ in_logged_clients('client_id') }}
