"""The demand: which activities need staff from the team, how many workers, with which skills
and languages. Changes flush; the request commits."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from saas.catalogue.models import Offer
from saas.extensions import db
from saas.partners.models import SPOKEN_LANGUAGES
from saas.workforce.errors import WorkforceError
from saas.workforce.models import StaffingNeed
from saas.workforce.staff import workers

SKILLS = (
    "reading_aloud",
    "game_facilitation",
    "tablets",
    "bike_trainer",
    "cooking",
    "crafts",
    "baby_massage",
    "homework_help",
    "sport_dance",
    "home_visits",
)
TRAININGS = ("reading_aloud", "tablets", "social_map", "father_involvement", "bike_trainer")
LANGUAGES = tuple(code for code, _name in SPOKEN_LANGUAGES)


def offers_to_staff() -> list[Offer]:
    """The published activities a need for staff can be set on, by title."""
    return list(
        db.session.execute(
            select(Offer).where(Offer.published_at.is_not(None)).order_by(Offer.title)
        ).scalars()
    )


def needs() -> list[StaffingNeed]:
    return list(db.session.execute(select(StaffingNeed).order_by(StaffingNeed.id)).scalars())


def need_for(offer_id: int) -> StaffingNeed | None:
    return db.session.execute(
        select(StaffingNeed).where(StaffingNeed.offer_id == offer_id)
    ).scalar_one_or_none()


def save_need(
    offer: Offer, workers_needed: int, skills: list[str], languages: list[str]
) -> StaffingNeed:
    team = len(workers())
    if workers_needed < 1:
        raise WorkforceError(_("A session needs at least one worker."))
    if workers_needed > team:
        raise WorkforceError(
            _(
                "A session cannot need %(n)d workers: the team has %(team)d.",
                n=workers_needed,
                team=team,
            )
        )
    need = need_for(offer.id)
    if need is None:
        need = StaffingNeed(offer_id=offer.id)
        db.session.add(need)
    need.workers = workers_needed
    need.skills = ",".join(s for s in skills if s in SKILLS)
    need.languages = ",".join(code for code in languages if code in LANGUAGES)
    db.session.flush()
    return need


def remove_need(need: StaffingNeed) -> None:
    """The activity no longer needs staff from the team."""
    db.session.delete(need)
    db.session.flush()
