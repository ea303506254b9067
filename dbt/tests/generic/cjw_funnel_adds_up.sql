{#-
    Every instance at a stage is exactly one of moved on, dropped, in progress or finished: the
    four add up to the instances that reached the stage (a funnel where clients disappear fails).
-#}
{% test cjw_funnel_adds_up(model, reached='clients_reached', states=['moved_on', 'dropped', 'in_progress', 'finished']) %}
select *
from {{ model }}
where {{ reached }} is distinct from {% for state in states %}coalesce({{ state }}, 0){% if not loop.last %} + {% endif %}{% endfor %}
{% endtest %}
