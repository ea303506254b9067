"""One module per page of the site, each turning the marts into what its template lays out:
``overview`` (``index.html``), ``kpi`` (``kpi.html``), ``journeys`` (``journeys/``), ``staff``
(``staff.html``) and ``modelling`` (``modelling.html``). Pages do not import each other: what
several pages share is in :mod:`include.report.common`; ``render`` puts the pages together.
"""
