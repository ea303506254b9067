with

queues as (
    select * from {{ ref('call_queues') }}
)

select
    region_id,
    queue_name,
    office_id,
    touchpoint_id,
    queue_name_ru
from queues
