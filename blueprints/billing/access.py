"""Who reaches the billing pages: the network's stewards, and the platform admin."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, redirect, request, url_for
from flask_login import current_user

from tenants.access import has_role, memberships
from tenants.models import Role


def stewards_and_platform_admin(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        if not current_user.is_platform_admin:
            if not memberships():
                abort(404)
            if not has_role(Role.STEWARD):
                abort(403)
        return view(*args, **kwargs)

    wrapper.dorp_roles = (Role.STEWARD,)  # read by the cross-network test matrix
    return wrapper
