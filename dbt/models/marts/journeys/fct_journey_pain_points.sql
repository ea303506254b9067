{#-
    One row per journey × pain point that touches it, ranked within the journey (1 = the worst for
    this journey): a stage pain belongs to its journey; a touchpoint pain to every journey whose
    stages miss at that touchpoint, scored there by the miss × clients at those stages. The journey
    page lists its pains from here; the region's ranking is pain_points.rank.
-#}
with

pains as (
    select * from {{ ref('pain_points') }}
),

places as (
    select
        pains.pain_point_id,
        pains.region_id,
        place.value ->> 'journey_id' as journey_id,
        place.value ->> 'stage_id' as stage_id,
        (place.value ->> 'gap')::numeric as gap,
        (place.value ->> 'clients')::numeric as clients
    from pains
    cross join lateral jsonb_array_elements(pains.places) as place (value)
),

per_journey as (
    select
        pain_point_id,
        region_id,
        journey_id,
        sum(gap * clients) as score,
        sum(clients) as clients_affected,
        jsonb_agg(stage_id order by gap desc, stage_id) as stage_ids
    from places
    group by pain_point_id, region_id, journey_id
),

final as (
    select
        per_journey.region_id,
        per_journey.journey_id,
        per_journey.pain_point_id,
        row_number() over (
            partition by per_journey.region_id, per_journey.journey_id
            order by per_journey.score desc, per_journey.pain_point_id
        )::int as rank_in_journey,
        pains.rank as region_rank,
        pains.kpi_id,
        per_journey.stage_ids,
        trim_scale(round(per_journey.score, 2)) as score,
        per_journey.clients_affected::int as clients_affected
    from per_journey
    inner join pains on per_journey.pain_point_id = pains.pain_point_id
)

select * from final
