with

offices as (
    select * from {{ ref('offices') }}
),

regions as (
    select * from {{ ref('regions') }}
),

final as (
    select
        offices.office_id,
        offices.region_id,
        regions.region_name_ru,
        offices.office_name_ru,
        offices.timezone,
        offices.windows
    from offices
    inner join regions on offices.region_id = regions.region_id
)

select * from final
