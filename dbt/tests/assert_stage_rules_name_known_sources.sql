{#-
    Every rule of the event → stage map names a source that has touchpoint events (the `sources`
    seed, so a new source needs no edit here), `journey` (rules over other rules' stages) or
    `call_centre_agents` (the operators' events of the staff journey).
    Rows returned = rules naming an unknown source.
-#}
select rules.rule_id, rules.source
from {{ ref('event_stage_map') }} as rules
left join {{ ref('sources') }} as sources
    on rules.source = sources.source_id and sources.has_touchpoint_events
where sources.source_id is null
    and rules.source not in ('journey', 'call_centre_agents')
