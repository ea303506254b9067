"""
### ingest_call_centre — Asterisk queue_log and CRM call topics → `raw`

One run per local day (Airflow data interval). For every region with a landing folder
`<landing>/<region>/call_centre/`: reads `queue_log-YYYYMMDD` and `call_topics-YYYYMMDD.csv`,
pseudonymises caller ids (keyed HMAC, key from the `cjw_pseudonymisation` connection),
streams rows with COPY into `raw.raw_call_centre_*`, quarantines bad lines in
`raw.rejected_call_centre` with the reason, reconciles read = loaded + rejected + duplicate,
then validates the batch with the Great Expectations suites of `expectations/`.
Re-running a day replaces its batch. A validated batch updates the `raw_call_centre` Asset.
"""

from __future__ import annotations

from include.assets import RAW_CALL_CENTRE
from include.ingest_dag import build_ingest_dag

dag = build_ingest_dag("call_centre", RAW_CALL_CENTRE, doc_md=__doc__)
