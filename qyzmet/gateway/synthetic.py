"""Synthetic but plausible data for the simulators, the same every time for the same number.

Each answer is drawn from a generator seeded with a SHA-256 of the system and the number
(not Python's `hash`, which changes between processes), so the in-process simulator and the
HTTP one give identical answers, and a demo person keeps her address from one day to the next.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random

from qyzmet.identity import numbers

from . import faults

MALE_NAMES = [
    "Нұрлан",
    "Асқар",
    "Ерлан",
    "Дәурен",
    "Бауыржан",
    "Серік",
    "Арман",
    "Марат",
    "Айдос",
    "Ержан",
    "Қайрат",
    "Тимур",
]
FEMALE_NAMES = [
    "Айгүл",
    "Гүлнара",
    "Динара",
    "Жанар",
    "Сәуле",
    "Әйгерім",
    "Аружан",
    "Мадина",
    "Ақбота",
    "Назерке",
    "Гүлмира",
    "Ботагөз",
]
# Surnames in the Russian-style form still on most identity cards; the feminine adds "а".
SURNAME_STEMS = [
    "Ахметов",
    "Омаров",
    "Қасымов",
    "Сәрсенбаев",
    "Жұмабаев",
    "Тоқтаров",
    "Серікбаев",
    "Бекмұхамбетов",
    "Исаев",
    "Нұрпейісов",
    "Әбілов",
    "Смағұлов",
]
FATHER_NAMES = ["Серік", "Болат", "Қанат", "Мұрат", "Ержан", "Талғат", "Бақыт", "Жомарт", "Әсет", "Дархан"]

CITIES = [
    ("Алматы қ.", "Алматы қ."),
    ("Астана қ.", "Астана қ."),
    ("Шымкент қ.", "Шымкент қ."),
    ("Қарағанды облысы", "Қарағанды қ."),
    ("Ақтөбе облысы", "Ақтөбе қ."),
    ("Павлодар облысы", "Павлодар қ."),
    ("Шығыс Қазақстан облысы", "Өскемен қ."),
    ("Атырау облысы", "Атырау қ."),
    ("Жамбыл облысы", "Тараз қ."),
    ("Қостанай облысы", "Қостанай қ."),
]
STREETS = [
    "Абай даңғылы",
    "Төле би көшесі",
    "Сейфуллин даңғылы",
    "Достық даңғылы",
    "Жібек жолы көшесі",
    "Қабанбай батыр көшесі",
    "Әл-Фараби даңғылы",
    "Сәтпаев көшесі",
    "Бөгенбай батыр көшесі",
    "Құрманғазы көшесі",
]

LEGAL_FORMS = [
    ("ЖШС", "limited liability partnership"),
    ("АҚ", "joint-stock company"),
    ("ЖК", "individual entrepreneur"),
    ("ҚБ", "public association"),
]
ENTITY_WORDS = [
    "Алтын Дән",
    "Жарық",
    "Мед Сервис",
    "Шипагер",
    "Дала Фарм",
    "Береке",
    "Сенім",
    "Нұр Құрылыс",
    "Жасыл Әлем",
    "Көктем",
    "Ақ Жол",
    "Тұлпар",
]

# Tax debts by budget classification code (КБК) of the kinds an applicant is refused for.
TAX_KINDS = [
    ("101101", "Корпоративтік табыс салығы"),
    ("101201", "Жеке табыс салығы"),
    ("103101", "Әлеуметтік салық"),
    ("104101", "Мүлік салығы"),
    ("105101", "Қосылған құн салығы"),
]


# Life events the state databases record, on demand like the faults (faults.py): a number whose
# serial (digits 8-11) is in this range is of a person who has died (Individuals) or of an entity
# that was liquidated (Legal entities), on a day drawn from the number. The register's watch
# (registry/watch.py) finds them.
LIFE_EVENT_SERIALS = range(9980, 9982)


def has_life_event(number: str) -> bool:
    return len(number) == 12 and number.isdigit() and int(number[7:11]) in LIFE_EVENT_SERIALS


def life_event_number(prefix7: str) -> str:
    """A valid IIN or BIN with these first seven digits whose holder died or was liquidated."""
    for serial in LIFE_EVENT_SERIALS:
        first11 = f"{prefix7}{serial:04d}"
        check = numbers.control_digit(first11)
        if check is not None:
            return first11 + str(check)
    raise ValueError(f"no valid number with prefix {prefix7}")  # pragma: no cover


def _life_event_day(rng: random.Random) -> str:
    return (dt.date(2015, 7, 1) + dt.timedelta(days=rng.randrange(0, 180))).isoformat()


def rng_for(*parts: str) -> random.Random:
    seed = hashlib.sha256("|".join(parts).encode()).digest()
    # Not for security: only a repeatable source of demo data.
    return random.Random(seed)  # noqa: S311


def address(rng: random.Random) -> dict:
    region, city = rng.choice(CITIES)
    return {
        "region": region,
        "city": city,
        "street": rng.choice(STREETS),
        "house": str(rng.randint(1, 250)),
        "flat": str(rng.randint(1, 180)) if rng.random() < 0.7 else None,
        "postcode": f"{rng.randint(10, 19)}{rng.randint(0, 9999):04d}",
    }


def person(iin: str) -> dict:
    rng = rng_for("individuals", iin)
    info = numbers.describe(iin)["iin"]
    sex = info["sex"]
    born = info["birth_date"]
    if born is None:  # digits that are not a date are valid since Decree 853; invent one
        born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 45))
    first = rng.choice(MALE_NAMES if sex == "male" else FEMALE_NAMES)
    stem = rng.choice(SURNAME_STEMS)
    father = rng.choice(FATHER_NAMES)
    issued = max(born + dt.timedelta(days=16 * 365), dt.date(2012, 1, 1)) + dt.timedelta(
        days=rng.randrange(0, 3000)
    )
    return {
        "iin": iin,
        "surname": stem if sex == "male" else stem + "а",
        "first_name": first,
        # Kazakh patronymic: the father's name with -ұлы (son of) or -қызы (daughter of).
        "patronymic": father + ("ұлы" if sex == "male" else "қызы"),
        "birth_date": born.isoformat(),
        "sex": sex,
        "citizenship": "KZ",
        "address": address(rng),
        "document": {
            "type": "identity_card",
            "number": f"0{rng.randint(10_000_000, 99_999_999)}",
            "issued_by": "ҚР ІІМ",
            "issued": issued.isoformat(),
            "valid_until": (issued + dt.timedelta(days=10 * 365)).isoformat(),
        },
        "deceased_on": _life_event_day(rng) if has_life_event(iin) else None,
    }


def entity(bin_: str) -> dict:
    rng = rng_for("legal_entities", bin_)
    info = numbers.describe(bin_)["bin"]
    form, form_en = rng.choice(LEGAL_FORMS[:2] if bin_[4] == "4" else LEGAL_FORMS)
    registered = dt.date(2000 + int(bin_[:2]), int(bin_[2:4]), rng.randint(1, 28))
    head_iin = numbers.generate_iin(rng=rng)
    while faults.magic_kind(head_iin):  # a head whose own lookup always times out would confuse demos
        head_iin = numbers.generate_iin(rng=rng)
    head = person(head_iin)
    return {
        "bin": bin_,
        "name": f"{form} «{rng.choice(ENTITY_WORDS)}»",
        "legal_form": form,
        "legal_form_en": form_en,
        "type": info["type"],
        "attribute": info["attribute"],
        "registration_date": registered.isoformat(),
        "head": {
            "iin": head_iin,
            "name": f"{head['surname']} {head['first_name']} {head['patronymic']}",
        },
        "address": address(rng),
        "status": "liquidated" if has_life_event(bin_) else "active",
        "liquidated_on": _life_event_day(rng) if has_life_event(bin_) else None,
    }


def tax_debts(number: str) -> dict:
    rng = rng_for("tax", number)
    debts = []
    if rng.random() < 0.3:  # about a third of taxpayers owe something, so refusals can be shown
        for code, name in rng.sample(TAX_KINDS, rng.randint(1, 2)):
            since = dt.date(2014, 1, 1) + dt.timedelta(days=rng.randrange(0, 600))
            debts.append(
                {"kbk": code, "name": name, "amount": rng.randint(3, 2000) * 100, "since": since.isoformat()}
            )
    return {
        "number": number,
        "has_debts": bool(debts),
        "total": sum(d["amount"] for d in debts),
        "debts": debts,
    }
