{#- What a BI dashboard of the call centre reads: a month of fct_calls is 170 k rows at 10 M
    events (a quarter of a second to group), a month of this is a few thousand.
    Incremental by day (macro changed_call_days): a build recomputes the region-local days on
    which the calls new batches touched entered a queue, from those days' calls (fct_calls'
    offered_local_date index), and keeps every other day. (Until 2026-12 every call of the history
    was grouped on every build: 1.2 s of a day's build at 10 M events.) -#}
{{ incremental_by_changes(
    'call_centre',
    "delete_changed_days(changed_call_days(), 'offered_local_date')",
    [{'columns': ['offered_local_date']}],
    on_schema_change='append_new_columns',
) }}
{%- set incremental = staging_mode() | trim == 'incremental' %}
with

{% if incremental -%}
changed_days as (
    {{ region_day_rows(changed_call_days()) }}
),
{%- endif %}

calls as (
    select * from {{ ref('fct_calls') }}
    {%- if incremental %}
    where (region_id, offered_local_date) in (select region_id, local_date from changed_days)
    {%- endif %}
),

final as (
    select
        region_id,
        offered_local_date,
        queue_name,
        office_id,
        outcome,
        count(*)::integer as calls,
        count(*) filter (where is_answered)::integer as answered_calls,
        count(*) filter (where is_abandoned)::integer as abandoned_calls,
        count(*) filter (where is_transferred)::integer as transferred_calls,
        count(hold_seconds)::integer as calls_with_hold_seconds,
        sum(hold_seconds)::bigint as hold_seconds_total,
        sum(talk_seconds)::bigint as talk_seconds_total
    from calls
    group by region_id, offered_local_date, queue_name, office_id, outcome
)

select * from final
