"""The health of the network, for its municipality and stewards: aggregates only, never a family.

Every figure about families or referrals has been through `saas.insights.suppression` before it
reaches the page, the CSV files or the PDF report.
"""

from __future__ import annotations

from babel.dates import get_month_names
from flask import Response, current_app, render_template, request
from flask_babel import format_date, format_datetime, get_locale

from blueprints.loading import found_or_404
from blueprints.municipality.blueprint import bp
from saas.insights import cache, charts, export
from saas.insights.period import KINDS, Period, PeriodError
from saas.partners import queries as partner_queries
from tenants.access import current_network, roles_required
from tenants.models import Role


def _period() -> tuple[Period | None, str | None]:
    try:
        return Period.from_args(request.args), None
    except PeriodError as error:
        return None, str(error)


def _month_names() -> list[str]:
    names = get_month_names("wide", locale=get_locale())
    return [names[m] for m in range(1, 13)]


@bp.route("/")
@roles_required(Role.MUNICIPALITY_VIEWER, Role.STEWARD)
def overview():
    period, error = _period()
    if period is None:
        return (
            render_template(
                "municipality/overview.html",
                error=error,
                period=Period.current(),
                picked=request.args,
                kinds=KINDS,
                health=None,
                month_names=_month_names(),
            ),
            422,
        )
    return render_template(
        "municipality/overview.html",
        error=None,
        period=period,
        picked=period.query(),
        kinds=KINDS,
        month_names=_month_names(),
        figures=cache.page(period, lambda: _figures(period)),
    )


def _figures(period: Period) -> str:
    """The figures of the period as HTML: the same for every viewer of the network's dashboard."""
    health = cache.health(period)
    composition, states = partner_queries.composition()
    seconds = current_app.config["HEALTH_CACHE_SECONDS"]
    return render_template(
        "municipality/_figures.html",
        period=period,
        health=health,
        charts=charts.for_health(health),
        composition=composition,
        states=states,
        legend=export.legend(),
        computed_at=format_datetime(health.computed_at, "d MMM yyyy HH:mm"),
        refresh_minutes=max(seconds // 60, 1) if seconds else 0,
        last_activity={
            name: format_date(moment, "d MMM yyyy") if moment else ""
            for name, moment in health.partners.last_activity.items()
        },
    )


@bp.route("/export.csv")
@roles_required(Role.MUNICIPALITY_VIEWER, Role.STEWARD)
def export_csv():
    period, error = _period()
    if period is None:
        return Response(error, status=422, mimetype="text/plain")
    tables = cache.health(period).tables()
    table = found_or_404(tables.get(request.args.get("table", "")))
    return Response(
        export.csv_bytes(table),
        mimetype="text/csv",
        headers={
            "Content-Disposition": export.attachment(
                f"{current_network().slug}-{table.key}-{period.code}.csv"
            )
        },
    )


@bp.route("/report.pdf")
@roles_required(Role.MUNICIPALITY_VIEWER, Role.STEWARD)
def report_pdf():
    period, error = _period()
    if period is None:
        return Response(error, status=422, mimetype="text/plain")
    health = cache.health(period)
    pdf = export.pdf_report(health, current_network())
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": export.attachment(
                f"{current_network().slug}-health-{period.code}.pdf"
            )
        },
    )
