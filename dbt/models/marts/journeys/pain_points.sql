{#-
    Pain points (болевые точки): every headline KPI of a touchpoint (per office) or of a journey
    stage that misses its norm over the published period, ranked within each region (the
    working group is regional) by the size of the miss
    (relative to the norm) times the clients affected. A touchpoint owned by one unit is a
    "quick win": that unit can fix it without waiting for others. Figures about fewer than
    `cjw_min_cell` clients are not ranked.
-#}
with

kpis as (
    select * from {{ ref('dim_kpis') }}
),

headline as (
    select kpi_id from {{ ref('kpi_definitions') }} where is_headline
),

touchpoints as (
    select * from {{ ref('dim_touchpoints') }}
),

touchpoint_observations as (
    select * from {{ ref('int_kpi_observations') }}
),

journey_kpis as (
    select * from {{ ref('fct_journey_kpis') }}
    where period_grain = 'all' and journey_id is not null and stage_id is not null
),

touchpoint_level as (
    select
        'touchpoint' as level,
        kpi_id,
        region_id,
        null::text as journey_id,
        null::text as stage_id,
        touchpoint_id,
        office_id,
        {{ kpi_aggregates() }}
    from touchpoint_observations
    group by kpi_id, region_id, touchpoint_id, office_id
),

touchpoint_values as (
    select
        level, kpi_id, region_id, journey_id, stage_id, touchpoint_id, office_id,
        {{ kpi_value_columns() }}
    from touchpoint_level
),

candidates as (
    select level, kpi_id, region_id, journey_id, stage_id, touchpoint_id, office_id, value, sample_size as clients
    from touchpoint_values
    union all
    select
        case when touchpoint_id is null then 'stage' else 'touchpoint' end,
        kpi_id, region_id, journey_id, stage_id, touchpoint_id, null::text, value, sample_size
    from journey_kpis
    -- a KPI measured at touchpoints is ranked there; its stage total would count the same pain twice
    where touchpoint_id is not null
        or kpi_id not in (select kpi_id from journey_kpis where touchpoint_id is not null)
),

missed as (
    select
        candidates.*,
        kpis.kpi_name_ru,
        kpis.unit,
        kpis.direction,
        kpis.norm_value,
        case
            when kpis.direction = 'higher_is_better' then (kpis.norm_value - candidates.value) / nullif(abs(kpis.norm_value), 0)
            else (candidates.value - kpis.norm_value) / nullif(abs(kpis.norm_value), 0)
        end as gap
    from candidates
    inner join kpis on candidates.kpi_id = kpis.kpi_id
    inner join headline on candidates.kpi_id = headline.kpi_id
    where candidates.value is not null and candidates.clients >= {{ var('cjw_min_cell') }}
),

scored as (
    select
        missed.*,
        touchpoints.responsible_unit_ru,
        missed.gap * missed.clients as score
    from missed
    left join touchpoints on missed.touchpoint_id = touchpoints.touchpoint_id
    where missed.gap > 0
),

final as (
    select
        {{ surrogate_key(['level', 'kpi_id', 'region_id', 'journey_id', 'stage_id', 'touchpoint_id', 'office_id']) }}
            as pain_point_id,
        row_number() over (
            partition by region_id order by score desc, kpi_id, journey_id, stage_id, touchpoint_id, office_id
        )::int as rank,
        level,
        kpi_id,
        kpi_name_ru,
        unit,
        direction,
        region_id,
        journey_id,
        stage_id,
        touchpoint_id,
        office_id,
        trim_scale(round(value, 6)) as value,
        norm_value,
        trim_scale(round(gap, 4)) as gap,
        clients::int as clients_affected,
        trim_scale(round(score, 2)) as score,
        coalesce(touchpoint_id is not null and responsible_unit_ru is not null and responsible_unit_ru not like '%;%', false)
            as is_quick_win,
        responsible_unit_ru
    from scored
)

select * from final
