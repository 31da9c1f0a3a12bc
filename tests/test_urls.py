"""saas.urls.url_for_each: one URL built per list, the same links as url_for's."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from flask import url_for

from saas.urls import MAX_ID, url_for_each


def test_each_link_is_the_one_url_for_builds(app):
    with app.test_request_context("/"):
        detail = url_for_each("referrals.detail", "referral_id", slug="beringen")
        for referral_id in (1, 42, MAX_ID - 1):
            assert detail(referral_id) == url_for(
                "referrals.detail", slug="beringen", referral_id=referral_id
            )
        by_status = url_for_each("referrals.index", "status", slug="beringen", box="in")
        assert by_status("sent") == url_for(
            "referrals.index", slug="beringen", box="in", status="sent"
        )


def test_a_text_value_is_percent_encoded_and_reads_back_the_same(app):
    with app.test_request_context("/"):
        link = url_for_each("referrals.index", "status", slug="beringen")
        odd = "a b&c=d/é?#"
        assert parse_qs(urlsplit(link(odd)).query)["status"] == [odd]
        assert "#" not in link(odd) and " " not in link(odd)


def test_a_stand_in_that_appears_twice_falls_back_to_url_for(app):
    with app.test_request_context("/"):
        both = url_for_each("referrals.index", "status", slug="beringen", box=str(MAX_ID))
        assert both("open") == url_for(
            "referrals.index", slug="beringen", box=str(MAX_ID), status="open"
        )
