"""Referrals: a partner refers a family's question; only the two partners involved ever see it."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from blueprints import confirm
from blueprints.auth.forms import ConfirmForm
from blueprints.forms import choices, form_status, id_from
from blueprints.loading import found_or_404
from blueprints.referrals.blueprint import bp
from blueprints.referrals.forms import CompleteForm, DeclineForm, MessageForm, ReferralForm
from blueprints.referrals.privacy import erasure
from saas.audit.services import record
from saas.catalogue import queries
from saas.extensions import db
from saas.i18n import labels
from saas.insights import export
from saas.partners.access import acting_partner_ids, acting_partners
from saas.referrals import choices as referral_choices
from saas.referrals import inbox, services
from saas.referrals import overview as referral_overview
from saas.referrals.models import Referral, Status
from tenants.access import roles_required
from tenants.models import Role

REFERRERS = (Role.PARTNER_ADMIN, Role.PARTNER_MEMBER, Role.SE_COORDINATOR, Role.SE_WORKER)
SIMPLE_MOVES = {
    "send": Status.SENT,
    "cancel": Status.CANCELLED,
    "accept": Status.ACCEPTED,
    "start": Status.IN_PROGRESS,
    "close": Status.CLOSED,
}


def _referral_or_404(referral_id: int) -> tuple[Referral, str, int]:
    """The referral, the side the person is on, and the partner they act for: else 404."""
    opened = found_or_404(services.open_as(referral_id, acting_partner_ids()))
    return opened.referral, opened.side, opened.partner_id


@bp.route("/")
@roles_required(*REFERRERS)
def index():
    box = "out" if request.args.get("box") == "out" else "in"
    status = request.args.get("status", "")
    page, counts = inbox.inbox_page(
        box, status, acting_partner_ids(), queries.page_number(request.args)
    )
    return render_template(
        "referrals/index.html",
        box=box,
        page=page,
        counts=counts,
        status=status,
        statuses=list(Status),
        status_labels=labels(Status),
    )


def _fill(form: ReferralForm) -> None:
    """Only choices the service accepts: another active partner than the one referring, that
    partner's activities, that activity's coming sessions with room (see referrals.choices)."""
    mine = acting_partners()
    form.from_partner_id.choices = choices((p.id, p.name) for p in mine)
    mine_ids = [p.id for p in mine]
    from_id = form.from_partner_id.data if form.from_partner_id.data in mine_ids else None
    from_id = from_id or (mine_ids[0] if mine_ids else None)
    form.to_partner_id.choices = [
        *choices([(0, _("Choose a partner"))]),
        *choices((p.id, p.name) for p in referral_choices.target_partners(from_id)),
    ]
    offers = referral_choices.offers_of(form.to_partner_id.data)
    form.offer_id.choices = _offer_choices(offers)
    offer = referral_choices.offer_in(offers, form.offer_id.data)
    form.session_id.choices = _session_choices(referral_choices.sessions_of(offer))


def _offer_choices(offers) -> list:
    return [
        *choices([(0, _("No specific activity"))]),
        *choices((o.id, o.title) for o in offers),
    ]


def _session_choices(sessions) -> list:
    return [
        *choices([(0, _("No specific session"))]),
        *choices((s.id, format_datetime(s.starts_at, "short")) for s in sessions),
    ]


def _prefill(form: ReferralForm) -> None:
    """A new referral's form from the query string: the partner, activity and session a
    suggestion names, and the family's data of the referral it was suggested for."""
    form.to_partner_id.data = id_from(request.args, "to") or 0
    form.offer_id.data = id_from(request.args, "offer") or 0
    form.session_id.data = id_from(request.args, "session") or 0
    found = referral_choices.family_from(id_from(request.args, "source"), acting_partner_ids())
    if found is None:
        return
    partner_id, family = found
    form.from_partner_id.data = partner_id
    form.family_label.data = family.family_label
    form.question.data = family.question
    form.themes.data = ", ".join(family.themes or [])
    form.age_bands.data = family.age_bands
    form.languages.data = family.languages
    form.neighbourhood.data = family.neighbourhood
    form.preferred_days.data = family.preferred_days
    form.preferred_times.data = family.preferred_times
    form.urgent.data = family.urgent
    form.contact_way.data = family.contact_way
    form.contact_value.data = family.contact_value


def _family(form: ReferralForm) -> services.FamilyData:
    return services.FamilyData(
        family_label=form.family_label.data,
        question=form.question.data,
        contact_way=form.contact_way.data,
        contact_value=form.contact_value.data or "",
        age_bands=form.age_bands.data,
        languages=form.languages.data,
        neighbourhood=form.neighbourhood.data or "",
        themes=(form.themes.data or "").split(","),
        preferred_days=form.preferred_days.data,
        preferred_times=form.preferred_times.data,
        urgent=form.urgent.data,
    )


def _consent(form: ReferralForm) -> services.ConsentData | None:
    if not form.consent.data:
        return None
    return services.ConsentData(
        given_by=form.consent_given_by.data, purpose=form.consent_purpose.data or ""
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*REFERRERS)
def new():
    form = ReferralForm()
    if request.method == "GET":
        _prefill(form)
    _fill(form)
    if not form.from_partner_id.choices:
        abort(403)
    if request.form.get("refresh"):  # without JavaScript: the lists for the partner chosen
        return render_template("referrals/new.html", form=form)
    if form.validate_on_submit():
        send = request.form.get("send") != "0"
        try:
            referral = services.create_from_choices(
                from_partner=next(
                    (p for p in acting_partners() if p.id == form.from_partner_id.data), None
                ),
                to_partner_id=form.to_partner_id.data,
                offer_id=form.offer_id.data,
                session_id=form.session_id.data,
                user=current_user,
                consent=_consent(form),
                send=send,
                family=_family(form),
            )
        except services.ReferralError as exc:
            db.session.rollback()
            getattr(form, exc.field or "question", form.question).errors.append(str(exc))
        else:
            flash(
                _("The referral has been sent.")
                if send
                else _("The referral has been saved as a draft."),
                "success",
            )
            return redirect(url_for("referrals.detail", referral_id=referral.id))
    return render_template("referrals/new.html", form=form), form_status()


@bp.route("/new/choices")
@roles_required(*REFERRERS)
def new_choices():
    """The activities of the partner `to` and the sessions of its activity `offer`, for the
    form's script: the same lists the form shows after its refresh button."""
    offers = referral_choices.offers_of(id_from(request.args, "to"))
    offer = referral_choices.offer_in(offers, id_from(request.args, "offer"))
    return jsonify(
        {
            "offers": [{"id": c.value, "label": c.label} for c in _offer_choices(offers)],
            "sessions": [
                {"id": c.value, "label": c.label}
                for c in _session_choices(referral_choices.sessions_of(offer))
            ],
        }
    )


@bp.route("/<int:referral_id>")
@roles_required(*REFERRERS)
def detail(referral_id: int):
    referral, who, partner_id = _referral_or_404(referral_id)
    if who == "receiver":
        services.mark_received(referral, current_user, partner_id)
    record("referral.viewed", referral)
    return _page(referral, who)


def _page(referral: Referral, who: str, status: int = 200, **forms):
    return make_response(
        render_template(
            "referrals/detail.html",
            referral=referral,
            who=who,
            moves=services.allowed_moves(referral, who),
            events=services.timeline(referral),
            messages=services.messages(referral),
            consent=services.current_consent(referral),
            confirm=ConfirmForm(),
            decline_form=forms.get("decline_form") or DeclineForm(),
            complete_form=forms.get("complete_form") or CompleteForm(),
            message_form=forms.get("message_form") or MessageForm(),
        ),
        status,
    )


def _act(referral_id: int, action, **forms):
    """Run one step; a refused step shows the page again with the reason, and changes nothing."""
    referral, who, partner_id = _referral_or_404(referral_id)
    try:
        action(referral, partner_id)
    except services.ReferralError as exc:
        db.session.rollback()
        referral, who, _pid = _referral_or_404(referral_id)
        flash(str(exc), "danger")
        return _page(referral, who, 422, **forms)
    return redirect(url_for("referrals.detail", referral_id=referral_id))


@bp.route("/<int:referral_id>/move", methods=["POST"])
@roles_required(*REFERRERS)
def move(referral_id: int):
    action = request.form.get("action", "")
    target = SIMPLE_MOVES.get(action)
    if target is None or not ConfirmForm().validate_on_submit():
        abort(400)
    referral, who, _pid = _referral_or_404(referral_id)
    if target in FINAL_MOVES and target in services.allowed_moves(referral, who):
        page = confirm.ask(_final_move(referral, action))
        if page is not None:
            return page
    result = _act(
        referral_id, lambda r, pid: services.move(r, target, user=current_user, partner_id=pid)
    )
    if result.status_code == 302:
        flash(_("The referral is now: %(status)s.", status=target.label), "success")
    return result


FINAL_MOVES = {Status.CANCELLED, Status.CLOSED}


def _final_move(referral: Referral, action: str) -> confirm.Confirmation:
    """Cancelling or closing a referral ends it for both partners: asked once more."""
    lost = [
        _("Neither partner can work on the referral any more: it cannot be reopened."),
    ]
    if referral.session_id and referral.status != Status.DRAFT:
        lost.append(_("The seat it holds in the session is released."))
    kept = [_("The family's data stays until the retention period ends or consent is withdrawn.")]
    if action == "cancel":
        title = _("Cancel this referral to %(partner)s?", partner=referral.to_partner.name)
        button = _("Cancel the referral")
        kept.append(_("To refer the family again later, make a new referral."))
    else:
        title = _("Close this referral: no contact with the family?")
        button = _("Close the referral")
    return confirm.Confirmation(
        action=f"referral.{action}",
        title=title,
        button=button,
        back=url_for("referrals.detail", referral_id=referral.id),
        heading=f"#{referral.id} {referral.family_label}",
        rows=[referral],
        lost=lost,
        kept=kept,
        carry={"action": action},
    )


@bp.route("/<int:referral_id>/decline", methods=["POST"])
@roles_required(*REFERRERS)
def decline(referral_id: int):
    form = DeclineForm()
    form.validate_on_submit()  # the service refuses an empty or unknown reason, with the message
    return _act(
        referral_id,
        lambda r, pid: services.move(
            r, Status.DECLINED, user=current_user, partner_id=pid, reason=form.reason.data
        ),
    )


@bp.route("/<int:referral_id>/complete", methods=["POST"])
@roles_required(*REFERRERS)
def complete(referral_id: int):
    form = CompleteForm()
    form.validate_on_submit()
    return _act(
        referral_id,
        lambda r, pid: services.move(
            r, Status.COMPLETED, user=current_user, partner_id=pid, outcome=form.outcome.data
        ),
    )


@bp.route("/<int:referral_id>/message", methods=["POST"])
@roles_required(*REFERRERS)
def message(referral_id: int):
    form = MessageForm()
    form.validate_on_submit()
    return _act(
        referral_id,
        lambda r, pid: services.add_message(
            r, form.body.data or "", user=current_user, partner_id=pid
        ),
    )


@bp.route("/<int:referral_id>/withdraw", methods=["GET", "POST"])
@roles_required(*REFERRERS)
def withdraw(referral_id: int):
    referral, who, partner_id = _referral_or_404(referral_id)
    if who != "sender":
        abort(403)
    back = url_for("referrals.detail", referral_id=referral.id)
    if referral.anonymised_at is not None:
        flash(_("The family's data has already been removed from this referral."), "info")
        return redirect(back)
    question = erasure(
        [referral],
        action="referral.withdraw",
        title=_("The family withdraws its consent: remove its data?"),
        button=_("Record the withdrawal and remove the data"),
        back=back,
    )
    if referral.is_open:
        question.lost = [
            _(
                "The referral is cancelled: %(partner)s no longer acts on it.",
                partner=referral.to_partner.name,
            ),
            *question.lost,
        ]
    page = confirm.ask(question)
    if page is not None:
        return page
    services.withdraw_consent(referral, user=current_user, partner_id=partner_id)
    flash(_("Consent is withdrawn: the family's data has been removed."), "info")
    return redirect(back)


@bp.route("/overview")
@roles_required(Role.STEWARD)
def overview():
    """For the steward: volumes and response times, never the family's data."""
    return render_template(
        "referrals/overview.html", **referral_overview.steward_overview(), legend=export.legend()
    )
