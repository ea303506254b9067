{{ incremental_by_batches('surveys', ['region_id', 'response_id']) }}
with

validated as (
    {{ validated_rows('surveys', 'raw_surveys_responses', match=['response_id']) }}
),

deduplicated as (
    -- a response re-delivered in a later batch (corrected export): the latest batch wins
    select distinct on (region_id, response_id) *
    from validated
    order by region_id, response_id, batch_id desc, file_seq, line_no
),

final as (
    select
        response_id,
        response_id as event_key,
        region_id,
        channel,
        touchpoint_id,
        responded_at,
        csat,
        ces,
        nps,
        vk_politeness,
        vk_competence,
        vk_speed,
        vk_comfort,
        vk_information,
        relevance,
        comment_scrubbed,
        phone_hash,
        esia_hash,
        ticket_id,
        office_id,
        case_id,
        batch_id
    from deduplicated
)

select * from final
