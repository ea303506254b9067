{#-
    Pain points (болевые точки): headline KPIs that miss their norm over the published period, one
    row per miss, ranked within each region (the working group is regional) by the size of the miss
    (relative to the norm) times the clients affected.

    * A KPI measured at a touchpoint (waits, calls, the chatbot, surveys of a touchpoint) is one pain
      per touchpoint: the offices that miss are listed under it (`offices`, worst first; `office_id`
      and `value` are the worst office's, or the region's when the KPI has no office), and so are the
      journey stages where the same touchpoint misses (`places`) — never a row per office or stage.
    * A KPI of a stage (drop-off, conversion, first-contact resolution…) is one pain per journey stage.
      Inferred stages have no such KPI; a KPI that does not apply to a journey is not measured there.
    * Every pain names the unit responsible: the touchpoint's for a touchpoint pain, the stage
      owner's (journey_stages.owner_unit_ru) for a stage pain.
    * Figures about fewer than `cjw_min_cell` clients are not ranked. Which pains are quick wins is
      decided by the instruments that act on them (pain_point_instruments); the published
      pain_points carry that flag. Per-journey ranks: fct_journey_pain_points.
-#}
{{ config(pre_hook="{{ aggregate_work_mem() }}") }}
with

kpis as (
    select * from {{ ref('dim_kpis') }}
),

headline as (
    select kpi_id from {{ ref('kpi_definitions') }}
    where is_headline
),

touchpoints as (
    select * from {{ ref('dim_touchpoints') }}
),

stages as (
    select * from {{ ref('dim_journey_stages') }}
    where is_current_version
),

office_months as (
    -- the offices' months of the touchpoint KPIs (fct_touchpoint_kpis, incremental by month)
    select * from {{ ref('fct_touchpoint_kpis') }}
    where period_grain = 'month' and office_id is not null
),

journey_kpis as (
    select * from {{ ref('fct_journey_kpis') }}
    where period_grain = 'all' and journey_id is not null and stage_id is not null
),

summed_offices as (
    -- a share's or a mean's numerator and denominator (numeric) add up over the months to the
    -- whole period's exactly, and so do the observations: the published period costs a read of
    -- the month rows, not of every observation in the history
    select
        kpi_id, region_id, touchpoint_id, office_id,
        sum(numerator) / nullif(sum(denominator), 0) as value,
        sum(sample_size) as sample_size
    from office_months
    where denominator is not null
    group by kpi_id, region_id, touchpoint_id, office_id
),

median_observations as (
    -- a median does not add up over months: the observations of a headline median KPI (none in
    -- the seed today), each KPI an index range of int_kpi_observations
    select observations.*
    from {{ ref('int_kpi_observations') }} as observations
    where observations.kpi_id in (
        select office_months.kpi_id from office_months
        inner join headline on office_months.kpi_id = headline.kpi_id
        where office_months.denominator is null
    )
),

median_offices as (
    select kpi_id, region_id, touchpoint_id, office_id, {{ kpi_aggregates() }}
    from median_observations
    group by kpi_id, region_id, touchpoint_id, office_id
),

office_valued as (
    -- touchpoint KPIs of the offices (waits, calls) over the whole period
    select kpi_id, region_id, touchpoint_id, office_id, value, sample_size from summed_offices
    union all
    select kpi_id, region_id, touchpoint_id, office_id, value, sample_size
    from (
        select kpi_id, region_id, touchpoint_id, office_id, {{ kpi_value_columns() }}
        from median_offices
    ) as medians
),

touchpoint_kpis as (
    -- KPIs measured at touchpoints: those of the offices, and those placed on journey stages at a touchpoint
    select distinct kpi_id from office_months
    union
    select distinct kpi_id from journey_kpis where touchpoint_id is not null
),

gaps as (
    select
        kpis.kpi_id,
        kpis.kpi_name_ru,
        kpis.unit,
        kpis.direction,
        kpis.norm_value
    from kpis
    inner join headline on kpis.kpi_id = headline.kpi_id
),

missed_offices as (
    select
        office_valued.region_id, office_valued.kpi_id, office_valued.touchpoint_id, office_valued.office_id,
        office_valued.value, office_valued.sample_size as clients,
        {{ relative_gap('office_valued.value', 'gaps.direction', 'gaps.norm_value') }} as gap
    from office_valued
    inner join gaps on office_valued.kpi_id = gaps.kpi_id
    where office_valued.value is not null and office_valued.sample_size >= {{ var('cjw_min_cell') }}
),

missed_places as (
    -- journey stages where a touchpoint KPI (journey_kpis with a touchpoint) or a stage KPI misses
    select
        journey_kpis.region_id, journey_kpis.kpi_id, journey_kpis.touchpoint_id, journey_kpis.journey_id,
        journey_kpis.stage_id, journey_kpis.value, journey_kpis.sample_size as clients,
        {{ relative_gap('journey_kpis.value', 'gaps.direction', 'gaps.norm_value') }} as gap
    from journey_kpis
    inner join gaps on journey_kpis.kpi_id = gaps.kpi_id
    inner join stages on journey_kpis.journey_id = stages.journey_id and journey_kpis.stage_id = stages.stage_id
    where journey_kpis.value is not null and journey_kpis.sample_size >= {{ var('cjw_min_cell') }}
        and (
            journey_kpis.touchpoint_id is not null
            or journey_kpis.kpi_id not in (select kpi_id from touchpoint_kpis)
        )
),

touchpoint_pains as (
    select
        'touchpoint' as level,
        missed.region_id,
        missed.kpi_id,
        null::text as journey_id,
        null::text as stage_id,
        missed.touchpoint_id,
        sum(missed.gap * missed.clients) filter (where missed.gap > 0) as score,
        sum(missed.clients) filter (where missed.gap > 0) as clients_affected,
        jsonb_agg(
            jsonb_build_object('office_id', missed.office_id, 'value', trim_scale(round(missed.value, 6)),
                'gap', trim_scale(round(missed.gap, 4)), 'clients', missed.clients)
            order by missed.gap desc, missed.office_id
        ) filter (where missed.gap > 0 and missed.office_id is not null) as offices,
        (array_agg(missed.office_id order by missed.gap desc, missed.office_id) filter (where missed.gap > 0))[1]
            as worst_office_id,
        (array_agg(missed.value order by missed.gap desc, missed.office_id) filter (where missed.gap > 0))[1] as value,
        max(missed.gap) as gap
    from (
        select region_id, kpi_id, touchpoint_id, office_id, value, clients, gap from missed_offices
        union all
        -- a touchpoint KPI measured only on journey stages (the chatbot, surveys of a touchpoint):
        -- the places are its offices' stand-in; the region counts its clients once per place
        select region_id, kpi_id, touchpoint_id, null, value, clients, gap
        from missed_places
        where touchpoint_id is not null
            and (kpi_id, touchpoint_id) not in (select kpi_id, touchpoint_id from missed_offices)
    ) as missed
    group by missed.region_id, missed.kpi_id, missed.touchpoint_id
    having max(missed.gap) > 0
),

places as (
    select
        region_id, kpi_id, touchpoint_id,
        jsonb_agg(
            jsonb_build_object('journey_id', journey_id, 'stage_id', stage_id, 'value', trim_scale(round(value, 6)),
                'gap', trim_scale(round(gap, 4)), 'clients', clients)
            order by gap desc, journey_id, stage_id
        ) as places
    from missed_places
    where touchpoint_id is not null and gap > 0
    group by region_id, kpi_id, touchpoint_id
),

stage_pains as (
    select
        'stage' as level,
        region_id,
        kpi_id,
        journey_id,
        stage_id,
        null::text as touchpoint_id,
        gap * clients as score,
        clients as clients_affected,
        null::jsonb as offices,
        null::text as worst_office_id,
        value,
        gap
    from missed_places
    where touchpoint_id is null and gap > 0
),

unioned as (
    select
        touchpoint_pains.level, touchpoint_pains.region_id, touchpoint_pains.kpi_id, touchpoint_pains.journey_id,
        touchpoint_pains.stage_id, touchpoint_pains.touchpoint_id, touchpoint_pains.score,
        touchpoint_pains.clients_affected, touchpoint_pains.offices, touchpoint_pains.worst_office_id,
        touchpoint_pains.value, touchpoint_pains.gap, places.places,
        touchpoints.responsible_unit_ru
    from touchpoint_pains
    left join places
        on touchpoint_pains.region_id = places.region_id and touchpoint_pains.kpi_id = places.kpi_id
        and touchpoint_pains.touchpoint_id = places.touchpoint_id
    left join touchpoints on touchpoint_pains.touchpoint_id = touchpoints.touchpoint_id
    union all
    select
        stage_pains.level, stage_pains.region_id, stage_pains.kpi_id, stage_pains.journey_id, stage_pains.stage_id,
        stage_pains.touchpoint_id, stage_pains.score, stage_pains.clients_affected, stage_pains.offices,
        stage_pains.worst_office_id, stage_pains.value, stage_pains.gap,
        jsonb_build_array(jsonb_build_object('journey_id', stage_pains.journey_id, 'stage_id', stage_pains.stage_id,
            'value', trim_scale(round(stage_pains.value, 6)), 'gap', trim_scale(round(stage_pains.gap, 4)),
            'clients', stage_pains.clients_affected)),
        stages.owner_unit_ru
    from stage_pains
    inner join stages on stage_pains.journey_id = stages.journey_id and stage_pains.stage_id = stages.stage_id
),

final as (
    select
        {{ surrogate_key(['unioned.level', 'unioned.kpi_id', 'unioned.region_id', 'unioned.journey_id', 'unioned.stage_id', 'unioned.touchpoint_id']) }}
            as pain_point_id,
        row_number() over (
            partition by unioned.region_id
            order by unioned.score desc, unioned.kpi_id, unioned.journey_id, unioned.stage_id, unioned.touchpoint_id
        )::int as rank,
        unioned.level,
        unioned.kpi_id,
        gaps.kpi_name_ru,
        gaps.unit,
        gaps.direction,
        unioned.region_id,
        unioned.journey_id,
        unioned.stage_id,
        unioned.touchpoint_id,
        unioned.worst_office_id as office_id,
        trim_scale(round(unioned.value, 6)) as value,
        gaps.norm_value,
        trim_scale(round(unioned.gap, 4)) as gap,
        unioned.clients_affected::int as clients_affected,
        trim_scale(round(unioned.score, 2)) as score,
        unioned.responsible_unit_ru,
        coalesce(unioned.offices, '[]'::jsonb) as offices,
        coalesce(unioned.places, '[]'::jsonb) as places
    from unioned
    inner join gaps on unioned.kpi_id = gaps.kpi_id
)

select * from final
