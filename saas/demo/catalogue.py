"""Demo catalogue: places, holidays, offers, a year of sessions and their headcounts.

Called by `saas.demo.seed` inside `network_scope(network.id)` for each demo network. Everything
goes through the catalogue services, as a coordinator would do it in the interface, so the demo
shows what the product really makes of it. Idempotent: a network that already has a place or an
offer is left alone.

Dates are relative to today: the offers started about a year ago (so there is a year of sessions
and headcounts) and run until the end of a school year well past the sessions' horizon.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from dateutil.easter import easter
from sqlalchemy import func, select

from saas.accounts.models import User
from saas.catalogue import services
from saas.catalogue.models import (
    ActionLine,
    ActivitySession,
    Answer,
    Closure,
    ClosureKind,
    CostKind,
    Location,
    Offer,
    OrganiserRole,
    SessionStatus,
)
from saas.catalogue.schedule import is_public_holiday, parse_rule, to_local
from saas.extensions import db
from saas.models_base import utcnow
from saas.partners.models import Partner, PartnerState
from tenants.models import Membership, Network, Role

IN_Z = "IN-Z vzw"
SCHOOL_YEAR_END = (6, 30)

CHILD = ActionLine.CHILD_DEVELOPMENT
PARENTS = ActionLine.PARENTING
INTEGRATION = ActionLine.SOCIAL_INTEGRATION
SCHOOL = ActionLine.BROAD_LEARNING
COOPERATION = ActionLine.COOPERATION

HOST, SPEAKER, ORGANISER = OrganiserRole.HOST, OrganiserRole.SPEAKER, OrganiserRole.ORGANISER
CONFIRMED, INVITED, DECLINED = Answer.CONFIRMED, Answer.INVITED, Answer.DECLINED


# ---------------------------------------------------------------------------------------------
# The Flemish school calendar (Besluit van de Vlaamse Regering van 17 april 1991, still in force
# in Flanders: the two-week autumn and spring breaks of the 2022 reform are the French
# Community's, not Flanders')


def school_year_of(day: date) -> int:
    """The year in which the school year holding `day` began (1 September)."""
    return day.year if day.month >= 9 else day.year - 1


def _monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def flemish_school_holidays(year: int) -> list[tuple[str, str, date, date]]:
    """(code, label, first day, last day) of the school year that begins in September `year`."""
    nov1 = date(year, 11, 1)
    autumn = nov1 + timedelta(days=1) if nov1.weekday() == 6 else _monday_of(nov1)
    christmas_day = date(year, 12, 25)
    christmas = (
        _monday_of(christmas_day) + timedelta(weeks=1)
        if christmas_day.weekday() >= 5
        else _monday_of(christmas_day)
    )
    easter_day = easter(year + 1)
    carnival = easter_day - timedelta(days=48)  # the seventh Monday before Easter
    if easter_day.month == 3:
        spring = easter_day + timedelta(days=1)  # Easter in March: from Easter Monday
    elif easter_day > date(year + 1, 4, 15):
        spring = easter_day - timedelta(days=13)  # late Easter: the second Monday before it
    else:
        april1 = date(year + 1, 4, 1)
        spring = april1 + timedelta(days=(7 - april1.weekday()) % 7)  # first Monday of April
    return [
        ("herfst", f"Herfstvakantie {year}", autumn, autumn + timedelta(days=6)),
        (
            "kerst",
            f"Kerstvakantie {year}-{year + 1}",
            christmas,
            christmas + timedelta(days=13),
        ),
        ("krokus", f"Krokusvakantie {year + 1}", carnival, carnival + timedelta(days=6)),
        ("paas", f"Paasvakantie {year + 1}", spring, spring + timedelta(days=13)),
        ("zomer", f"Zomervakantie {year + 1}", date(year + 1, 7, 1), date(year + 1, 8, 31)),
    ]


def bridge_day_after_ascension(year: int) -> date:
    """The Friday after Ascension Day of the calendar year `year`."""
    return easter(year) + timedelta(days=40)


@dataclass(frozen=True)
class Calendar:
    today: date
    first: date  # offers start here: about a year ago
    last: date  # and run until this 30 June, well past the sessions' horizon
    holidays: tuple[tuple[str, str, date, date], ...]
    closures: tuple[date, ...] = ()

    @classmethod
    def around(cls, today: date) -> Calendar:
        first = today - timedelta(weeks=52)
        horizon = today + services.HORIZON
        last_year = school_year_of(horizon) + 1
        last = date(last_year, *SCHOOL_YEAR_END)
        holidays = tuple(
            period
            for year in range(school_year_of(first), last_year)
            for period in flemish_school_holidays(year)
        )
        return cls(today=today, first=first, last=last, holidays=holidays)

    @property
    def horizon(self) -> date:
        return self.today + services.HORIZON

    def latest(self, code: str) -> tuple[date, date] | None:
        """The latest holiday of this kind that has started before the horizon."""
        periods = [(s, e) for c, _l, s, e in self.holidays if c == code and s <= self.horizon]
        periods = [(s, e) for s, e in periods if e >= self.first]
        return max(periods) if periods else None

    def latest_past(self, code: str) -> tuple[date, date] | None:
        periods = [(s, e) for c, _l, s, e in self.holidays if c == code and s < self.today]
        return max(periods) if periods else None

    def in_holiday(self, day: date) -> bool:
        return any(s <= day <= e for _c, _l, s, e in self.holidays)

    def school_day(self, day: date, weekday: int) -> date:
        """The first `weekday` on or after `day` that is no holiday or closure day."""
        day += timedelta(days=(weekday - day.weekday()) % 7)
        while self.in_holiday(day) or is_public_holiday(day) or day in self.closures:
            day += timedelta(weeks=1)
        return day


# ---------------------------------------------------------------------------------------------
# What a network's catalogue holds


@dataclass
class Place:
    key: str
    name: str
    address: str
    neighbourhood: str
    accessibility: str = ""


@dataclass
class Plan:
    """One offer as the coordinator would enter it, plus how its past sessions went."""

    key: str
    title: str
    kind: str  # offer type code
    place: str  # Place.key
    owner: str = IN_Z
    days: str = ""  # "MO,FR": weekly; "2TH": monthly on the second Thursday; "": once
    hours: tuple[time, time] = (time(9), time(11))
    ages: tuple[int, int] = (0, 83)  # months, upper bound inclusive ("up to 6 years" is 83)
    lines: int = PARENTS
    themes: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("nl",)
    description: str = ""
    translations: dict = field(default_factory=dict)
    first: date | None = None  # default: the calendar's first day
    last: date | None = None  # default: the calendar's last day
    interval: int = 1
    skip_school_holidays: bool = False
    cost: CostKind = CostKind.FREE
    cost_cents: int | None = None
    cost_note: str = ""
    registration: str = ""  # a note means registration is needed
    capacity: int | None = None
    organisers: tuple[tuple[str, OrganiserRole, Answer], ...] = ()
    counts: str = ""  # headcount profile of its past sessions; "" counts nothing
    published: bool = True


@dataclass
class Cancellation:
    offer: str  # Plan.key
    reason: str
    weeks: int = 0  # past: about this many weeks ago; future: the n-th coming session
    future: bool = False
    winter: bool = False  # past: the first session in January or February


@dataclass
class Catalogue:
    places: list[Place]
    closures: list[tuple[str, date, date]]
    plans: list[Plan]
    cancellations: list[Cancellation]


# Headcounts: (low, high) per field; first-time families drawn from their own weights.
PROFILES: dict[str, dict[str, tuple[int, int]]] = {
    "toddlers": {"adults": (5, 9), "children_0_3": (6, 10)},
    "salon": {"adults": (6, 14), "children_0_3": (0, 4)},
    "thematic": {"adults": (8, 16), "children_0_3": (0, 3)},
    "baby": {"adults": (4, 9), "children_0_3": (4, 9)},
    "welcome": {"adults": (3, 10), "children_0_3": (0, 3)},
    "bike": {"adults": (4, 8)},
    "consult": {"adults": (2, 6), "children_0_3": (0, 2)},
    "holiday": {
        "adults": (5, 12),
        "children_0_3": (1, 4),
        "children_3_6": (3, 8),
        "children_6_12": (4, 10),
    },
    "party": {
        "adults": (30, 45),
        "children_0_3": (10, 18),
        "children_3_6": (20, 30),
        "children_6_12": (5, 12),
    },
    "trip": {
        "adults": (20, 28),
        "children_0_3": (5, 9),
        "children_3_6": (10, 16),
        "children_6_12": (6, 10),
    },
    "kindergarten": {"children_3_6": (6, 12)},
    "school_sport": {"children_6_12": (10, 18)},
    "school_noon": {"children_3_6": (2, 6), "children_6_12": (8, 16)},
    "school_dance": {"children_6_12": (8, 14)},
    "school_art": {"children_6_12": (8, 12)},
    "reading_bags": {"adults": (3, 8), "children_3_6": (2, 6), "children_6_12": (1, 4)},
    "school_parents": {"adults": (6, 14), "children_0_3": (0, 3)},
    "holiday_kids": {"children_3_6": (2, 6), "children_6_12": (12, 22)},
}
FIRST_TIME = {
    "welcome": ([0, 1, 2, 3], [30, 40, 20, 10]),
    "party": ([2, 3, 4, 5], [25, 35, 25, 15]),
    "trip": ([0, 1, 2, 3], [40, 30, 20, 10]),
    "kindergarten": ([0, 1], [85, 15]),
    "school_sport": ([0, 1], [85, 15]),
    "school_noon": ([0, 1], [85, 15]),
    "school_dance": ([0, 1], [85, 15]),
    "school_art": ([0, 1], [85, 15]),
    "holiday_kids": ([0, 1, 2], [60, 30, 10]),
}
FIRST_TIME_DEFAULT = ([0, 1, 2, 3], [55, 30, 12, 3])
COUNTED_SHARE = 0.9
CORRECTED_SHARE = 0.06


# ---------------------------------------------------------------------------------------------
# Beringen: IN-Zetje, with the Huis van het Kind partners


def _beringen(cal: Calendar) -> Catalogue:
    places = [
        Place(
            "kolonie",
            "Buurthuis De Kolonie",
            "Kioskplein 1, 3582 Beringen",
            "Beringen-Mijn",
            "Gelijkvloers en rolstoeltoegankelijk; aangepast toilet. Buggy's mogen mee naar "
            "binnen; speelhoek voor peuters.",
        ),
        Place(
            "mijnlamp",
            "Basisschool De Mijnlamp",
            "Koolmijnlaan 58, 3582 Beringen",
            "Beringen-Mijn",
            "Ingang via de poort van de kleuterspeelplaats; het klasje is op het gelijkvloers.",
        ),
        Place(
            "paal",
            "Ontmoetingscentrum Paal",
            "Kerkstraat 14, 3583 Paal",
            "Paal",
            "Zaal op de eerste verdieping, met lift. Parking achter het gebouw.",
        ),
        Place(
            "beverlo",
            "Consultatiebureau Kind & Gezin Beverlo",
            "Lindeplein 3, 3581 Beverlo",
            "Beverlo",
            "Gelijkvloers; verzorgingstafel en een rustige ruimte om borstvoeding te geven.",
        ),
        Place(
            "bib",
            "Bibliotheek Beringen",
            "Markt 7, 3580 Beringen",
            "Beringen-Centrum",
            "Rolstoeltoegankelijk, met lift; kinderhoek met prentenboeken in meerdere talen.",
        ),
        Place(
            "koersel",
            "Ontmoetingscentrum 't Kruispunt",
            "Sint-Lambertusstraat 9, 3582 Koersel",
            "Koersel",
            "Twee treden aan de ingang; we helpen graag met de buggy.",
        ),
        Place(
            "tervant",
            "Wijkcentrum Tervant",
            "Tervantstraat 62, 3583 Paal",
            "Tervant",
        ),
        Place(
            "verkeerspark",
            "Verkeerspark Beverlo",
            "Sportlaan 2, 3581 Beverlo",
            "Beverlo",
            "Afgesloten oefenterrein zonder verkeer; fietsen en helmen zijn er. Toiletten in de "
            "sporthal ernaast.",
        ),
    ]
    closures = [
        ("Teamdag IN-Zetje", cal.school_day(cal.today + timedelta(weeks=3), 0), None),
        ("Evaluatiedag van het team", cal.school_day(cal.today - timedelta(weeks=24), 4), None),
    ]
    plans = [
        Plan(
            "klasje",
            "Voorschools klasje",
            "voorschools_klasje",
            "mijnlamp",
            days="MO,FR",
            hours=(time(9), time(11, 30)),
            ages=(18, 36),
            lines=CHILD | PARENTS | SCHOOL,
            themes=("taal", "zingen", "voorlezen", "spelen", "instap kleuterschool"),
            languages=("nl", "tr", "ar"),
            description=(
                "Elke maandag- en vrijdagvoormiddag voor peuters van anderhalf tot drie jaar, "
                "samen met mama, papa of oma. Altijd dezelfde vaste structuur: onthaal, liedje, "
                "voorlezen, activiteit, soep, afsluiten en samen opruimen. Zo leren kinderen de "
                "klas en de school kennen voor ze instappen in de kleuterklas. Gratis en zonder "
                "inschrijving: kom gewoon binnen."
            ),
            translations={
                "en": {
                    "title": "Pre-school group",
                    "description": (
                        "Monday and Friday mornings for toddlers from 18 months to 3 years with "
                        "a parent or grandparent: welcome, a song, reading aloud, an activity, "
                        "soup and tidying up together. Your child gets to know the school before "
                        "starting kindergarten. Free, no registration: just come in."
                    ),
                },
                "fr": {
                    "title": "Petite classe préscolaire",
                    "description": (
                        "Le lundi et le vendredi matin, pour les tout-petits de 18 mois à 3 ans "
                        "avec un parent ou un grand-parent : accueil, chanson, lecture, activité, "
                        "soupe et rangement ensemble. Votre enfant découvre l'école avant "
                        "d'entrer en maternelle. Gratuit, sans inscription : entrez simplement."
                    ),
                },
                "tr": {
                    "title": "Okul öncesi oyun grubu",
                    "description": (
                        "Pazartesi ve cuma sabahları, 18 ay ile 3 yaş arası çocuklar anne, baba "
                        "veya büyükanneleriyle birlikte: karşılama, şarkı, kitap okuma, etkinlik, "
                        "çorba ve birlikte toparlanma. Çocuğunuz anaokuluna başlamadan önce "
                        "okulu tanır. Ücretsiz, kayıt gerekmez: gelmeniz yeterli."
                    ),
                },
                "ar": {
                    "title": "مجموعة ما قبل المدرسة",
                    "description": (
                        "صباح كل يوم اثنين وجمعة، للأطفال من 18 شهراً إلى 3 سنوات مع أحد "
                        "الوالدين أو الأجداد: استقبال، أغنية، قراءة قصة، نشاط، حساء، ثم "
                        "الترتيب معاً. يتعرّف طفلك على المدرسة قبل دخول الروضة. مجاناً وبدون "
                        "تسجيل: تعالوا فقط."
                    ),
                },
            },
            skip_school_holidays=True,
            organisers=(
                ("Basisschool De Mijnlamp", HOST, CONFIRMED),
                ("LOP Beringen", ORGANISER, CONFIRMED),
            ),
            counts="toddlers",
        ),
        Plan(
            "onthaal",
            "Onthaalmoment",
            "onthaalmoment",
            "mijnlamp",
            days="MO,FR",
            hours=(time(8, 30), time(9, 30)),
            ages=(0, 143),
            lines=PARENTS | INTEGRATION | COOPERATION,
            themes=(
                "kinderopvang",
                "schooltoelage",
                "energie",
                "werk",
                "nederlandse les",
                "brieven",
                "inschrijven school",
            ),
            languages=("nl", "tr", "ar", "fr", "en"),
            description=(
                "Vragen over kinderopvang, de schooltoelage, je energiefactuur, een "
                "arbeidscontract, lessen Nederlands of een brief die je niet begrijpt? Spring "
                "binnen op maandag- of vrijdagochtend, bij het begin van het voorschools klasje. "
                "We luisteren en brengen je bij de juiste dienst."
            ),
            translations={
                "en": {
                    "title": "Welcome desk",
                    "description": (
                        "Questions about childcare, the school allowance, your energy bill, a "
                        "work contract, Dutch lessons or a letter you do not understand? Drop by "
                        "on Monday or Friday morning. We listen and take you to the right place."
                    ),
                },
                "fr": {
                    "title": "Accueil",
                    "description": (
                        "Des questions sur la garde d'enfants, l'allocation scolaire, la facture "
                        "d'énergie, un contrat de travail, les cours de néerlandais ou une lettre "
                        "que vous ne comprenez pas ? Passez le lundi ou le vendredi matin. Nous "
                        "vous écoutons et vous orientons au bon endroit."
                    ),
                },
                "tr": {
                    "title": "Karşılama ve danışma",
                    "description": (
                        "Çocuk bakımı, okul yardımı, enerji faturası, iş sözleşmesi, Hollandaca "
                        "kursu ya da anlamadığınız bir mektup hakkında sorunuz mu var? Pazartesi "
                        "veya cuma sabahı uğrayın. Sizi dinler ve doğru yere yönlendiririz."
                    ),
                },
                "ar": {
                    "title": "مكتب الاستقبال",
                    "description": (
                        "هل لديك أسئلة عن رعاية الأطفال، أو المنحة المدرسية، أو فاتورة الكهرباء، "
                        "أو عقد عمل، أو دروس اللغة الهولندية، أو رسالة لا تفهمها؟ تعال صباح "
                        "الاثنين أو الجمعة. نستمع إليك ونرشدك إلى المكان المناسب."
                    ),
                },
            },
            skip_school_holidays=True,
            organisers=(("OCMW Beringen", ORGANISER, CONFIRMED),),
            counts="welcome",
        ),
        Plan(
            "salon_kolonie",
            "Oudersalon Beringen-Mijn: koken en babbelen",
            "oudersalon",
            "kolonie",
            days="TU",
            hours=(time(9), time(11, 30)),
            ages=(0, 143),
            lines=PARENTS | INTEGRATION,
            themes=("koken", "knutselen", "ontmoeting"),
            languages=("nl", "tr", "ar"),
            description=(
                "Elke dinsdag na het naar school brengen: samen koken met weinig geld, "
                "recepten uit ieders keuken, knutselen en een babbel bij koffie. Kleine kinderen "
                "mogen mee; er is een speelhoek."
            ),
            translations={
                "en": {
                    "title": "Parent salon Beringen-Mijn: cooking and chatting",
                    "description": (
                        "Every Tuesday after the school run: cooking on a small budget, recipes "
                        "from everyone's kitchen, crafts and a chat over coffee. Little ones are "
                        "welcome; there is a play corner."
                    ),
                },
            },
            skip_school_holidays=True,
            organisers=(("RIMO Limburg", ORGANISER, CONFIRMED),),
            counts="salon",
        ),
        Plan(
            "salon_paal",
            "Oudersalon Paal: creatief",
            "oudersalon",
            "paal",
            days="TH",
            hours=(time(13, 15), time(15, 15)),
            ages=(0, 143),
            lines=PARENTS | INTEGRATION,
            themes=("knutselen", "handwerk", "ontmoeting"),
            languages=("nl", "tr", "fr"),
            description=(
                "Donderdagnamiddag knutselen, naaien en breien, en intussen ervaringen uitwisselen "
                "over opvoeden. Iedereen is welkom, ook wie nog weinig Nederlands spreekt."
            ),
            skip_school_holidays=True,
            organisers=(("De Draaischijf", ORGANISER, CONFIRMED),),
            counts="salon",
        ),
        Plan(
            "taalsalon",
            "Taalsalon in de bib: Nederlands oefenen",
            "oudersalon_thematisch",
            "bib",
            days="WE",
            hours=(time(9), time(11)),
            ages=(0, 143),
            lines=PARENTS | INTEGRATION | SCHOOL,
            themes=("nederlands", "taal", "voorlezen"),
            languages=("nl", "tr", "ar", "ber"),
            description=(
                "Nederlands oefenen in kleine groepjes, over wat je elke dag nodig hebt: de juf "
                "aanspreken, een afspraak maken bij de dokter, een brief van school lezen. Daarna "
                "kiezen we samen prentenboeken om thuis voor te lezen."
            ),
            translations={
                "en": {
                    "title": "Language salon at the library: practising Dutch",
                    "description": (
                        "Practise Dutch in small groups, about what you need every day: talking "
                        "to the teacher, making a doctor's appointment, reading a school letter. "
                        "Then we choose picture books to read aloud at home."
                    ),
                },
            },
            skip_school_holidays=True,
            organisers=(("Stad Beringen – Welzijn", HOST, CONFIRMED),),
            counts="salon",
        ),
        Plan(
            "thema_opvoeding",
            "Oudersalon opvoeding: driftbuien, slapen en grenzen",
            "oudersalon_thematisch",
            "koersel",
            days="2TH",
            hours=(time(9), time(11)),
            ages=(0, 83),
            lines=PARENTS,
            themes=("driftbuien", "slapen", "zindelijkheid", "grenzen stellen"),
            languages=("nl", "tr"),
            description=(
                "Elke tweede donderdag van de maand komt een opvoedingsondersteuner van de "
                "Opvoedingswinkel West-Limburg langs. Je brengt je eigen vragen mee: een peuter "
                "die driftbuien heeft, slecht slaapt of niet zindelijk wil worden."
            ),
            skip_school_holidays=True,
            organisers=(("Opvoedingswinkel West-Limburg", SPEAKER, CONFIRMED),),
            counts="thematic",
        ),
        Plan(
            "thema_kleuterklas",
            "Klaar voor de kleuterklas? Instappen en inschrijven",
            "oudersalon_thematisch",
            "tervant",
            days="1TU",
            hours=(time(13, 30), time(15, 30)),
            ages=(18, 71),
            lines=PARENTS | SCHOOL | COOPERATION,
            themes=("instap kleuterschool", "inschrijven", "schoolrijpheid"),
            languages=("nl", "tr", "ar"),
            description=(
                "Wanneer mag je kind naar de kleuterklas, hoe schrijf je in en wat kan je thuis al "
                "oefenen? Het CLB vertelt, het LOP helpt wie wil meteen met de aanmelding."
            ),
            skip_school_holidays=True,
            organisers=(
                ("CLB Beringen", SPEAKER, CONFIRMED),
                ("LOP Beringen", ORGANISER, CONFIRMED),
            ),
            counts="thematic",
        ),
        Plan(
            "thema_voeding",
            "Gezonde brooddozen en tussendoortjes",
            "oudersalon_thematisch",
            "paal",
            hours=(time(9), time(11)),
            first=cal.school_day(cal.today + timedelta(weeks=3), 3),
            ages=(0, 143),
            lines=PARENTS | CHILD,
            themes=("gezonde voeding", "brooddoos", "suiker"),
            languages=("nl", "tr", "ar"),
            description=(
                "Wat steek je in de brooddoos, en hoeveel suiker zit er in een drankje? Met een "
                "diëtiste van de ziekenfondsen, en we proeven samen."
            ),
            organisers=(("Ziekenfondsen Beringen", SPEAKER, INVITED),),
        ),
        Plan(
            "thema_bedplassen",
            "Bedplassen: wat kan je doen?",
            "oudersalon_thematisch",
            "kolonie",
            hours=(time(9, 30), time(11)),
            first=cal.school_day(cal.today + timedelta(weeks=6), 1),
            ages=(36, 143),
            lines=PARENTS,
            themes=("bedplassen", "zindelijkheid"),
            languages=("nl", "tr"),
            description="Nog geen spreker: Kind & Gezin kan niet, we vragen het CKG.",
            organisers=(("Kind & Gezin", SPEAKER, DECLINED),),
            published=False,
        ),
        Plan(
            "babysalon",
            "Babysalon: babymassage en hechting",
            "babysalon",
            "beverlo",
            owner="Kind & Gezin",
            days="TH",
            interval=2,
            hours=(time(9, 30), time(11)),
            ages=(0, 12),
            lines=PARENTS | CHILD,
            themes=("babymassage", "hechting", "borstvoeding", "slapen"),
            languages=("nl", "tr", "ar", "fr", "en"),
            description=(
                "Om de twee weken op donderdagochtend, voor ouders met een baby tot één jaar: "
                "babymassage, liedjes en tijd om te praten met andere ouders. Samen met IN-Zetje, "
                "in het consultatiebureau."
            ),
            translations={
                "en": {
                    "title": "Baby salon: baby massage and bonding",
                    "description": (
                        "Every other Thursday morning for parents with a baby up to one year: "
                        "baby massage, songs and time to talk with other parents."
                    ),
                },
                "fr": {
                    "title": "Salon bébé : massage et lien parent-bébé",
                    "description": (
                        "Un jeudi matin sur deux, pour les parents avec un bébé jusqu'à un an : "
                        "massage bébé, chansons et moment d'échange avec d'autres parents."
                    ),
                },
                "tr": {
                    "title": "Bebek salonu: bebek masajı ve bağ kurma",
                    "description": (
                        "İki haftada bir perşembe sabahı, bir yaşına kadar bebeği olan anne "
                        "babalar için: bebek masajı, şarkılar ve diğer ebeveynlerle sohbet."
                    ),
                },
                "ar": {
                    "title": "صالون الرضّع: تدليك الرضيع والتعلّق",
                    "description": (
                        "صباح يوم الخميس مرة كل أسبوعين، للآباء والأمهات مع رضيع حتى عمر سنة: "
                        "تدليك الرضيع، أغانٍ، ووقت للحديث مع آباء آخرين."
                    ),
                },
            },
            organisers=((IN_Z, ORGANISER, CONFIRMED),),
            counts="baby",
        ),
        Plan(
            "fietsles",
            "Fietsles voor mama's",
            "fietsles",
            "verkeerspark",
            days="FR",
            hours=(time(13), time(15)),
            ages=(0, 143),
            lines=INTEGRATION,
            themes=("fietsen", "mobiliteit", "zelfstandigheid"),
            languages=("nl", "tr", "ar"),
            description=(
                "Leren fietsen op een veilig oefenterrein, en daarna samen de weg op naar school "
                "of de winkel. Met een lesgever van IN-Zetje; fiets en helm krijg je ter plaatse."
            ),
            skip_school_holidays=True,
            registration="Beperkt aantal fietsen: zeg het bij het onthaalmoment of bel IN-Zetje.",
            capacity=8,
            counts="bike",
        ),
        Plan(
            "spreekuur",
            "Opvoedingsspreekuur",
            "spreekuur",
            "bib",
            owner="Opvoedingswinkel West-Limburg",
            days="3WE",
            hours=(time(13, 30), time(16)),
            ages=(0, 215),
            lines=PARENTS,
            themes=("opvoeding", "slapen", "eten", "puberteit"),
            languages=("nl", "fr"),
            description=(
                "Eén keer per maand kan je zonder afspraak terecht met elke vraag over opvoeden, "
                "van baby tot tiener."
            ),
            organisers=(("Stad Beringen – Welzijn", HOST, CONFIRMED),),
            counts="consult",
        ),
        Plan(
            "sinterklaas",
            "Sinterklaasfeest",
            "uitstap",
            "kolonie",
            hours=(time(14), time(16, 30)),
            first=_sinterklaas(cal),
            ages=(0, 107),
            lines=INTEGRATION | CHILD,
            themes=("feest", "sinterklaas"),
            languages=("nl", "tr", "ar"),
            description=(
                "De Sint komt op bezoek in De Kolonie! Met liedjes, speculaas en een klein "
                "cadeautje voor elk kind. Broers en zussen zijn ook welkom."
            ),
            organisers=(("De Draaischijf", ORGANISER, CONFIRMED),),
            counts="party",
        ),
        Plan(
            "huisbezoek",
            "Huisbezoeken IN-Zetje",
            "huisbezoek",
            "kolonie",
            days="TU,TH",
            hours=(time(13), time(16)),
            first=cal.today + timedelta(days=7),
            ages=(0, 83),
            lines=PARENTS | INTEGRATION,
            themes=("huisbezoek", "nazorg"),
            languages=("nl", "tr", "ar"),
            description=(
                "Intern: toeleiding en nazorg bij gezinnen thuis. Niet publiek; gezinnen worden "
                "persoonlijk gecontacteerd."
            ),
            skip_school_holidays=True,
            published=False,
        ),
    ]
    trip_day = _day_trip(cal)
    if trip_day is not None:
        plans.append(
            Plan(
                "uitstap",
                "Daguitstap naar Bokrijk",
                "uitstap",
                "kolonie",
                hours=(time(9), time(17)),
                first=trip_day,
                ages=(0, 155),
                lines=INTEGRATION | CHILD,
                themes=("uitstap", "natuur", "openluchtmuseum"),
                languages=("nl", "tr", "ar"),
                description=(
                    "Met de bus naar het openluchtmuseum van Bokrijk. Vertrek en terugkomst aan "
                    "De Kolonie; breng een lunchpakket mee."
                ),
                cost=CostKind.REDUCED,
                cost_cents=300,
                cost_note="Bus en inkom inbegrepen; wie het moeilijk heeft, betaalt niets.",
                registration="Inschrijven bij het onthaalmoment: de bus heeft 50 plaatsen.",
                capacity=50,
                organisers=(("RIMO Limburg", ORGANISER, CONFIRMED),),
                counts="trip",
            )
        )
    for code, season in (("paas", "paasvakantie"), ("zomer", "zomervakantie")):
        period = cal.latest(code)
        if period is None:
            continue
        plans.append(
            Plan(
                f"vakantiesalon_{code}",
                f"Vakantiesalon in de {season}",
                "vakantiesalon",
                "kolonie" if code == "zomer" else "paal",
                days="TU,TH",
                hours=(time(13, 30), time(16)),
                first=period[0],
                last=period[1],
                ages=(0, 155),
                lines=PARENTS | CHILD | INTEGRATION,
                themes=("vakantie", "spelen", "knutselen", "buiten"),
                languages=("nl", "tr", "ar"),
                description=(
                    f"In de {season}, op dinsdag- en donderdagnamiddag: ouders en kinderen van "
                    "0 tot 12 jaar samen spelen, knutselen en naar buiten. Gratis, zonder "
                    "inschrijving."
                ),
                organisers=(("RIMO Limburg", ORGANISER, CONFIRMED),),
                counts="holiday",
            )
        )
    cancellations = [
        Cancellation("klasje", "Begeleidster ziek; er was geen vervanging.", weeks=10),
        Cancellation(
            "salon_paal", "Code oranje voor ijzel: de zaal bleef dicht.", winter=True, weeks=40
        ),
        Cancellation(
            "salon_kolonie",
            "Nationale stakingsdag: er reden geen bussen, veel ouders geraakten er niet.",
            weeks=20,
        ),
        Cancellation(
            "onthaal", "Aangekondigde nationale staking: De Lijn rijdt niet.", weeks=2, future=True
        ),
        Cancellation("babysalon", "Vroedvrouw ziek.", weeks=30),
    ]
    return Catalogue(places, closures, plans, cancellations)


def _sinterklaas(cal: Calendar) -> date:
    """The Wednesday before 6 December: this year's, or last year's when it is not yet near."""
    day = date(cal.today.year, 12, 6)
    if day > cal.horizon:
        day = date(cal.today.year - 1, 12, 6)
    return day - timedelta(days=(day.weekday() - 2) % 7)


def _day_trip(cal: Calendar) -> date | None:
    """The second Wednesday of July of the last summer holidays."""
    summer = cal.latest_past("zomer")
    if summer is None:
        return None
    day = summer[0] + timedelta(days=(2 - summer[0].weekday()) % 7 + 7)
    return day if day < cal.today else None


# ---------------------------------------------------------------------------------------------
# Sint-Truiden: IN-Zetje Brede School, six schools and their partners


def _sint_truiden(cal: Calendar) -> Catalogue:
    places = [
        Place(
            "regenboog",
            "Basisschool De Regenboog",
            "Tiensesteenweg 48, 3800 Sint-Truiden",
            "Centrum",
            "Kleuterblok en refter op het gelijkvloers; ingang voor buggy's langs de "
            "Kazernestraat.",
        ),
        Place(
            "kersenpit",
            "Freinetschool De Kersenpit",
            "Naamsesteenweg 15, 3800 Sint-Truiden",
            "Centrum",
            "Buggyplaats en fietsenstalling aan de poort.",
        ),
        Place(
            "brustem",
            "Vrije Basisschool Brustem",
            "Kerkstraat 3, 3800 Brustem",
            "Brustem",
        ),
        Place(
            "zepperen",
            "GO! Basisschool Zepperen",
            "Dorpsstraat 20, 3800 Zepperen",
            "Zepperen",
            "Turnzaal op het gelijkvloers, rolstoeltoegankelijk.",
        ),
        Place(
            "velm",
            "Gemeentelijke Basisschool Velm",
            "Kerkplein 5, 3806 Velm",
            "Velm",
        ),
        Place(
            "gingelom",
            "Vrije Basisschool Sint-Jozef",
            "Steenweg 21, 3890 Gingelom",
            "Gingelom",
        ),
        Place(
            "sporthal",
            "Sporthal Haspengouw",
            "Tongersesteenweg 130, 3800 Sint-Truiden",
            "Centrum",
            "Rolstoeltoegankelijk; kleedkamers en toiletten op het gelijkvloers.",
        ),
        Place(
            "academie",
            "Academie voor Beeldende Kunst",
            "Stapelstraat 17, 3800 Sint-Truiden",
            "Centrum",
            "Atelier op de eerste verdieping, zonder lift. Zeg het aan de brugfiguur: dan "
            "werken we in het lokaal op het gelijkvloers.",
        ),
    ]
    closures = [
        (
            "Vormingsdag brugfiguren: voorlezen met de tablet",
            cal.school_day(cal.today + timedelta(weeks=5), 3),
            None,
        ),
    ]
    taal = {
        "kind": "atelier_taal",
        "hours": (time(12, 5), time(12, 50)),
        "ages": (60, 71),
        "lines": CHILD | SCHOOL,
        "themes": ("taal", "voorlezen", "poppenspel", "kleuren"),
        "description": (
            "Op de middag, voor de kinderen van de derde kleuterklas: een verhaal met poppen, "
            "zingen, kleuren en veel praten. Zo groeit hun Nederlands voor ze naar het eerste "
            "leerjaar gaan. De kinderen kiezen mee welk verhaal we spelen."
        ),
        "skip_school_holidays": True,
        "counts": "kindergarten",
    }
    plans = [
        Plan(
            "taal_regenboog",
            "Taalspel met verhalen en poppen",
            place="regenboog",
            days="TU",
            organisers=(("Basisschool De Regenboog (GOK)", HOST, CONFIRMED),),
            **taal,
        ),
        Plan(
            "taal_kersenpit",
            "Poppenkast en verhalen in de kleuterklas",
            place="kersenpit",
            days="TH",
            organisers=(("Freinetschool De Kersenpit", HOST, CONFIRMED),),
            **taal,
        ),
        Plan("taal_velm", "Taalspel in de derde kleuterklas", place="velm", days="MO", **taal),
        Plan(
            "sport",
            "Sportatelier op woensdagnamiddag",
            "atelier_sport",
            "sporthal",
            days="WE",
            hours=(time(13, 30), time(15)),
            ages=(72, 143),
            lines=CHILD | SCHOOL | COOPERATION,
            themes=("sport", "bewegen", "balsporten"),
            description=(
                "Elke woensdagnamiddag een andere sport: voetbal, basket, turnen, badminton. Met "
                "een lesgever van de Sportdienst en de brugfiguur; de kinderen proeven van "
                "clubs uit de buurt."
            ),
            skip_school_holidays=True,
            organisers=(("Sportdienst Sint-Truiden", ORGANISER, CONFIRMED),),
            counts="school_sport",
        ),
        Plan(
            "middagsport",
            "Middagsport op de speelplaats",
            "atelier_sport",
            "brustem",
            owner="Vrije Basisschool Brustem",
            days="TU,TH",
            hours=(time(12, 10), time(12, 50)),
            ages=(36, 143),
            lines=CHILD | SCHOOL,
            themes=("sport", "bewegen", "spelen"),
            description="Bewegen op de middag: tikspelen, touwtjespringen en estafettes.",
            skip_school_holidays=True,
            organisers=((IN_Z, ORGANISER, CONFIRMED),),
            counts="school_noon",
        ),
        Plan(
            "dans",
            "Dansatelier na school",
            "atelier_dans",
            "zepperen",
            days="MO",
            hours=(time(15, 30), time(16, 30)),
            ages=(72, 143),
            lines=CHILD | SCHOOL | COOPERATION,
            themes=("dans", "muziek", "bewegen"),
            description=(
                "Hiphop en moderne dans na de schooltijd, met een docent van Dansatelier "
                "Haspengouw. Op het einde van het schooljaar dansen we voor de ouders."
            ),
            skip_school_holidays=True,
            organisers=(
                ("GO! Basisschool Zepperen", HOST, CONFIRMED),
                ("Dansatelier Haspengouw", ORGANISER, CONFIRMED),
            ),
            counts="school_dance",
        ),
        Plan(
            "dans_middag",
            "Dansen op de middag",
            "atelier_dans",
            "gingelom",
            days="FR",
            hours=(time(12, 10), time(12, 50)),
            ages=(36, 143),
            lines=CHILD | SCHOOL,
            themes=("dans", "muziek"),
            description="Dansen en bewegen op muziek, op vrijdagmiddag in de turnzaal.",
            skip_school_holidays=True,
            counts="school_noon",
        ),
        Plan(
            "tekenacademie",
            "Tekenacademie voor kinderen",
            "tekenacademie",
            "academie",
            days="WE",
            hours=(time(13, 30), time(15, 30)),
            ages=(72, 143),
            lines=CHILD | SCHOOL | COOPERATION,
            themes=("tekenen", "schilderen", "kunst"),
            description=(
                "Tekenen en schilderen in een echt atelier van de academie. Voor kinderen die "
                "thuis weinig kansen hebben om creatief bezig te zijn."
            ),
            skip_school_holidays=True,
            cost=CostKind.REDUCED,
            cost_cents=200,
            cost_note="€ 2 per keer voor het materiaal; gratis met het UiTPAS-kansentarief.",
            registration=(
                "De school of de brugfiguur schrijft kinderen in: vraag het aan de juf of meester."
            ),
            capacity=12,
            organisers=(("Jeugddienst Sint-Truiden", ORGANISER, CONFIRMED),),
            counts="school_art",
        ),
        Plan(
            "verteltassen",
            "Verteltassen: samen lezen thuis",
            "verteltassen",
            "kersenpit",
            days="FR",
            hours=(time(15, 15), time(16)),
            ages=(36, 107),
            lines=CHILD | PARENTS | SCHOOL,
            themes=("voorlezen", "meertaligheid", "boeken"),
            languages=("nl", "tr", "ar", "fr", "pl", "ro"),
            description=(
                "Elke vrijdag na school ruil je je verteltas aan de schoolpoort: prentenboeken, "
                "een knuffel en een spel, ook in je thuistaal. De brugfiguur brengt de eerste tas "
                "op huisbezoek en laat zien hoe je samen voorleest."
            ),
            translations={
                "en": {
                    "title": "Story bags: reading together at home",
                    "description": (
                        "Every Friday after school, swap your story bag at the school gate: "
                        "picture books, a cuddly toy and a game, also in your home language."
                    ),
                },
                "fr": {
                    "title": "Sacs à histoires : lire ensemble à la maison",
                    "description": (
                        "Chaque vendredi après l'école, échangez votre sac à histoires à la porte "
                        "de l'école : albums, peluche et jeu, aussi dans votre langue."
                    ),
                },
                "tr": {
                    "title": "Masal çantaları: evde birlikte okuma",
                    "description": (
                        "Her cuma okuldan sonra masal çantanızı okul kapısında değiştirin: "
                        "resimli kitaplar, bir peluş oyuncak ve bir oyun, ana dilinizde de."
                    ),
                },
                "ar": {
                    "title": "حقائب الحكايات: القراءة معاً في البيت",
                    "description": (
                        "كل يوم جمعة بعد المدرسة، بدّل حقيبة الحكايات عند باب المدرسة: كتب "
                        "مصوّرة، دمية ولعبة، وأيضاً بلغتك الأم."
                    ),
                },
            },
            skip_school_holidays=True,
            organisers=(("Integratiedienst Sint-Truiden", ORGANISER, CONFIRMED),),
            counts="reading_bags",
        ),
        Plan(
            "koffie",
            "Koffiemoment aan de schoolpoort",
            "oudersalon",
            "regenboog",
            owner="Basisschool De Regenboog (GOK)",
            days="FR",
            hours=(time(8, 30), time(9, 30)),
            ages=(0, 143),
            lines=PARENTS | INTEGRATION | SCHOOL,
            themes=("ontmoeting", "school", "ouderbetrokkenheid"),
            languages=("nl", "tr", "ar", "fr"),
            description=(
                "Elke vrijdag na het afzetten van de kinderen: koffie, thee en een babbel met "
                "andere ouders en de brugfiguur. Breng gerust je vragen over school mee."
            ),
            translations={
                "en": {
                    "title": "Coffee at the school gate",
                    "description": (
                        "Every Friday after dropping off the children: coffee, tea and a chat "
                        "with other parents and the bridge worker. Bring your questions about "
                        "school."
                    ),
                },
                "fr": {
                    "title": "Café à la porte de l'école",
                    "description": (
                        "Chaque vendredi après avoir déposé les enfants : café, thé et discussion "
                        "avec d'autres parents et la personne-relais. Apportez vos questions sur "
                        "l'école."
                    ),
                },
                "tr": {
                    "title": "Okul kapısında kahve",
                    "description": (
                        "Her cuma çocukları okula bıraktıktan sonra: diğer velilerle kahve, çay "
                        "ve sohbet. Okulla ilgili sorularınızı getirin."
                    ),
                },
                "ar": {
                    "title": "قهوة عند باب المدرسة",
                    "description": (
                        "كل يوم جمعة بعد إيصال الأطفال: قهوة وشاي ودردشة مع أولياء أمور آخرين. "
                        "أحضر أسئلتك عن المدرسة."
                    ),
                },
            },
            skip_school_holidays=True,
            organisers=((IN_Z, ORGANISER, CONFIRMED),),
            counts="school_parents",
        ),
        Plan(
            "thema_school",
            "Hoe werkt de school in Vlaanderen?",
            "oudersalon_thematisch",
            "kersenpit",
            days="1TU",
            hours=(time(8, 45), time(10, 15)),
            ages=(30, 143),
            lines=PARENTS | SCHOOL | INTEGRATION,
            themes=("onderwijs", "rapport", "oudercontact", "schoolkosten"),
            languages=("nl", "tr", "ar", "fr"),
            description=(
                "Elke eerste dinsdag van de maand een ander thema: het rapport lezen, het "
                "oudercontact, de maximumfactuur, huiswerk. Met een medewerker van het CLB."
            ),
            skip_school_holidays=True,
            organisers=(
                ("CLB Sint-Truiden", SPEAKER, CONFIRMED),
                ("Integratiedienst Sint-Truiden", ORGANISER, CONFIRMED),
            ),
            counts="thematic",
        ),
        Plan(
            "thema_scherm",
            "Ouderavond: schermtijd en slapen",
            "oudersalon_thematisch",
            "regenboog",
            hours=(time(19), time(20, 30)),
            first=cal.school_day(cal.today + timedelta(weeks=4), 1),
            ages=(36, 143),
            lines=PARENTS,
            themes=("schermtijd", "slapen", "gsm"),
            languages=("nl", "tr"),
            description=(
                "Hoeveel schermtijd is genoeg, en hoe krijg je de tablet 's avonds weg? Met de "
                "Opvoedingswinkel Haspengouw. Er is opvang voor de kinderen."
            ),
            organisers=(
                ("Opvoedingswinkel Haspengouw", SPEAKER, CONFIRMED),
                ("Basisschool De Regenboog (GOK)", HOST, CONFIRMED),
            ),
        ),
        Plan(
            "spreekuur",
            "Spreekuur schooltoelage en schoolkosten",
            "spreekuur",
            "regenboog",
            owner="OCMW Sint-Truiden",
            days="3MO",
            hours=(time(13, 30), time(15, 30)),
            ages=(0, 215),
            lines=PARENTS | INTEGRATION | COOPERATION,
            themes=("schooltoelage", "schoolkosten", "kinderarmoede"),
            languages=("nl", "fr"),
            description=(
                "De coördinator kinderarmoede van het OCMW helpt met de aanvraag van de "
                "schooltoelage en met schoolrekeningen die je moeilijk kan betalen. Zonder "
                "afspraak."
            ),
            skip_school_holidays=True,
            organisers=(("Basisschool De Regenboog (GOK)", HOST, CONFIRMED),),
            counts="consult",
        ),
        Plan(
            "huisbezoek",
            "Huisbezoek met verteltas",
            "huisbezoek",
            "kersenpit",
            days="TU",
            hours=(time(13, 30), time(16)),
            first=cal.today + timedelta(days=7),
            ages=(36, 107),
            lines=PARENTS | CHILD,
            themes=("voorlezen", "huisbezoek"),
            languages=("nl", "tr", "ar"),
            description="Intern: de brugfiguur brengt de eerste verteltas bij het gezin thuis.",
            skip_school_holidays=True,
            published=False,
        ),
    ]
    summer = cal.latest_past("zomer")
    if summer is not None:
        monday = summer[0] + timedelta(days=(7 - summer[0].weekday()) % 7 + 7)
        plans.append(
            Plan(
                "speelweek",
                "Sport- en speelweken in de zomervakantie",
                "atelier_sport",
                "sporthal",
                days="MO,TU,WE,TH,FR",
                hours=(time(9, 30), time(15, 30)),
                first=monday,
                last=monday + timedelta(days=11),
                ages=(48, 143),
                lines=CHILD | INTEGRATION | COOPERATION,
                themes=("sport", "spelen", "vakantie"),
                description=(
                    "Twee weken in juli: elke dag sport, spel en een uitstap, met de Chiro en de "
                    "Sportdienst. Kinderen die de school of het OCMW toeleidt, gaan gratis mee."
                ),
                cost=CostKind.REDUCED,
                cost_cents=2500,
                cost_note="€ 25 per week; gratis via de school, het OCMW of de Integratiedienst.",
                registration="Inschrijven via de school of de brugfiguur.",
                capacity=40,
                organisers=(
                    ("Chiro Sint-Truiden", ORGANISER, CONFIRMED),
                    ("Sportdienst Sint-Truiden", ORGANISER, CONFIRMED),
                ),
                counts="holiday_kids",
            )
        )
    spring = cal.latest("krokus")
    if spring is not None:
        plans.append(
            Plan(
                "krokusatelier",
                "Krokusatelier: verhalen, poppen en knutselen",
                "atelier_taal",
                "regenboog",
                days="MO,TU,WE,TH",
                hours=(time(10), time(12)),
                first=spring[0],
                last=spring[0] + timedelta(days=3),
                ages=(36, 107),
                lines=CHILD | SCHOOL,
                themes=("taal", "voorlezen", "knutselen", "vakantie"),
                languages=("nl",),
                description=(
                    "Vier ochtenden in de krokusvakantie: verhalen, poppenkast en knutselen, "
                    "zodat het Nederlands niet op vakantie gaat."
                ),
                organisers=(("Basisschool De Regenboog (GOK)", HOST, CONFIRMED),),
                counts="holiday_kids",
            )
        )
    cancellations = [
        Cancellation("sport", "Lesgever van de Sportdienst ziek.", weeks=12),
        Cancellation("koffie", "Onderwijsstaking: de school was gesloten.", weeks=36, winter=False),
        Cancellation(
            "tekenacademie", "Storm (code oranje): de academie bleef dicht.", winter=True, weeks=40
        ),
        Cancellation("taal_regenboog", "Brugfiguur ziek.", weeks=6),
        Cancellation(
            "verteltassen",
            "Aangekondigde onderwijsstaking: de school is dicht, we ruilen volgende week.",
            weeks=3,
            future=True,
        ),
    ]
    return Catalogue(places, closures, plans, cancellations)


CATALOGUES = {"beringen": _beringen, "sint-truiden": _sint_truiden}


# ---------------------------------------------------------------------------------------------
# Seeding


def seed_catalogue(network: Network, steward_user: User | None) -> dict:
    """Give a demo network its catalogue (inside its `network_scope`); nothing if it has one."""
    counts = dict.fromkeys(
        ("locations", "closures", "offers", "sessions", "headcounts", "cancelled"), 0
    )
    build = CATALOGUES.get(network.slug)
    if build is None or _has_catalogue():
        return counts
    services.seed_offer_types()
    today = to_local(utcnow()).date()
    cal = Calendar.around(today)
    catalogue = build(cal)

    for _code, label, first, last in cal.holidays:
        db.session.add(
            Closure(kind=ClosureKind.SCHOOL_HOLIDAY, label=label, starts_on=first, ends_on=last)
        )
        counts["closures"] += 1
    for label, first, last in _with_bridge_days(catalogue.closures, cal):
        db.session.add(
            Closure(kind=ClosureKind.CLOSURE, label=label, starts_on=first, ends_on=last or first)
        )
        counts["closures"] += 1

    places = {}
    for place in catalogue.places:
        places[place.key] = Location(
            name=place.name,
            address=place.address,
            neighbourhood=place.neighbourhood,
            accessibility=place.accessibility,
        )
        db.session.add(places[place.key])
        counts["locations"] += 1
    db.session.flush()

    partners = {p.name: p for p in db.session.execute(select(Partner)).scalars()}
    types = {t.code: t.id for t in services.offer_types()}
    author = _person(Role.SE_COORDINATOR) or steward_user
    counter = _person(Role.SE_WORKER) or author
    offers = {}
    for plan in catalogue.plans:
        rng = random.Random(f"{network.slug}:{plan.key}")
        offer = services.save_offer(
            None,
            _data(plan, cal, types, places),
            partner=partners[plan.owner],
            user=author,
        )
        offers[plan.key] = offer
        counts["offers"] += 1
        for name, role, answer in plan.organisers:
            if partners[name].state != PartnerState.ACTIVE:
                continue  # only active partners take part (an invited school joins later)
            link = services.set_organiser(offer, partners[name], role)
            if role == SPEAKER and answer != INVITED:
                link.answer = answer
                link.answered_at = utcnow() - timedelta(days=rng.randint(2, 20))
        # what happened before the offer went public: cancellations and headcounts of the past
        for cancel in catalogue.cancellations:
            if cancel.offer == plan.key and not cancel.future:
                session = _past_session(offer, cancel, cal)
                if session is not None:
                    services.cancel_session(session, cancel.reason)
                    counts["cancelled"] += 1
        if plan.counts:
            counts["headcounts"] += _count(offer, plan.counts, rng, getattr(counter, "id", None))
        if plan.published:
            services.publish(offer)
        for cancel in catalogue.cancellations:
            if cancel.offer == plan.key and cancel.future:
                session = _coming_session(offer, cancel.weeks)
                if session is not None:
                    services.cancel_session(session, cancel.reason)
                    counts["cancelled"] += 1
        counts["sessions"] += db.session.execute(
            select(func.count(ActivitySession.id)).where(ActivitySession.offer_id == offer.id)
        ).scalar_one()
    db.session.flush()
    return counts


def _has_catalogue() -> bool:
    return any(
        db.session.execute(select(model.id).limit(1)).first() is not None
        for model in (Location, Offer)
    )


def _with_bridge_days(closures: list, cal: Calendar) -> list[tuple[str, date, date | None]]:
    bridge = [
        ("Brugdag na O.L.H. Hemelvaart", day, None)
        for day in (bridge_day_after_ascension(y) for y in range(cal.first.year, cal.last.year + 1))
        if cal.first <= day <= cal.last
    ]
    return sorted([*closures, *bridge], key=lambda c: c[1])


def _person(role: Role) -> User | None:
    return db.session.execute(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.role == role)
        .order_by(Membership.id)
        .limit(1)
    ).scalar_one_or_none()


def _rule(plan: Plan, first: date, last: date) -> str:
    if not plan.days:
        return ""
    until = f"UNTIL={last:%Y%m%d}"
    if plan.days[0].isdigit() or plan.days[0] == "-":
        return f"FREQ=MONTHLY;BYDAY={plan.days};{until}"
    step = f"INTERVAL={plan.interval};" if plan.interval > 1 else ""
    return f"FREQ=WEEKLY;{step}BYDAY={plan.days};{until}"


def _data(plan: Plan, cal: Calendar, types: dict, places: dict) -> services.OfferData:
    first = plan.first or cal.first
    last = plan.last or cal.last
    rule = _rule(plan, first, last)
    if rule:  # start on the first date of the rule, as the form would show it
        start = datetime.combine(first, plan.hours[0])
        first = parse_rule(rule, start).after(start, inc=True).date()
    return services.OfferData(
        title=plan.title,
        type_id=types[plan.kind],
        location_id=places[plan.place].id,
        start_date=first,
        start_time=plan.hours[0],
        end_time=plan.hours[1],
        rrule=rule,
        description=plan.description,
        translations=plan.translations,
        action_lines=int(plan.lines),
        age_min_months=plan.ages[0],
        age_max_months=plan.ages[1],
        themes=list(plan.themes),
        languages=list(plan.languages),
        cost_kind=plan.cost,
        cost_cents=plan.cost_cents,
        cost_note=plan.cost_note,
        registration_required=bool(plan.registration),
        registration_note=plan.registration,
        capacity=plan.capacity,
        skip_school_holidays=plan.skip_school_holidays,
    )


def _sessions(offer: Offer, *, past: bool) -> list[ActivitySession]:
    now = utcnow()
    query = select(ActivitySession).where(
        ActivitySession.offer_id == offer.id,
        ActivitySession.status == SessionStatus.SCHEDULED,
        ActivitySession.starts_at < now if past else ActivitySession.starts_at >= now,
    )
    return list(
        db.session.execute(query.order_by(ActivitySession.starts_at, ActivitySession.id)).scalars()
    )


def _past_session(offer: Offer, cancel: Cancellation, cal: Calendar) -> ActivitySession | None:
    sessions = _sessions(offer, past=True)
    if cancel.winter:
        winter = [s for s in sessions if to_local(s.starts_at).month in (1, 2)]
        if winter:
            return winter[0]
    if not sessions:
        return None
    target = utcnow() - timedelta(weeks=cancel.weeks)
    return min(sessions, key=lambda s: abs(s.starts_at - target))


def _coming_session(offer: Offer, n: int) -> ActivitySession | None:
    sessions = _sessions(offer, past=False)
    return sessions[min(n, len(sessions)) - 1] if sessions else None


def _count(offer: Offer, profile: str, rng: random.Random, user_id: int | None) -> int:
    """Headcounts for about nine in ten past sessions, a few of them corrected afterwards."""
    ranges = PROFILES[profile]
    values, weights = FIRST_TIME.get(profile, FIRST_TIME_DEFAULT)
    rows = 0
    for session in _sessions(offer, past=True):
        if rng.random() >= COUNTED_SHARE:
            continue
        numbers = {name: rng.randint(low, high) for name, (low, high) in ranges.items()}
        numbers["first_time_families"] = rng.choices(values, weights)[0]
        row = services.record_headcount(session, numbers, user_id)
        row.created_at = min(session.ends_at + timedelta(minutes=rng.randint(5, 90)), utcnow())
        rows += 1
        if rng.random() < CORRECTED_SHARE:
            name = rng.choice(sorted(ranges))
            fixed = dict(numbers)
            fixed[name] = max(0, fixed[name] + rng.choice((-2, -1, 1, 2)))
            if fixed == numbers:
                fixed[name] += 1
            again = services.record_headcount(session, fixed, user_id)
            again.created_at = min(row.created_at + timedelta(days=rng.randint(1, 3)), utcnow())
            rows += 1
    return rows
