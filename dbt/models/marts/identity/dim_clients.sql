{#-
    Pseudonymous clients found by identity stitching; no personal data, only what they did.
    The client group is the one assigned in the client's case, else the first matching rule
    of the client_group_rules seed (by priority), else 'unknown'.
-#}
select
    client_id,
    region_id,
    client_kind,
    client_group,
    is_known,
    first_seen_at,
    last_seen_at,
    events,
    sources_used
from {{ ref('int_clients__grouped') }}
