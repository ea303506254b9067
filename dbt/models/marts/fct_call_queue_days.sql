{{ config(indexes=[{'columns': ['offered_local_date']}]) }}
{#- What a BI dashboard of the call centre reads: a month of fct_calls is 170 k rows at 10 M
    events (a quarter of a second to group), a month of this is a few thousand. -#}
with

calls as (
    select * from {{ ref('fct_calls') }}
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
