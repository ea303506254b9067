with

touchpoints as (
    select * from {{ ref('touchpoints') }}
)

select
    touchpoint_id,
    channel,
    touchpoint_name_ru,
    responsible_unit_ru,
    tools_ru
from touchpoints
