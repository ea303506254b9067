{#-
    The improvement instruments that act on each pain point, and whether the pain point is a quick
    win (быстрая победа): an instrument of low cost, in place within `cjw_quick_win_lead_days`, is
    predicted by a model (or, where no model covers it, expected by the working group's catalogue)
    to close at least `cjw_quick_win_gap_closed` of the pain point's gap to the norm. A model's
    effect counts only when that model passed its calibration check. One row per pain point and
    instrument; a pain point no instrument acts on has one row without an instrument.
-#}
with

points as (
    select * from {{ ref('int_pain_points__ranked') }}
),

instruments as (
    select * from {{ ref('improvement_instruments') }}
),

effects as (
    {{ modelling_instrument_effects() }}
),

candidates as (
    select
        points.pain_point_id,
        points.rank,
        points.region_id,
        points.kpi_id,
        points.journey_id,
        points.stage_id,
        points.touchpoint_id,
        points.office_id,
        points.value,
        points.norm_value,
        points.gap,
        instruments.instrument_id,
        instruments.instrument_name_ru,
        instruments.cost_class,
        instruments.lead_time_days,
        instruments.decided_by_ru,
        instruments.expected_gap_closed,
        effects.hours as modelled_hours,
        effects.predicted_value as modelled_value,
        effects.predicted_low as modelled_low,
        effects.predicted_high as modelled_high,
        effects.gap_closed_share as modelled_gap_closed,
        effects.is_reliable as is_model_reliable,
        effects.is_norm_met_now as is_norm_met_in_model_period
    from points
    left join instruments
        on points.kpi_id = any(string_to_array(instruments.kpi_ids, ';'))
        and (points.touchpoint_id is null or points.touchpoint_id = any(string_to_array(instruments.touchpoint_ids, ';')))
    left join effects
        on effects.instrument_id = instruments.instrument_id
        and effects.region_id is not distinct from points.region_id
        and effects.kpi_id = points.kpi_id
        and effects.journey_id is not distinct from points.journey_id
        and effects.stage_id is not distinct from points.stage_id
        and effects.touchpoint_id is not distinct from points.touchpoint_id
        and effects.office_id is not distinct from points.office_id
),

judged as (
    select
        *,
        case
            when instrument_id is null then null
            when modelled_gap_closed is not null and is_model_reliable then 'model'
            else 'expected'
        end as effect_basis,
        case
            when instrument_id is null then null
            when modelled_gap_closed is not null and is_model_reliable then modelled_gap_closed
            else expected_gap_closed
        end as gap_closed_share,
        case
            when instrument_id is null then null
            when cost_class = 'low' and lead_time_days <= {{ var('cjw_quick_win_lead_days', 30) }} then 'quick'
            when cost_class = 'high' or lead_time_days > 90 then 'long'
            else 'medium'
        end as horizon
    from candidates
),

final as (
    select
        {{ surrogate_key(['pain_point_id', 'instrument_id']) }} as pain_point_instrument_id,
        pain_point_id,
        rank,
        region_id,
        kpi_id,
        journey_id,
        stage_id,
        touchpoint_id,
        office_id,
        value,
        norm_value,
        gap,
        instrument_id,
        instrument_name_ru,
        cost_class,
        lead_time_days,
        decided_by_ru,
        horizon,
        modelled_hours,
        round(modelled_value::numeric, 4) as modelled_value,
        round(modelled_low::numeric, 4) as modelled_low,
        round(modelled_high::numeric, 4) as modelled_high,
        round(modelled_gap_closed::numeric, 4) as modelled_gap_closed,
        is_model_reliable,
        is_norm_met_in_model_period,
        round(expected_gap_closed::numeric, 4) as expected_gap_closed,
        effect_basis,
        round(gap_closed_share::numeric, 4) as gap_closed_share,
        coalesce(horizon = 'quick' and gap_closed_share >= {{ var('cjw_quick_win_gap_closed', 0.5) }}, false)
            as is_quick_win_instrument,
        coalesce(bool_or(horizon = 'quick' and gap_closed_share >= {{ var('cjw_quick_win_gap_closed', 0.5) }})
            over (partition by pain_point_id), false) as is_quick_win
    from judged
)

select * from final
