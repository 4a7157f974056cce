"""`parse_email` answers for plain addresses without importing email_validator (issue 12),
and its answer is always email_validator's."""

from __future__ import annotations

import subprocess
import sys

import email_validator
import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline.core.cells import SPECIAL_USE_DOMAINS, _plainly_valid, parse_email
from pipeline.errors import CellError


def accepted(address: str) -> bool:
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
local_parts = st.text(LETTERS + "._%+-", min_size=1, max_size=70)
labels = st.text(LETTERS + "-", min_size=1, max_size=66)
top_levels = st.one_of(
    st.text(LETTERS, min_size=1, max_size=8),
    st.sampled_from([*SPECIAL_USE_DOMAINS, "TEST", "Local", "org", "nl", "xn--p1ai", "c0m"]),
)
addresses = st.builds(
    lambda local, hosts, top: f"{local}@{'.'.join([*hosts, top])}",
    local_parts,
    st.lists(labels, min_size=0, max_size=4),
    top_levels,
)


@settings(max_examples=2000)
@given(addresses)
@example("anna.jansen@zorg.example.org")
@example("TOM.HENDRIKS@DELINDE.EXAMPLE.ORG")
@example("a@b.c")
@example("a@" + "b" * 63 + ".org")
@example("a@" + "b" * 64 + ".org")
@example("a@ab--c.org")
@example("a@b.test")
@example("a..b@c.org")
@example(".a@c.org")
@example("a@-b.org")
@example("a@b.123")
def test_an_address_taken_as_plainly_valid_is_valid(address: str) -> None:
    if _plainly_valid(address):
        assert accepted(address)


@settings(max_examples=1000)
@given(st.text().filter(lambda text: "@" not in text))
def test_text_without_an_at_sign_is_invalid(text: str) -> None:
    assert (_plainly_valid(text), accepted(text)) == (False, False)


@settings(max_examples=1000)
@given(st.text())
def test_text_ending_in_an_at_sign_is_invalid(text: str) -> None:
    assert (_plainly_valid(text + "@"), accepted(text + "@")) == (False, False)


@given(st.text())
def test_any_text_is_valid_exactly_when_email_validator_says_so(text: str) -> None:
    plainly = _plainly_valid(text)
    if plainly is not None:
        assert plainly == accepted(text)


def test_the_special_use_domains_are_email_validators() -> None:
    assert list(SPECIAL_USE_DOMAINS) == email_validator.SPECIAL_USE_DOMAIN_NAMES


@pytest.mark.parametrize(
    ("address", "valid"),
    [("anna@zorg.example.org", True), ("anna@", False), ("anna", False), ("anna@x.test", False)],
)
def test_parse_email_agrees(address: str, valid: bool) -> None:
    if valid:
        assert parse_email(address) == address
    else:
        with pytest.raises(CellError):
            parse_email(address)


def test_plain_addresses_and_plain_mistakes_do_not_import_email_validator() -> None:
    script = (
        "import sys\n"
        "from pipeline.core.cells import parse_email\n"
        "from pipeline.errors import CellError\n"
        "parse_email('Anna.Jansen@Zorg.Example.org')\n"
        "for bad in ('j.devries@', 'nobody'):\n"
        "    try:\n"
        "        parse_email(bad)\n"
        "    except CellError:\n"
        "        pass\n"
        "print('email_validator' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout == "False\n"
