"""
### ingest_office_visits — ЦЗН electronic queue exports → `raw`

One run per local day (Airflow data interval). For every region with a landing folder
`<landing>/<region>/office_visits/<office>/`: reads `eq_<office>_YYYYMMDD.csv` (UTF-8 `,` or
Windows-1251 `;`), converts office local time to UTC, pseudonymises phones of pre-booked
clients, streams rows with COPY into `raw.raw_office_visits_tickets`, quarantines bad rows in
`raw.rejected_office_visits` with the reason, reconciles read = loaded + rejected + duplicate,
then validates the batch with the Great Expectations suite of `expectations/`.
Re-running a day replaces its batch. A validated batch updates the `raw_office_visits` Asset.
"""

from __future__ import annotations

from include.assets import RAW_OFFICE_VISITS
from include.ingest_dag import build_ingest_dag

dag = build_ingest_dag("office_visits", RAW_OFFICE_VISITS, doc_md=__doc__)
