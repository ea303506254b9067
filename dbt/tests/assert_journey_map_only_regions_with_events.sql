{#-
    The journey map has rows for regions with events only: a region of the seeds that has loaded
    nothing yet would show every stage with zero clients, which a BI tool reads as measured.
    Rows returned = a region of the map without a touchpoint event.
-#}
select distinct map.region_id
from {{ ref('journey_map') }} as map
where not exists (
    select 1 from {{ ref('int_touchpoint_events') }} as events
    where events.region_id = map.region_id
)
