"""The API's notifications: the notices of the person who created the token."""

from __future__ import annotations

from flask import request
from flask_login import current_user
from sqlalchemy import select

from blueprints.api.auth import requires
from blueprints.api.blueprint import bp
from blueprints.api.common import PAGE_PARAMS, page_from
from blueprints.api.openapi import operation
from blueprints.loading import load_or_404
from saas.api import schemas
from saas.notifications.center import mark_read
from saas.notifications.models import Notification

NOTIFICATION = schemas.NotificationSchema()
NOTIFICATION_PAGE = schemas.NotificationPage()


@bp.route("/<slug>/notifications")
@requires("notifications", "read")
@operation(
    "The notices of the person who created the token, newest first",
    tag="notifications",
    params=[
        {"name": "unread", "in": "query", "schema": {"type": "string", "enum": ["1", "true"]}},
        *PAGE_PARAMS,
    ],
    response=schemas.NotificationPage,
)
def notifications():
    query = select(Notification).where(Notification.user_id == current_user.id)
    if request.args.get("unread") in {"1", "true"}:
        query = query.where(Notification.read_at.is_(None))
    return NOTIFICATION_PAGE.dump(page_from(query, Notification.id.desc()))


@bp.route("/<slug>/notifications/<int:notification_id>/read", methods=["POST"])
@requires("notifications", "write")
@operation("Mark one notice read", tag="notifications", response=schemas.NotificationSchema)
def notification_read(notification_id: int):
    notice = load_or_404(Notification, notification_id, Notification.user_id == current_user.id)
    mark_read(notice)
    return NOTIFICATION.dump(notice)
