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


def test_the_stylesheet_links_are_built_for_each_script_root(app):
    from saas.urls import stylesheets

    for root in ("", "/dorp", ""):
        with app.test_request_context("/", base_url=f"http://localhost{root}"):
            links = str(stylesheets())
            assert f'href="{url_for("static", filename="dorp.css")}"' in links
            assert url_for("bootstrap.static", filename="css/bootstrap.min.css") in links
            assert links.count(f'href="{root}/') == 2


def test_a_page_under_a_script_root_links_its_own_stylesheets(client):
    page = client.get("/", environ_overrides={"SCRIPT_NAME": "/dorp"})
    assert page.status_code == 200
    assert 'href="/dorp/static/dorp.css"' in page.text
    assert 'href="/dorp/bootstrap/static/css/bootstrap.min.css"' in page.text


def test_links_inside_a_network_keep_its_slug_and_others_get_none(make_app):
    from flask import g

    from tenants.models import Network

    probe = make_app()

    @probe.route("/<slug>/probe-links")
    def probe_links():
        return "ok"

    with probe.test_request_context("/"):
        g.network = Network(id=1, slug="beringen", name="Beringen")
        assert url_for("catalogue.index") == "/beringen/catalogue/"
        assert url_for("probe_links") == "/beringen/probe-links"  # a route added after setup
        assert url_for("site.home") == "/"
        assert url_for("catalogue.index", slug="sint-truiden") == "/sint-truiden/catalogue/"
