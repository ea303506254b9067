{#- Journey instances for BI: pseudonymous client, journey, how far they got, how it ended. -#}
select
    journey_instance_id,
    client_id,
    region_id,
    journey_id,
    version,
    started_at,
    last_event_at,
    furthest_stage_id,
    furthest_stage_order,
    final_stage_order,
    events,
    contacts,
    office_visits,
    channels,
    outcome,
    started_before_data
from {{ ref('int_journey_instances') }}
