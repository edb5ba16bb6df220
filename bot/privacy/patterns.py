"""Personal data with a shape: e-mail addresses, phone numbers, UK postcodes, street addresses, dates
of birth and pupil numbers (UPN, ULN).

Each finder returns character spans of the original text, so that `redaction` can keep everything
else exactly as the member of staff typed it. The rules err towards leaving school numbers alone:
years, dates, times, "Year 9", section "4.2" and ages never start with 0 or +, which every phone
number written in the UK does, and a postcode must start with one of the real postcode areas.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

Span = tuple[int, int, str]

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

# A number starting +CC, (0…) or 0, then digit groups joined by one space, dot or hyphen.
_PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}[ .-]?(?:\(0\)[ .-]?)?|\(0\d{1,4}\)[ .-]?|0)"
                    r"\d{1,5}(?:[ .-]?\d{2,6}){0,4}(?!\w)")

_AREAS = sorted("""AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN
DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE LL LN
LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS
ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE""".split(), key=len, reverse=True)
# Outward code (area, district, optional sub-district) and inward code (digit, two letters, never
# C I K M O V).
POSTCODE = re.compile(rf"(?<!\w)(?:{'|'.join(_AREAS)})\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{{2}}(?!\w)", re.I)

_STREETS = ("Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Drive|Way|Crescent|Cres|Court|Ct|Place|"
            "Terrace|Grove|Gardens|Gdns|Square|Sq|Mews|Row|Walk|Hill|View|Rise|Parade|Park|Green|Croft|"
            "Fold|Gate|Wharf|Boulevard|Vale|Meadows?|Yard|Chase|Grange|Heights|Bank|Brow|Hollow|Wynd")
_ADDRESS = re.compile(rf"(?<!\w)(?:(?:flat|apartment|apt|unit)\s+\d{{1,4}}[a-z]?,?\s+)?\d{{1,4}}[a-z]?"
                      rf"(?:\s*[-\u2013]\s*\d{{1,4}}[a-z]?)?,?\s+(?:[a-z][\w'\u2019-]*\s+){{1,3}}?"
                      rf"(?:{_STREETS})(?!\w)\.?", re.I)
# Lower-case "7 mill lane" is an address only after words that announce one.
_ADDRESS_CUE = re.compile(r"(?:\b(?:lives?|lived|living|stay(?:s|ing)?|moved|address(?:\s+is)?|house)"
                          r"\s+(?:at|on|to|in|is)?|\baddress\s*:)\s*$", re.I)


_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
_DATE = (rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{4}}-\d{{1,2}}-\d{{1,2}}"
         rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})[a-z]*\.?\s+\d{{2,4}})")
# A date after "DOB", "d.o.b.", "date of birth", "born (on)": a date of birth identifies a child.
_DOB = re.compile(rf"(?<!\w)(?:d\.?o\.?b\.?|date\s+of\s+birth|born(?:\s+on)?)\s*(?:[:\-]|is|was)?\s*(?P<date>{_DATE})(?!\w)", re.I)
# A Unique Pupil Number (a letter and 12 digits), or a number after "UPN" / "ULN" (Unique Learner Number).
_UPN = re.compile(r"(?<!\w)[A-HJ-NP-RT-Z]\d{12}(?!\w)", re.I)
_AFTER_UPN = re.compile(r"(?<!\w)(?:upn|uln|pupil\s+number|learner\s+number)\s*(?:is|:|#|no\.?)?\s*(?P<n>[A-Z]?\d[\dA-Z]{5,13})(?!\w)", re.I)


def dates_of_birth(text: str) -> Iterator[Span]:
    for m in _DOB.finditer(text):
        yield m.start("date"), m.end("date"), "[dob]"


def pupil_numbers(text: str) -> Iterator[Span]:
    seen: set[tuple[int, int]] = set()
    for m in _AFTER_UPN.finditer(text):
        seen.add((m.start("n"), m.end("n")))
        yield m.start("n"), m.end("n"), "[upn]"
    for m in _UPN.finditer(text):
        if (m.start(), m.end()) not in seen:
            yield m.start(), m.end(), "[upn]"


# "@jamie_smith99", "instagram.com/olivia.smith": a social-media account names its owner.
_HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?(?![\w@])|(?i:(?<=facebook\.com/)"
                     r"|(?<=instagram\.com/)|(?<=tiktok\.com/)|(?<=twitter\.com/)|(?<=x\.com/)|(?<=snapchat\.com/add/)"
                     r"|(?<=linkedin\.com/in/)|(?<=youtube\.com/))@?[A-Za-z0-9_][\w.-]*[A-Za-z0-9_]")


def _phone_digits_ok(number: str) -> bool:
    digits = sum(c.isdigit() for c in number)
    if number.startswith("+") or number.startswith("00"):
        return 8 <= digits <= 15
    return 10 <= digits <= 11


def phones(text: str) -> Iterator[Span]:
    """UK numbers (10-11 digits from 0) and international ones (+ and 8-15 digits)."""
    for m in _PHONE.finditer(text):
        number = m.group()
        while number and not _phone_digits_ok(number):  # "07700 900123 123" -> drop the stray group
            cut = max(number.rfind(" "), number.rfind("-"), number.rfind("."))
            number = number[:cut] if cut > 0 else ""
        if number:
            yield m.start(), m.start() + len(number), "[phone]"


def addresses(text: str) -> Iterator[Span]:
    """House number and street ("Flat 3, 45 High Street"): capitalised, or after "lives at"."""
    for m in _ADDRESS.finditer(text):
        words = re.findall(r"(?<!\d)[^\W\d_]+", re.sub(r"(?i)^(flat|apartment|apt|unit)\b", "", m.group()))
        if all(w[0].isupper() for w in words) or _ADDRESS_CUE.search(text, 0, m.start()):
            yield m.start(), m.end(), "[address]"


def structured(text: str) -> list[Span]:
    """Every e-mail, date of birth, pupil number, address, postcode, phone and account-name span, earlier
    kinds winning overlaps."""
    found: list[Span] = []
    for spans in ((m.start(), m.end(), "[email]") for m in EMAIL.finditer(text)), dates_of_birth(text), \
            pupil_numbers(text), addresses(text), \
            ((m.start(), m.end(), "[postcode]") for m in POSTCODE.finditer(text)), phones(text), \
            ((m.start(), m.end(), "[name]") for m in _HANDLE.finditer(text)):
        found += [s for s in spans if all(s[1] <= a or s[0] >= b for a, b, _ in found)]
    return sorted(found)
