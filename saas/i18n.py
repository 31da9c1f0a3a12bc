"""Interface language: Dutch first, English second; chosen by link, account, network or browser."""

from __future__ import annotations

from flask import Flask, g, redirect, request, url_for
from flask_login import current_user

from saas.security import is_safe_next

LANG_COOKIE = "dorp_lang"


def supported(app_or_none=None) -> list[str]:
    from flask import current_app

    return current_app.config["LANGUAGES"]


def select_locale() -> str:
    langs = supported()
    chosen = request.args.get("lang")
    if chosen in langs:
        return chosen
    if current_user and current_user.is_authenticated and current_user.language in langs:
        return current_user.language
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in langs:
        return cookie
    network = g.get("network")
    if network is not None and network.default_language in langs and not request.accept_languages:
        return network.default_language
    return request.accept_languages.best_match(langs) or "nl"


def register(app: Flask) -> None:
    @app.route("/language/<code>", methods=["POST", "GET"])
    def set_language(code: str):
        target = request.values.get("next")
        if not is_safe_next(target):
            target = url_for("site.home")
        response = redirect(target)
        if code in app.config["LANGUAGES"]:
            response.set_cookie(
                LANG_COOKIE,
                code,
                max_age=365 * 24 * 3600,
                secure=app.config["SESSION_COOKIE_SECURE"],
                httponly=True,
                samesite="Lax",
            )
            if current_user.is_authenticated and current_user.language != code:
                current_user.language = code
        return response

    from flask_babel import format_date, format_datetime

    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["date"] = format_date

    @app.context_processor
    def _languages():
        from flask_babel import get_locale

        return {"languages": app.config["LANGUAGES"], "current_language": str(get_locale())}
