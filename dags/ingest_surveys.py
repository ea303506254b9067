"""
### ingest_surveys — feedback survey responses (CSV or JSON lines) → `raw`

One run per local day (Airflow data interval). For every region with a landing folder
`<landing>/<region>/surveys/`: reads `survey_responses-YYYYMMDD.csv` (UTF-8 `,` or
Windows-1251 `;`) and `survey_responses-YYYYMMDD.jsonl` (schema
`include/schemas/survey_response.schema.json`), checks score ranges, channels, touchpoints and
offices, converts times to UTC, masks phones, SNILS and e-mails inside comments, pseudonymises
phones and ESIA ids (keyed HMAC, key from the `cjw_pseudonymisation` connection), streams rows
with COPY into `raw.raw_surveys_responses`, quarantines bad rows in `raw.rejected_surveys` with
the reason, reconciles read = loaded + rejected + duplicate, then validates the batch with the
Great Expectations suite of `expectations/`. Re-running a day replaces its batch. A validated
batch updates the `raw_surveys` Asset.
"""

from __future__ import annotations

from include.assets import RAW_ASSETS
from include.ingest_dag import build_ingest_dag

dag = build_ingest_dag("surveys", RAW_ASSETS["surveys"], doc_md=__doc__)
