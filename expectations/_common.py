"""Expectations every raw batch shares: schema, volume, timestamps inside the interval, no PII."""

from __future__ import annotations

from datetime import timedelta

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations import BatchInfo

# A keyed hash: 64 lowercase hex digits, checked as a length and a character class — the single
# pattern ``^[0-9a-f]{64}$`` costs PostgreSQL's regex engine 8.5 s over 1.9 M hashes (a 10 M-event
# history), the two checks 1.5 s.
HEX = r"^[0-9a-f]+$"
SHA256_LENGTH = 64
# Anything that still looks like a Russian phone number in clear text (not digits inside an id or
# hash: PostgreSQL regular expressions have no look-behind, so the boundaries are groups).
CLEAR_PHONE = r"(^|[^0-9A-Za-z])(\+?[78][\s(-]*9[0-9]{2}[\s)-]*[0-9]{3}[\s-]*[0-9]{2}[\s-]*[0-9]{2})($|[^0-9A-Za-z])"
# An e-mail address in clear (URLs with search forms, free text can carry one).
CLEAR_EMAIL = r"[A-Za-z0-9._%+-]+(@|%40)[A-Za-z0-9-]+\.[A-Za-z]{2,}"
# The free-text columns of a batch (FREE_TEXT_COLUMNS of each suite module) are checked as one
# column the batch's view adds: the values joined by U+001F, which neither pattern can match across
# (it is no letter, digit, space or punctuation they allow) and which bounds a phone as the start or
# end of a value does — so the joined text matches a pattern exactly when one of the values does.
# One regular-expression pass per pattern instead of one per column and pattern: PostgreSQL's regex
# engine is most of GX's time (six queue_log columns, 6.2 M lines at 10 M events: 9.9 s → 5.4 s).
FREE_TEXT = "free_text"
# The same text where it holds ``@`` or ``%40`` (else NULL, which the check skips): CLEAR_EMAIL cannot
# match without one, and the pattern is spared most rows (0.42 → 0.21 s over 0.57 M queue_log rows).
FREE_TEXT_EMAIL = "free_text_email"
# Local days are at most a day away from the UTC interval that loads them.
SLACK = timedelta(days=2)


def new_suite(name: str, columns: list[str], batch: BatchInfo, *, max_rows: int) -> gx.ExpectationSuite:
    suite = gx.ExpectationSuite(name=f"{name}__batch_{batch.batch_id}")
    # the table's columns and the free text columns the batch's view adds (expectations.batch_query)
    suite.add_expectation(
        gxe.ExpectTableColumnsToMatchSet(column_set=[*columns, FREE_TEXT, FREE_TEXT_EMAIL], exact_match=True)
    )
    # Volume: a delivered file must bring rows; no file, no rows.
    low = 1 if batch.files_loaded else 0
    high = max_rows * max(batch.files_loaded, 1) if batch.files_loaded else 0
    suite.add_expectation(gxe.ExpectTableRowCountToBeBetween(min_value=low, max_value=high))
    return suite


def expect_in_interval(suite: gx.ExpectationSuite, column: str, batch: BatchInfo, *, mostly: float = 1.0) -> None:
    suite.add_expectation(
        gxe.ExpectColumnValuesToBeBetween(
            column=column,
            min_value=batch.interval_start - SLACK,
            max_value=batch.interval_end + SLACK,
            mostly=mostly,
        )
    )


def expect_pseudonymised(suite: gx.ExpectationSuite, hash_column: str) -> None:
    """The hash column holds keyed hashes; free text and free fields hold no phone or e-mail in clear
    (the connectors mask them: include.pseudonymise.mask_text)."""
    expect_sha256(suite, hash_column)
    expect_no_clear_contacts(suite)


def expect_no_clear_contacts(suite: gx.ExpectationSuite) -> None:
    """No phone number or e-mail address in clear in any of the module's FREE_TEXT_COLUMNS."""
    suite.add_expectation(gxe.ExpectColumnValuesToNotMatchRegex(column=FREE_TEXT, regex=CLEAR_PHONE))
    suite.add_expectation(gxe.ExpectColumnValuesToNotMatchRegex(column=FREE_TEXT_EMAIL, regex=CLEAR_EMAIL))


def expect_sha256(suite: gx.ExpectationSuite, column: str) -> None:
    """The column holds keyed hashes (SHA-256 as 64 lowercase hex digits) or nothing."""
    suite.add_expectation(gxe.ExpectColumnValueLengthsToEqual(column=column, value=SHA256_LENGTH))
    suite.add_expectation(gxe.ExpectColumnValuesToMatchRegex(column=column, regex=HEX))
