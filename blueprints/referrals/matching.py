"""Suggestions for a referral: start the matching job, then show its results.

POST /<slug>/referrals/<id>/match      starts the job (sender or receiver only), back to the page
GET  /<slug>/referrals/<id>/matches    the results: a whole page without JavaScript, the fragment
                                       the page's script swaps in (?fragment=1), or JSON
                                       (?format=json)
"""

from __future__ import annotations

import logging

from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from redis.exceptions import RedisError

from blueprints.auth.forms import ConfirmForm
from blueprints.referrals.blueprint import bp
from blueprints.referrals.views import REFERRERS, _referral_or_404
from saas.audit.services import record
from saas.matching import services as matching
from tenants.access import roles_required

log = logging.getLogger(__name__)


@bp.route("/<int:referral_id>/match", methods=["POST"])
@roles_required(*REFERRERS)
def start_matching(referral_id: int):
    """Start the job. A browser form is sent back to the referral page; the page's script
    (X-Requested-With: fetch) gets 202 and starts asking for the results itself."""
    referral, _who, _partner_id = _referral_or_404(referral_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    by_script = request.headers.get("X-Requested-With") == "fetch"
    back = url_for("referrals.detail", referral_id=referral.id, matching=1, _anchor="matches")

    def refused(message: str, category: str, status: int):
        if by_script:
            return jsonify({"state": "none", "error": message}), status
        flash(message, category)
        return redirect(back)

    if not matching.can_match(referral):
        return refused(
            _("Suggestions are only possible while the referral is open."), "warning", 409
        )
    try:
        matching.request_matching(g.network.id, referral)
    except RedisError as exc:  # Redis unreachable: nothing is lost, the person can try again
        log.warning("matching: could not start for referral %s: %s", referral.id, exc)
        return refused(
            _("Looking for suggestions is not possible right now. Try again later."),
            "danger",
            503,
        )
    record("referral.matching_started", referral)
    if by_script:
        return jsonify({"state": "running"}), 202
    return redirect(back)


@bp.route("/<int:referral_id>/matches")
@roles_required(*REFERRERS)
def matches(referral_id: int):
    referral, who, _partner_id = _referral_or_404(referral_id)
    state = (
        matching.load(g.network.id, referral.id)
        if matching.can_match(referral)
        else matching.MatchState("none")
    )
    rows = matching.shown(referral, state.suggestions) if state.done else []
    if state.done:  # the suggestions are worded from the family's question: a read
        record("referral.matches_viewed", referral)
    if request.args.get("format") == "json":
        return jsonify(
            {
                "state": state.state,
                "computed_at": state.computed_at or None,
                "suggestions": [_suggestion(row) for row in rows],
            }
        )
    context = {
        "referral": referral,
        "who": who,
        "state": state,
        "rows": rows,
        "can_match": matching.can_match(referral),
        "confirm": ConfirmForm(),
    }
    if request.args.get("fragment"):
        return render_template("referrals/_matches.html", **context)
    return render_template("referrals/matches.html", **context)


def _suggestion(row) -> dict:
    """One suggestion as the page's script reads it."""
    return {
        "offer_id": row.offer.id,
        "title": row.offer.title,
        "partner_id": row.partner.id,
        "partner": row.partner.name,
        "session_id": row.session.id if row.session else None,
        "session_starts_at": row.session.starts_at.isoformat() if row.session else None,
        "score": row.score,
        "codes": row.codes,
        "explanation": row.line,
    }
