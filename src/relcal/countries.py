"""ISO 3166-1 alpha-2 country codes (the 249 officially assigned ones)."""

from __future__ import annotations

CODES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
    BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
    CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
    DE DJ DK DM DO DZ
    EC EE EG EH ER ES ET
    FI FJ FK FM FO FR
    GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
    HK HM HN HR HT HU
    ID IE IL IM IN IO IQ IR IS IT
    JE JM JO JP
    KE KG KH KI KM KN KP KR KW KY KZ
    LA LB LC LI LK LR LS LT LU LV LY
    MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
    NA NC NE NF NG NI NL NO NP NR NU NZ
    OM
    PA PE PF PG PH PK PL PM PN PR PS PT PW PY
    QA
    RE RO RS RU RW
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
    TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
    UA UG UM US UY UZ
    VA VC VE VG VI VN VU
    WF WS
    YE YT
    ZA ZM ZW
    """.split()
)

# Accepted besides the assigned codes: Kosovo's widely used user-assigned code,
# and the reserved codes of states that no longer exist, which older films name
# as their production countries (USSR, Yugoslavia, Czechoslovakia, East Germany).
HISTORIC = frozenset({"XK", "SU", "YU", "CS", "DD"})

# Codes people often type that ISO 3166-1 does not assign, and what they mean.
COMMON_MISTAKES = {
    "UK": "GB",  # the United Kingdom
    "EN": "GB",
    "EL": "GR",  # Greece's EU code
    "KO": "KR",
    "JA": "JP",
    "DA": "DK",
    "SW": "SE",
}


_YAML_WORDS = frozenset({"YES", "ON", "OFF", "TRUE", "FALSE", "Y", "N", "NULL"})


def check(text: str) -> tuple[str | None, str]:
    """(the code, "") if TEXT is a country code in any case, else (None, a hint).

    The one place both the dataset loader and --region decide what a region is.
    """
    import difflib

    code = text.strip().upper()
    if code in CODES or code in HISTORIC:
        return code, ""
    meant = COMMON_MISTAKES.get(code)
    if meant:
        return None, f"did you mean {meant!r}?"
    if code in _YAML_WORDS:  # Yes, On, True...: YAML 1.1 booleans, not countries
        return None, "use a two-letter ISO 3166-1 code such as US, GB or NO"
    close = difflib.get_close_matches(code, sorted(CODES), n=1)
    return None, (f"did you mean {close[0]!r}? " if close else "") + "use an ISO 3166-1 alpha-2 code such as US, GB or FR"
