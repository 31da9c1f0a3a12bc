"""The platform admin closes a network (after a second step that says what will happen) or
reopens it during the grace period (saas.portability.offboarding)."""

from __future__ import annotations

from flask import current_app, flash, redirect, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from blueprints import confirm
from blueprints.admin.blueprint import bp
from blueprints.loading import found_or_404
from saas.extensions import db
from saas.models_base import utcnow
from saas.portability import offboarding
from tenants.models import Network

# The admin's routes name a network by id: explicitly cross-network, the admin's own path.


def _network(network_id: int) -> Network:
    return found_or_404(db.session.get(Network, network_id))


@bp.route("/networks/<int:network_id>/close", methods=["GET", "POST"])
def close_network(network_id: int):
    network = _network(network_id)
    back = url_for("admin.networks")
    if network.is_closed or not network.is_active:
        flash(_("%(name)s is already closed.", name=network.name), "info")
        return redirect(back)
    if offboarding.open_networks() <= 1:
        flash(
            _(
                "%(name)s is the last open network of the platform: it cannot be closed.",
                name=network.name,
            ),
            "warning",
        )
        return redirect(back)
    days = current_app.config["NETWORK_DELETION_GRACE_DAYS"]
    page = confirm.ask(
        confirm.Confirmation(
            action="network.close",
            title=_("Close %(name)s?", name=network.name),
            button=_("Close %(name)s", name=network.name),
            back=back,
            rows=[network],
            heading=f"/{network.slug}/",
            lost=[
                _("At once, the network becomes read-only: nobody can change anything in it."),
                _("Its pages for families answer that the network is no longer on Dorp."),
                _(
                    "After %(days)d days, on %(day)s, every row of the network is deleted for "
                    "good: partners, people's roles, activities, referrals, rosters, figures.",
                    days=days,
                    day=format_date(utcnow().date() + offboarding.grace(), "long"),
                ),
            ],
            kept=[
                _("A final export is prepared, and its stewards get a download link by e-mail."),
                _("People's accounts stay (they may work in other networks)."),
            ],
            undo=_("Until the data is deleted, you can reopen the network on this page."),
        )
    )
    if page is not None:
        return page
    try:
        queued = offboarding.close(network, by=current_user)
    except offboarding.OffboardingError as exc:
        db.session.rollback()
        flash(str(exc), "warning")
        return redirect(back)
    flash(
        _(
            "%(name)s is closed and read-only. Its data will be deleted on %(day)s.",
            name=network.name,
            day=format_date(network.delete_after, "long"),
        ),
        "success",
    )
    if not queued:
        flash(_("An export was already being prepared; its link goes to whoever asked."), "info")
    return redirect(back)


@bp.route("/networks/<int:network_id>/reopen", methods=["POST"])
def reopen_network(network_id: int):
    network = _network(network_id)
    if FlaskForm().validate_on_submit():
        try:
            offboarding.reopen(network)
        except offboarding.OffboardingError as exc:
            flash(str(exc), "warning")
        else:
            flash(_("%(name)s is open again.", name=network.name), "success")
    return redirect(url_for("admin.networks"))
