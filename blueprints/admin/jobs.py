"""The platform admin's job operations: the RQ queues and workers, the failed jobs with their
error (retry or delete one, or all of a kind), and the e-mail and Stripe-event backlogs with
'send again'. Explicitly cross-network; rows show ids, never personal data.

Retrying and sending again are safe to repeat (every job is idempotent). Deleting a failed job
cannot be undone, so it goes through the confirmation step (blueprints/confirm.py).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_timedelta, ngettext
from flask_babel import gettext as _

from blueprints import confirm
from blueprints.admin.blueprint import bp
from blueprints.forms import id_from
from saas.operations import backlog
from saas.operations import jobs as rq_jobs


def _back():
    return redirect(url_for("admin.jobs"), 303)


def _age(value) -> str:
    return format_timedelta(value, threshold=1.1) if value is not None else ""


@bp.route("/jobs")
def jobs():
    outbox, stripe = backlog.outbox_backlog(), backlog.stripe_backlog()
    return render_template(
        "admin/jobs.html",
        queues=rq_jobs.queues(),
        workers=rq_jobs.workers(),
        kinds=rq_jobs.failed_kinds(),
        failed=rq_jobs.failed_jobs(),
        outbox=outbox,
        outbox_age=_age(outbox.oldest_age),
        outbox_rows=backlog.outbox_rows(),
        stripe=stripe,
        stripe_age=_age(stripe.oldest_age),
        stripe_rows=backlog.stripe_rows(),
    )


def _gone() -> None:
    flash(
        _("That job is no longer among the failed jobs (it was retried, deleted or expired)."),
        "warning",
    )


@bp.route("/jobs/retry", methods=["POST"])
def retry_job():
    try:
        job = rq_jobs.retry(request.form.get("job_id", ""))
    except rq_jobs.JobNotFound:
        _gone()
    else:
        flash(
            _("Job %(id)s is back in the %(queue)s queue.", id=job.id, queue=job.queue), "success"
        )
    return _back()


@bp.route("/jobs/delete", methods=["GET", "POST"])
def delete_job():
    job_id = request.values.get("job_id", "")
    try:
        job = rq_jobs.failed_job(job_id)
    except rq_jobs.JobNotFound:
        _gone()
        return _back()
    page = confirm.ask(
        confirm.Confirmation(
            action="job.delete",
            title=_("Delete failed job %(id)s?", id=job.id),
            button=_("Delete the job"),
            back=url_for("admin.jobs"),
            state=[job.id, job.queue, job.kind],
            carry={"job_id": job.id},
            heading=job.kind,
            lost=[_("The job and its error are removed; it will not run again.")],
            kept=[_("What the job was about stays in the database; a new job can be started.")],
        )
    )
    if page is not None:
        return page
    rq_jobs.delete_all([job.id])
    flash(_("Job %(id)s has been deleted.", id=job.id), "success")
    return _back()


@bp.route("/jobs/retry-all", methods=["POST"])
def retry_kind():
    queue, kind = request.form.get("queue", ""), request.form.get("kind", "")
    retried = rq_jobs.retry_all(queue, kind)
    if not retried:
        flash(_("There are no failed jobs of that kind (any more)."), "warning")
    else:
        flash(
            ngettext(
                "%(num)d failed job is back in its queue.",
                "%(num)d failed jobs are back in their queue.",
                retried,
            ),
            "success",
        )
    return _back()


@bp.route("/jobs/delete-all", methods=["GET", "POST"])
def delete_kind():
    queue, kind = request.values.get("queue", ""), request.values.get("kind", "")
    ids = sorted(rq_jobs.of_kind(queue, kind))
    if not ids:
        flash(_("There are no failed jobs of that kind (any more)."), "warning")
        return _back()
    page = confirm.ask(
        confirm.Confirmation(
            action="job.delete_kind",
            title=ngettext(
                "Delete the %(num)d failed job of this kind?",
                "Delete all %(num)d failed jobs of this kind?",
                len(ids),
            ),
            button=_("Delete them"),
            back=url_for("admin.jobs"),
            state=ids,
            carry={"queue": queue, "kind": kind},
            heading=f"{queue}: {kind}",
            lost=[
                ngettext(
                    "%(num)d failed job and its error are removed; it will not run again.",
                    "%(num)d failed jobs and their errors are removed; they will not run again.",
                    len(ids),
                )
            ],
            kept=[_("What the jobs were about stays in the database; new jobs can be started.")],
        )
    )
    if page is not None:
        return page
    deleted = rq_jobs.delete_all(ids)
    flash(
        ngettext(
            "%(num)d failed job has been deleted.",
            "%(num)d failed jobs have been deleted.",
            deleted,
        ),
        "success",
    )
    return _back()


@bp.route("/jobs/outbox/send-again", methods=["POST"])
def send_message_again():
    message_id = id_from(request.form, "message_id")
    if message_id is not None and backlog.send_message_again(message_id):
        flash(_("E-mail %(id)s will be sent again.", id=message_id), "success")
    else:
        flash(_("That e-mail is sent, being sent right now, or gone: nothing to do."), "warning")
    return _back()


@bp.route("/jobs/stripe-events/send-again", methods=["POST"])
def send_event_again():
    event_id = request.form.get("event_id", "")[:255]
    if event_id and backlog.send_event_again(event_id):
        flash(_("Stripe event %(id)s will be applied again.", id=event_id), "success")
    else:
        flash(
            _("That Stripe event is done, being applied right now, or unknown: nothing to do."),
            "warning",
        )
    return _back()
