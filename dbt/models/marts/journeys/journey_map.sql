{#-
    The journey map (CJM) grid: one row per region × journey × stage with every cell of the template
    filled from data — the stage goal, touchpoints with their owners and tools, how many clients
    got here and went on, KPI values against norms, what clients said (themes and quotes of the
    survey comments linked to the stage), pain points and improvement measures. Cells are JSON
    so a page or a BI tool can lay them out. Regions of the seeds without any event yet have no
    rows: their zero counts would read as measured.
-#}
with

regions as (
    select region_id from ({{ region_data_bounds() }}) as bounds
    where data_end_at is not null
),

stages as (
    select regions.region_id, stages.*
    from {{ ref('dim_journey_stages') }} as stages
    cross join regions
    where stages.is_current_version
),

rules as (
    select distinct journey_id, stage_id, touchpoint_id from {{ ref('event_stage_map') }}
    where touchpoint_id is not null
),

instance_events as (
    select * from {{ ref('int_journey_instance_events') }}
),

touchpoints as (
    select * from {{ ref('dim_touchpoints') }}
),

funnel as (
    select * from {{ ref('fct_stage_funnel') }}
),

journey_kpis as (
    select * from {{ ref('fct_journey_kpis') }}
    where period_grain = 'all' and journey_id is not null and stage_id is not null
),

kpis as (
    select * from {{ ref('dim_kpis') }}
),

surveys as (
    select * from {{ ref('int_journey_survey_links') }}
    where journey_id is not null
),

themes as (
    select * from {{ ref('comment_themes') }}
),

pains as (
    -- the pains of each stage, ranked within the journey (a touchpoint pain at every stage it misses)
    select
        journey_pains.region_id,
        journey_pains.journey_id,
        stage.value #>> '{}' as stage_id,
        pain_points.pain_point_id,
        pain_points.kpi_id,
        pain_points.touchpoint_id,
        journey_pains.rank_in_journey as rank,
        pain_points.rank as region_rank,
        pain_points.gap,
        pain_points.is_quick_win
    from {{ ref('fct_journey_pain_points') }} as journey_pains
    inner join {{ ref('pain_points') }} as pain_points on journey_pains.pain_point_id = pain_points.pain_point_id
    cross join lateral jsonb_array_elements(journey_pains.stage_ids) as stage (value)
),

measures as (
    select * from {{ ref('improvement_measures') }}
),

stage_touchpoints as (
    select region_id, journey_id, stage_id, touchpoint_id, count(distinct event_id) as events
    from instance_events
    group by region_id, journey_id, stage_id, touchpoint_id
),

rules_by_region as (
    select regions.region_id, rules.*
    from rules
    cross join regions
),

touchpoint_cells as (
    select
        coalesce(rules.region_id, stage_touchpoints.region_id) as region_id,
        coalesce(rules.journey_id, stage_touchpoints.journey_id) as journey_id,
        coalesce(rules.stage_id, stage_touchpoints.stage_id) as stage_id,
        jsonb_agg(
            jsonb_build_object(
                'touchpoint_id', touchpoints.touchpoint_id,
                'touchpoint_name_ru', touchpoints.touchpoint_name_ru,
                'responsible_unit_ru', touchpoints.responsible_unit_ru,
                'tools_ru', touchpoints.tools_ru,
                'channel', touchpoints.channel,
                'events', coalesce(stage_touchpoints.events, 0)
            ) order by coalesce(stage_touchpoints.events, 0) desc, touchpoints.touchpoint_id
        ) as touchpoints,
        string_agg(distinct touchpoints.tools_ru, '; ') as tools_ru
    from rules_by_region as rules
    full outer join stage_touchpoints
        on rules.region_id = stage_touchpoints.region_id
        and rules.journey_id = stage_touchpoints.journey_id
        and rules.stage_id = stage_touchpoints.stage_id
        and rules.touchpoint_id = stage_touchpoints.touchpoint_id
    inner join touchpoints on touchpoints.touchpoint_id = coalesce(rules.touchpoint_id, stage_touchpoints.touchpoint_id)
    group by 1, 2, 3
),

kpi_cells as (
    select
        journey_kpis.region_id,
        journey_kpis.journey_id,
        journey_kpis.stage_id,
        jsonb_agg(
            jsonb_build_object(
                'kpi_id', journey_kpis.kpi_id,
                'kpi_name_ru', kpis.kpi_name_ru,
                'unit', kpis.unit,
                'direction', kpis.direction,
                'value', journey_kpis.value,
                'norm_value', journey_kpis.norm_value,
                'status', journey_kpis.status,
                'sample_size', journey_kpis.sample_size,
                'touchpoint_id', journey_kpis.touchpoint_id
            ) order by kpis.expectation_group_order, journey_kpis.kpi_id, journey_kpis.touchpoint_id nulls first
        ) as kpis
    from journey_kpis
    inner join kpis on journey_kpis.kpi_id = kpis.kpi_id
    group by journey_kpis.region_id, journey_kpis.journey_id, journey_kpis.stage_id
),

comments as (
    select
        surveys.region_id,
        surveys.journey_id,
        surveys.stage_id,
        surveys.response_id,
        regexp_replace(surveys.comment_scrubbed, '<(phone|snils|email|inn|esia)[^>]*>', '[скрыто]', 'g') as quote
    from surveys
    where surveys.comment_scrubbed is not null and length(trim(surveys.comment_scrubbed)) > 0
),

comment_themes as (
    select comments.region_id, comments.journey_id, comments.stage_id, themes.theme, themes.theme_name_ru, comments.response_id, comments.quote
    from comments
    inner join themes on {{ fold_case('comments.quote') }} ~* themes.pattern
),

theme_counts as (
    select region_id, journey_id, stage_id, theme, max(theme_name_ru) as theme_name_ru,
        count(distinct response_id) as mentions
    from comment_themes
    group by region_id, journey_id, stage_id, theme
),

top_theme as (
    select distinct on (region_id, journey_id, stage_id) region_id, journey_id, stage_id, theme
    from theme_counts
    order by region_id, journey_id, stage_id, mentions desc, theme
),

quotes as (
    -- up to three comments on the most frequent theme, of readable length
    select region_id, journey_id, stage_id, jsonb_agg(quote order by abs(length(quote) - 90), response_id) as quotes
    from (
        select
            comment_themes.*,
            row_number() over (
                partition by comment_themes.region_id, comment_themes.journey_id, comment_themes.stage_id
                order by abs(length(comment_themes.quote) - 90), comment_themes.response_id
            ) as n
        from comment_themes
        inner join top_theme using (region_id, journey_id, stage_id, theme)
    ) as ranked
    where n <= 3
    group by region_id, journey_id, stage_id
),

scores as (
    select
        region_id,
        journey_id,
        stage_id,
        count(*) as responses,
        round(avg(case when csat >= 4 then 1.0 when csat is not null then 0.0 end), 4) as csat,
        round(avg(ces), 2) as ces,
        round(100.0 * avg(case when nps >= 9 then 1 when nps <= 6 then -1 when nps is not null then 0 end), 1) as nps
    from surveys
    group by region_id, journey_id, stage_id
),

feedback_cells as (
    select
        scores.region_id,
        scores.journey_id,
        scores.stage_id,
        jsonb_build_object(
            'responses', scores.responses,
            'csat', scores.csat,
            'ces', scores.ces,
            'nps', scores.nps,
            'themes', coalesce((
                select jsonb_agg(jsonb_build_object('theme', t.theme, 'theme_name_ru', t.theme_name_ru, 'mentions', t.mentions)
                    order by t.mentions desc, t.theme)
                from theme_counts as t
                where t.region_id = scores.region_id and t.journey_id = scores.journey_id and t.stage_id = scores.stage_id
            ), '[]'::jsonb),
            'quotes', coalesce(quotes.quotes, '[]'::jsonb)
        ) as feedback
    from scores
    left join quotes
        on scores.region_id = quotes.region_id and scores.journey_id = quotes.journey_id and scores.stage_id = quotes.stage_id
),

pain_cells as (
    select
        region_id,
        journey_id,
        stage_id,
        jsonb_agg(
            jsonb_build_object(
                'pain_point_id', pain_point_id, 'kpi_id', kpi_id, 'touchpoint_id', touchpoint_id,
                'rank', rank, 'region_rank', region_rank, 'gap', gap, 'is_quick_win', is_quick_win
            ) order by rank
        ) as pain_points
    from pains
    group by region_id, journey_id, stage_id
),

measure_cells as (
    select
        offices.region_id,
        measures.journey_id,
        measures.stage_id,
        jsonb_agg(
            jsonb_build_object(
                'measure_id', measures.measure_id, 'measure_name_ru', measures.measure_name_ru,
                'office_id', measures.office_id, 'start_date', measures.start_date, 'kpi_id', measures.target_kpi_id
            ) order by measures.start_date, measures.measure_id
        ) as measures
    from measures
    inner join {{ ref('offices') }} as offices on measures.office_id = offices.office_id
    group by offices.region_id, measures.journey_id, measures.stage_id
),

final as (
    select
        stages.region_id,
        stages.journey_id,
        stages.stage_id,
        stages.stage_order,
        stages.stage_name_ru,
        stages.stage_goal_ru,
        stages.is_inside_czn,
        coalesce(touchpoint_cells.touchpoints, '[]'::jsonb) as touchpoints,
        touchpoint_cells.tools_ru,
        stages.entry = 'inferred' as is_inferred,
        stages.is_terminal,
        stages.owner_unit_ru,
        coalesce(funnel.clients_reached, 0) as clients_reached,
        funnel.clients_next,
        coalesce(funnel.moved_on, 0) as moved_on,
        coalesce(funnel.dropped, 0) as dropped,
        coalesce(funnel.in_progress, 0) as in_progress,
        coalesce(funnel.finished, 0) as finished,
        funnel.conversion_to_next,
        funnel.drop_off_share,
        funnel.median_days_to_next,
        funnel.p75_days_to_next,
        funnel.p90_days_to_next,
        coalesce(kpi_cells.kpis, '[]'::jsonb) as kpis,
        coalesce(
            feedback_cells.feedback,
            jsonb_build_object('responses', 0, 'csat', null, 'ces', null, 'nps', null, 'themes', '[]'::jsonb, 'quotes', '[]'::jsonb)
        ) as feedback,
        coalesce(pain_cells.pain_points, '[]'::jsonb) as pain_points,
        coalesce(measure_cells.measures, '[]'::jsonb) as measures
    from stages
    left join touchpoint_cells
        on stages.region_id = touchpoint_cells.region_id and stages.journey_id = touchpoint_cells.journey_id
        and stages.stage_id = touchpoint_cells.stage_id
    left join funnel
        on stages.region_id = funnel.region_id and stages.journey_id = funnel.journey_id
        and stages.version = funnel.version and stages.stage_id = funnel.stage_id
    left join kpi_cells
        on stages.region_id = kpi_cells.region_id and stages.journey_id = kpi_cells.journey_id
        and stages.stage_id = kpi_cells.stage_id
    left join feedback_cells
        on stages.region_id = feedback_cells.region_id and stages.journey_id = feedback_cells.journey_id
        and stages.stage_id = feedback_cells.stage_id
    left join pain_cells
        on stages.region_id = pain_cells.region_id and stages.journey_id = pain_cells.journey_id
        and stages.stage_id = pain_cells.stage_id
    left join measure_cells
        on stages.region_id = measure_cells.region_id and stages.journey_id = measure_cells.journey_id
        and stages.stage_id = measure_cells.stage_id
)

select * from final
