"""Where the demo merchant sells: one entry per country, saying how many of its customers live
there and which Faker locales speak for them. The values themselves (names, streets, cities,
postcodes, phones, companies, email domains, VAT numbers) come from Faker, the countries and
their subdivisions from pycountry, the phone formats from phonenumbers; this table holds only
the mix."""

from __future__ import annotations

from dataclasses import dataclass

Weights = tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class Market:
    code: str  # ISO 3166-1 alpha-2
    weight: float  # share of the customers
    locales: Weights  # Faker locales of the addresses, phones and companies
    currency: str
    # Name cultures of people living there besides the locals (Faker locales); the rest of
    # the share goes to the address locale's own names.
    names: Weights = ()
    # "iso": the state is an ISO 3166-2 subdivision code (without the country prefix, as DR
    # expects: "VA" for US-VA); "faker": the locale's own region names; "": no state.
    states: str = ""
    tax_type: str | None = None  # DR's tax identifier type for the country's VAT number
    # The DR locale of customers whose address locale DR does not support.
    fallback_locale: str = "en_US"


MARKETS: tuple[Market, ...] = (
    Market(
        "US",
        30,
        (("en_US", 1),),
        "USD",
        names=(
            ("es_MX", 10),
            ("en_IN", 3),
            ("zh_CN", 3),
            ("it_IT", 2),
            ("de_DE", 2),
            ("pl_PL", 2),
            ("ja_JP", 2),
            ("fr_FR", 1),
            ("pt_BR", 1),
        ),
        states="iso",
    ),
    Market(
        "CA",
        5,
        (("en_CA", 75), ("fr_CA", 25)),
        "CAD",
        names=(("zh_CN", 8), ("en_IN", 4), ("it_IT", 2), ("pt_BR", 2)),
        states="iso",
        tax_type="ca",
    ),
    Market(
        "GB",
        8,
        (("en_GB", 1),),
        "GBP",
        names=(("en_IN", 5), ("pl_PL", 3), ("it_IT", 2), ("fr_FR", 2), ("zh_CN", 2)),
        tax_type="uk",
    ),
    Market(
        "DE",
        10,
        (("de_DE", 1),),
        "EUR",
        names=(("pl_PL", 2), ("it_IT", 2), ("en_GB", 2), ("ro_RO", 1), ("cs_CZ", 1)),
        tax_type="de",
    ),
    Market("AT", 1.5, (("de_AT", 1),), "EUR", names=(("cs_CZ", 3), ("pl_PL", 3)), tax_type="at"),
    Market(
        "CH",
        2,
        (("de_CH", 65), ("fr_CH", 35)),
        "CHF",
        names=(("it_IT", 8), ("pt_BR", 2)),
        states="iso",
        tax_type="ch",
        fallback_locale="de_CH",
    ),
    Market(
        "FR",
        8,
        (("fr_FR", 1),),
        "EUR",
        names=(("pt_BR", 3), ("it_IT", 2), ("es_ES", 2), ("en_GB", 1)),
        tax_type="fr",
    ),
    Market(
        "BE",
        1.5,
        (("nl_BE", 1),),
        "EUR",
        names=(("fr_BE", 40), ("it_IT", 3)),
        tax_type="be",
        fallback_locale="nl_BE",
    ),
    Market("NL", 4, (("nl_NL", 1),), "EUR", names=(("de_DE", 2), ("pl_PL", 2)), tax_type="nl"),
    Market(
        "IT",
        3,
        (("it_IT", 1),),
        "EUR",
        names=(("ro_RO", 3), ("es_ES", 2)),
        states="iso",
        tax_type="it",
    ),  # fmt: skip
    Market("ES", 3, (("es_ES", 1),), "EUR", names=(("ro_RO", 2), ("en_GB", 2)), tax_type="es"),
    Market("SE", 2, (("sv_SE", 1),), "SEK", names=(("fi_FI", 3), ("pl_PL", 2)), tax_type="se"),
    Market("DK", 1, (("da_DK", 1),), "DKK", names=(("de_DE", 2),), tax_type="dk"),
    Market("NO", 1, (("no_NO", 1),), "NOK", names=(("sv_SE", 3),), tax_type="no"),
    Market("FI", 1, (("fi_FI", 1),), "EUR", names=(("sv_SE", 10),), tax_type="fi"),
    Market("PL", 2, (("pl_PL", 1),), "PLN", names=(("de_DE", 2),), tax_type="pl"),
    Market("CZ", 1, (("cs_CZ", 1),), "CZK", names=(("pl_PL", 2), ("de_DE", 3)), tax_type="cz"),
    Market("RO", 1, (("ro_RO", 1),), "RON", tax_type="ro"),
    Market(
        "JP",
        7,
        (("ja_JP", 1),),
        "JPY",
        names=(("en_US", 2), ("zh_CN", 1)),
        states="faker",
        tax_type="jp",
    ),  # fmt: skip
    Market("KR", 1.5, (("ko_KR", 1),), "KRW"),
    Market("CN", 1.5, (("zh_CN", 1),), "CNY", states="faker", fallback_locale="zh_CN"),
    Market("TW", 1, (("zh_TW", 1),), "TWD", tax_type="tw"),
    Market(
        "BR",
        5,
        (("pt_BR", 1),),
        "BRL",
        names=(("it_IT", 3), ("ja_JP", 2), ("de_DE", 2)),
        states="iso",
        tax_type="br",
    ),
    Market(
        "AU",
        1.5,
        (("en_AU", 1),),
        "AUD",
        names=(("zh_CN", 5), ("en_IN", 3)),
        states="iso",
        tax_type="au",
    ),  # fmt: skip
)

# Addresses of these locales lie in these subdivisions only (Quebec, French-speaking cantons).
LOCALE_STATES: dict[str, tuple[str, ...]] = {"fr_CA": ("QC",), "fr_CH": ("GE", "VD", "NE", "JU")}

# Formats of the VAT numbers Faker has no provider for ('#' a digit); Faker fills them.
TAX_FORMATS: dict[str, str] = {
    "ca": "#########RT0001",
    "dk": "DK########",
    "no": "#########MVA",
    "jp": "T#############",
    "tw": "########",
    "au": "###########",
}

# Market shares of card brands (weights).
CARD_BRANDS: Weights = (
    ("Visa", 45),
    ("Mastercard", 35),
    ("American Express", 10),
    ("Discover", 4),
    ("JCB", 3),
    ("Diners Club", 1),
    ("UnionPay", 2),
)

# What integrators keep in metadata, and the shared mailboxes of companies.
METADATA_SEGMENTS = ("smb", "enterprise", "consumer", "education", "government", "partner")
METADATA_CHANNELS = ("web", "mobile-app", "partner-portal", "import", "phone-sales", "reseller")
METADATA_TIERS = ("bronze", "silver", "gold", "platinum")
ROLE_MAILBOXES = ("billing", "accounts", "purchasing", "it", "finance", "procurement", "info")
