"""How a family is recognised in the privacy search: phone numbers, e-mail addresses and names
compared however they were typed (saas.referrals.identity)."""

from __future__ import annotations

import pytest

from saas.referrals.identity import email_key, matches, name_key, phone_digits, phone_key


@pytest.mark.parametrize(
    "written",
    ["0470123456", "0470 12 34 56", "0470/12.34.56", "+32 470 12 34 56", "0032 470 12 34 56"],
)
def test_a_belgian_mobile_number_is_one_number_however_it_is_written(written):
    assert phone_key(written) == "+32470123456"


def test_a_foreign_number_keeps_its_country_and_words_are_no_number():
    assert phone_key("+31 6 12345678") == "+31612345678"
    assert phone_key("011 12 34 56") == "+3211123456"  # a Belgian landline
    assert phone_key("Mama van Amir") is None
    assert phone_key("12") is None
    assert phone_key("an@example.org") is None


def test_part_of_a_number_is_searched_without_its_leading_zero_or_country_code():
    assert phone_digits("0470 12") == "47012"
    assert phone_digits("+32 470") == "470"
    assert phone_digits("0032 470") == "470"
    assert phone_digits("ab12") is None and phone_digits("047") is None


def test_e_mail_addresses_are_compared_without_case():
    assert email_key(" An.Peeters@Example.ORG ") == "an.peeters@example.org"
    assert email_key("not an address") is None and email_key("a@b@c") is None


def test_names_are_compared_without_case_accents_or_extra_spaces():
    assert name_key("  Ayşe   ÖZTÜRK ") == "ayse ozturk"
    assert name_key("Élodie") == "elodie"
    assert name_key("Straße") == "strasse"


def test_a_term_matches_a_record_by_number_address_or_part_of_a_name():
    assert matches("0470123456", "Mama van Amir", "0470 12 34 56")
    assert matches("+32470123456", "Mama van Amir", "0470/12.34.56")
    assert matches("0470 12", "Mama van Amir", "+32 470 12 34 56")
    assert matches("an@example.org", "Gezin An", "AN@Example.org")
    assert matches("amir", "Mama van Âmir", "")
    assert not matches("0470123457", "Mama van Amir", "0470 12 34 56")
    assert not matches("lina", "Mama van Amir", "0470 12 34 56")
