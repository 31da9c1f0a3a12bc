"""The app as gunicorn serves it in the web benchmark, plus two yardstick routes.

`/bench/bare` answers a constant through the whole app (middleware, session, headers): the floor.
`/bench/fortunes` is TechEmpower's Fortunes test in this app: one query of 12 rows, one row added
in memory, a sort, an escaped template: the peer a real page is compared with.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import text

from saas.app import create_app
from saas.extensions import db

FORTUNES = [
    "fortune: No such file or directory",
    "A computer scientist is someone who fixes things that aren't broken.",
    "After enough decimal places, nobody gives a damn.",
    "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1",
    "A computer program does what you tell it to do, not what you want it to do.",
    "Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen",
    "Any program that runs right is obsolete.",
    "A list is only as strong as its weakest link. — Donald Knuth",
    "Feature: A bug with seniority.",
    "Computers make very fast, very accurate mistakes.",
    '<script>alert("This should not be displayed in a browser alert box.");</script>',
    "フレームワークのベンチマーク",
]

bp = Blueprint("bench", __name__, url_prefix="/bench", template_folder="templates")


@bp.route("/bare")
def bare():
    return "ok"


@bp.route("/fortunes")
def fortunes():
    rows = [tuple(r) for r in db.session.execute(text("SELECT id, message FROM bench_fortune"))]
    rows.append((0, "Additional fortune added at request time."))
    rows.sort(key=lambda r: r[1])
    return render_template("bench/fortunes.html", fortunes=rows)


def create_fortunes(engine, app_role: str) -> None:
    """The Fortunes table, owned by the admin and readable by the app role (no tenant data)."""
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE bench_fortune (id integer PRIMARY KEY, message text)")
        conn.execute(
            text("INSERT INTO bench_fortune (id, message) VALUES (:id, :message)"),
            [{"id": i, "message": m} for i, m in enumerate(FORTUNES, start=1)],
        )
        conn.exec_driver_sql(f'GRANT SELECT ON bench_fortune TO "{app_role}"')


def create_bench_app():
    app = create_app()
    app.register_blueprint(bp)
    return app
