"""A steward exports her network's data from her phone (issue #22.4), in a real browser.

Hilde opens the export page at 375 px, ticks the families' data, reads on the second step what
the file will hold and confirms; the page says the export is being prepared and shows its
progress. When the job has run, the e-mail's link and the page's own link download a ZIP whose
manifest names her network and says the families' data is in it. Every page passes axe-core and
none scrolls sideways. Skipped when Chromium is missing, unless DORP_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import json
import re
import zipfile

import pytest

from tests.browser_support import AxeAudit, require_chromium

require_chromium()

from playwright.sync_api import expect  # noqa: E402

from tenants.models import Role  # noqa: E402
from tests import factories as f  # noqa: E402
from tests.browser_fixtures import Live  # noqa: E402  (fixtures: conftest plugin)
from tests.mail import messages  # noqa: E402

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 720}


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} scrolls sideways ({width} px)"


def test_a_steward_exports_the_network_with_the_families_data_from_her_phone(
    app, live: Live, new_page, run_jobs, environ, tmp_path
):
    t = live.t
    net = f.network(app, "beringen")
    f.partner(app, net, "CAW Limburg")
    hilde = f.user(app, "hilde@beringen.example", (net, Role.STEWARD), name="Hilde")
    axe = AxeAudit()
    page = new_page(viewport=PHONE, is_mobile=True)
    page.goto(live.url + "/auth/login")
    page.get_by_label(t("E-mail address"), exact=True).fill(hilde.email)
    page.get_by_label(t("Password"), exact=True).fill(f.PASSWORD)
    page.locator("main").get_by_role("button", name=t("Log in"), exact=True).click()
    expect(page.get_by_role("button", name=t("Log out"), exact=True)).to_be_visible()

    page.goto(live.url + "/beringen/network/export")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Export the network's data"))
    expect(page.locator("main")).to_contain_text(t("No export has been made yet."))
    _fits(page)
    axe.check(page, "export page")

    page.get_by_label(t("Include the families' data of the referrals"), exact=True).check()
    page.get_by_role("button", name=t("Prepare an export"), exact=True).click()
    # the second step says what the file will hold before anything is made
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Export the families' data too?"))
    expect(page.locator("#confirm-lost li")).to_have_count(2)
    expect(page.locator("#confirm-lost")).to_contain_text(
        t(
            "Whoever gets hold of the file can read it: keep it on a protected device and "
            "delete it when it is no longer needed."
        )
    )
    _fits(page)
    axe.check(page, "export: confirm the families' data")
    page.get_by_role("button", name=t("Export with the families' data"), exact=True).click()

    expect(page.get_by_role("heading", name=t("Export in progress"))).to_be_visible()
    expect(page.get_by_role("progressbar")).to_be_visible()
    _fits(page)
    axe.check(page, "export in progress")

    run_jobs()  # the page fetches its progress every 5 s (static/progress.js), loads when done
    expect(page.get_by_role("heading", name=t("Export in progress"))).to_have_count(0)

    (mail,) = [m for m in messages(environ) if m["To"] == hilde.email]
    body = mail.get_body(preferencelist=("plain",)).get_content()
    (link,) = re.findall(r"https?://\S+(/beringen/network/export/download/\S+)", body)

    row = page.locator("#exports li").first
    expect(row).to_contain_text(t("included"))
    _fits(page)
    axe.check(page, "export ready")
    download_link = row.get_by_role("link", name=t("Download"), exact=True)
    box = download_link.bounding_box()  # on the screen, not in a table scrolled out of sight
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    by_mail = page.request.get(live.url + link)  # the e-mail's link, with Hilde's cookies
    assert by_mail.status == 200 and by_mail.headers["content-type"] == "application/zip"
    with page.expect_download() as download:
        download_link.click()
    saved = tmp_path / "export.zip"
    download.value.save_as(saved)
    assert download.value.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(saved) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read(next(n for n in names if n.endswith("manifest.json"))))
    assert manifest["network"]["slug"] == "beringen"
    assert manifest["with_families"] is True
    assert any("partners" in n for n in names)
    assert not axe.problems, axe.report()
