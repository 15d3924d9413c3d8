"""Who a regulation admits: the kinds of applicant, in the words the seeds use for them.

A regulation that names its applicants only as legal entities («Заңды тұлғалар (бұдан әрі -
көрсетілетін қызметті алушы)», e.g. Almaty's narcotics licence, seed 004 lines 2620-2621) admits
no one else: the one intake (`channels.walk`, which the portal, the applicant API, the office desk
and the PSC all go through) refuses an individual before any check runs, with this message in the
three languages; the engine's filing refuses the same (`services.file`).
"""

from __future__ import annotations

from qyzmet.identity.numbers import applicant_kind

# (kk, ru, en): whom the service is for (the plural, as "provided to ..."), and what an applicant is.
KIND_NAMES = {
    "individual": (
        ("жеке тұлғаларға", "физическим лицам", "individuals"),
        ("жеке тұлға", "физическое лицо", "an individual"),
    ),
    "legal_entity": (
        ("заңды тұлғаларға", "юридическим лицам", "legal entities"),
        ("заңды тұлға", "юридическое лицо", "a legal entity"),
    ),
    "individual_entrepreneur": (
        ("жеке кәсіпкерлерге", "индивидуальным предпринимателям", "individual entrepreneurs"),
        ("жеке кәсіпкер", "индивидуальный предприниматель", "an individual entrepreneur"),
    ),
}
AND = ("және", "и", "and")
LANGUAGES = ("kk", "ru", "en")


def _joined(words: list[str], i: int) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {AND[i]} {words[-1]}"


def kind_name(kind: str, language: str) -> str:
    """An applicant kind's name in `language` ("a legal entity")."""
    return KIND_NAMES[kind][1][LANGUAGES.index(language)]


def not_admitted(reg, variant: str | None, applicant: str, kind: str | None = None) -> dict:
    """Why `applicant` (an IIN or BIN, of `kind`: by default as its number tells) cannot apply
    under `reg` (and `variant`): kk/ru/en."""
    kinds = reg.admitted_applicants(variant)
    kind = kind or applicant_kind(applicant)
    texts = {}
    for i, lang in enumerate(LANGUAGES):
        whom = _joined([KIND_NAMES[k][0][i] for k in kinds], i)
        who = KIND_NAMES[kind][1][i]
        texts[lang] = {
            "kk": f"Бұл мемлекеттік қызмет регламент бойынша тек {whom} көрсетіледі; өтініш беруші ({applicant}) – {who}. Өтініш қабылданбайды.",
            "ru": f"По регламенту эта государственная услуга оказывается только {whom}; заявитель ({applicant}) — {who}. Заявление не может быть принято.",
            "en": f"Under its regulation this service is provided only to {whom}; the applicant ({applicant}) is {who}. The application cannot be accepted.",
        }[lang]
    return texts


def refusal_for(
    reg, variant: str | None, applicant: str, kind: str | None, channel: str | None = None
) -> dict | None:
    """The kk/ru/en refusal of an applicant (number `applicant`, of `kind`) the regulation or the
    variant does not admit in `channel`; None when it does (or the kind is unknown)."""
    if reg.admits(variant, kind, channel):
        return None
    return not_admitted(reg, variant, applicant, kind)
