{#-
    Pain points (болевые точки), ranked (int_pain_points__ranked: one row per miss, the offices and
    journey stages it touches listed under it, the unit responsible), with whether each is a quick
    win: an instrument of the catalogue of small cost and short lead time is predicted by a model
    (or, without one, expected) to close most of its gap (pain_point_instruments).
-#}
with

ranked as (
    select * from {{ ref('int_pain_points__ranked') }}
),

quick_wins as (
    select pain_point_id, bool_or(is_quick_win) as is_quick_win
    from {{ ref('pain_point_instruments') }}
    group by pain_point_id
),

final as (
    select
        ranked.pain_point_id,
        ranked.rank,
        ranked.level,
        ranked.kpi_id,
        ranked.kpi_name_ru,
        ranked.unit,
        ranked.direction,
        ranked.region_id,
        ranked.journey_id,
        ranked.stage_id,
        ranked.touchpoint_id,
        ranked.office_id,
        ranked.value,
        ranked.norm_value,
        ranked.gap,
        ranked.clients_affected,
        ranked.score,
        coalesce(quick_wins.is_quick_win, false) as is_quick_win,
        ranked.responsible_unit_ru,
        ranked.offices,
        ranked.places
    from ranked
    left join quick_wins on ranked.pain_point_id = quick_wins.pain_point_id
)

select * from final
