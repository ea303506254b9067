{#-
    Effect of each registered improvement measure on its target KPI at its touchpoint and office:
    the KPI in the `cjw_effect_window_days` before and after the start date, the change with a
    95 % confidence interval (normal approximation), and the same change at comparable offices
    without the measure, for a difference in differences. Works for shares (mean of 0/1) and
    means alike: value = mean, standard error = sqrt(variance / n).
-#}
with

measures as (
    select * from {{ ref('improvement_measures') }}
),

observations as (
    select
        *,
        case when aggregation = 'share' then case when is_success then 1.0 else 0.0 end else measure end as x
    from {{ ref('int_kpi_observations') }}
    where aggregation in ('share', 'mean')
),

windows as (
    select
        measures.*,
        measures.start_date - {{ var('cjw_effect_window_days') }} as before_from,
        measures.start_date + {{ var('cjw_effect_window_days') }} as after_to
    from measures
),

grouped as (
    select
        windows.measure_id,
        observations.office_id = windows.office_id as is_treated,
        observations.local_date >= windows.start_date as is_after,
        avg(observations.x) as mean_x,
        coalesce(var_samp(observations.x), 0) as var_x,
        count(*) as n
    from windows
    inner join observations
        on observations.kpi_id = windows.target_kpi_id
        and observations.touchpoint_id = windows.touchpoint_id
        and observations.local_date >= windows.before_from
        and observations.local_date < windows.after_to
        and (
            observations.office_id = windows.office_id
            or observations.office_id not in (
                select other.office_id from measures as other
                where other.target_kpi_id = windows.target_kpi_id and other.office_id is not null
            )
        )
    group by windows.measure_id, is_treated, is_after
),

pivoted as (
    select
        measure_id,
        max(mean_x) filter (where is_treated and not is_after) as before_value,
        max(mean_x) filter (where is_treated and is_after) as after_value,
        max(var_x / nullif(n, 0)) filter (where is_treated and not is_after) as before_se2,
        max(var_x / nullif(n, 0)) filter (where is_treated and is_after) as after_se2,
        max(n) filter (where is_treated and not is_after) as before_n,
        max(n) filter (where is_treated and is_after) as after_n,
        max(mean_x) filter (where not is_treated and not is_after) as control_before,
        max(mean_x) filter (where not is_treated and is_after) as control_after,
        max(var_x / nullif(n, 0)) filter (where not is_treated and not is_after) as control_before_se2,
        max(var_x / nullif(n, 0)) filter (where not is_treated and is_after) as control_after_se2
    from grouped
    group by measure_id
),

effects as (
    select
        pivoted.*,
        after_value - before_value as change,
        1.96 * sqrt(before_se2 + after_se2) as change_margin,
        (after_value - before_value) - (control_after - control_before) as did,
        1.96 * sqrt(before_se2 + after_se2 + control_before_se2 + control_after_se2) as did_margin
    from pivoted
),

final as (
    select
        measures.measure_id,
        offices.region_id,
        measures.measure_name_ru,
        measures.journey_id,
        measures.stage_id,
        measures.office_id,
        measures.touchpoint_id,
        measures.target_kpi_id as kpi_id,
        measures.start_date,
        trim_scale(round(effects.before_value, 4)) as before_value,
        trim_scale(round(effects.after_value, 4)) as after_value,
        effects.before_n::int as before_n,
        effects.after_n::int as after_n,
        trim_scale(round(effects.change, 4)) as change,
        trim_scale(round(effects.change - effects.change_margin, 4)) as change_ci_low,
        trim_scale(round(effects.change + effects.change_margin, 4)) as change_ci_high,
        trim_scale(round(effects.control_after - effects.control_before, 4)) as control_change,
        trim_scale(round(effects.did, 4)) as did,
        trim_scale(round(effects.did - effects.did_margin, 4)) as did_ci_low,
        trim_scale(round(effects.did + effects.did_margin, 4)) as did_ci_high,
        -- judged on the difference in differences when comparable offices exist, else on before/after
        coalesce(
            case
                when effects.did is not null then effects.did - effects.did_margin > 0 or effects.did + effects.did_margin < 0
                else effects.change - effects.change_margin > 0 or effects.change + effects.change_margin < 0
            end,
            false
        ) as is_significant
    from measures
    left join effects on measures.measure_id = effects.measure_id
    left join {{ ref('offices') }} as offices on measures.office_id = offices.office_id
)

select * from final
