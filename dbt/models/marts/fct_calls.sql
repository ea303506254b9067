{#-
    Pseudonymous caller hashes stay in the intermediate layer: BI does not need them. Incremental
    by call (macros/incremental_events.sql): a build rewrites the calls new batches touched.
-#}
{{ incremental_by_events('call_centre', key='call_id', indexes=[{'columns': ['offered_local_date']}], on_schema_change='append_new_columns') }}
with

calls as (
    select * from {{ ref('int_calls__summarised') }}
    where {{ changed_events_only('call_centre', key='call_id') }}
),

topics as (
    select * from {{ ref('stg_call_centre__call_topics') }}
),

final as (
    select
        calls.queue_call_id,
        calls.region_id,
        calls.call_id,
        calls.queue_name,
        calls.office_id,
        calls.touchpoint_id,
        calls.offered_at,
        calls.answered_at,
        calls.offered_local_date,
        calls.offered_local_weekday,
        calls.offered_local_hour,
        calls.outcome,
        calls.is_answered,
        calls.is_abandoned,
        calls.is_transferred,
        calls.hold_seconds,
        calls.talk_seconds,
        calls.wait_before_exit_seconds,
        topics.topic_code,
        topics.resolution
    from calls
    left join topics
        on calls.region_id = topics.region_id and calls.call_id = topics.call_id and calls.is_answered
)

select * from final
