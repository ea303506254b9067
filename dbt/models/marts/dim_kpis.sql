with

kpis as (
    select * from {{ ref('kpi_definitions') }}
),

groups as (
    select * from {{ ref('expectation_groups') }}
),

final as (
    select
        kpis.kpi_id,
        kpis.kpi_name_ru,
        kpis.expectation_group,
        groups.expectation_group_name_ru,
        groups.sort_order as expectation_group_order,
        kpis.unit,
        kpis.direction,
        kpis.threshold_value,
        kpis.threshold_unit,
        kpis.norm_value,
        coalesce(kpis.amber_band, 0.1) as amber_band,
        kpis.norm_label,
        kpis.norm_source_ru,
        kpis.formula_ru
    from kpis
    inner join groups on kpis.expectation_group = groups.expectation_group
)

select * from final
