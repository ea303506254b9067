"""
### ingest_cases — ЦЗН case-management events (JSON lines) → `raw`

One run per local day (Airflow data interval). For every region with a landing folder
`<landing>/<region>/cases/`: reads `case_events-YYYYMMDD.jsonl` (schema
`include/schemas/case_event.schema.json`), checks offices, service types and client groups
against the seeds, converts times to UTC, pseudonymises SNILS, phones and individuals' INNs
(keyed HMAC, key from the `cjw_pseudonymisation` connection; a company's INN and OGRN stay clear),
streams rows with COPY into `raw.raw_cases_events`, quarantines bad lines in
`raw.rejected_cases` with the reason, reconciles read = loaded + rejected + duplicate, then
validates the batch with the Great Expectations suite of `expectations/`. Re-running a day
replaces its batch. A validated batch updates the `raw_cases` Asset.
"""

from __future__ import annotations

from include.assets import RAW_ASSETS
from include.ingest_dag import build_ingest_dag

dag = build_ingest_dag("cases", RAW_ASSETS["cases"], doc_md=__doc__)
