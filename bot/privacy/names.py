"""What a word is likely to be, for the name rules of `bot.privacy.redaction`.

No model can be downloaded here (no network at run time), so names are told from words with two lists
that PyPI packages ship, read once and lazily (importing this module costs nothing):

- given names and surnames from Faker's person providers (MIT). Its ~80 locales cover the Nigerian,
  Polish, South Asian, Irish ... names of a UK classroom, not only the ONS top 100;
- the lower-case words of Webster's Second International (public domain), shipped by `english-words`
  (MIT). It is what separates "grace" and "mark", which are words as well as names, from "olivia".

Some of Faker's lists (its US-derived "en" list above all) hold rare "names" such as "Governor",
"General" or "Media"; a word that only one locale calls a given name is therefore WEAK: a name only
where the sentence says so ("Will's mum", "a boy called Will").
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import unicodedata
from collections import defaultdict
from enum import IntEnum
from functools import cache, lru_cache


class Kind(IntEnum):
    """How strongly a word, by itself, suggests a person. Higher is stronger."""

    UNKNOWN = 0  # in no list: a brand, a place, an unusual name, a typo
    WORD = 1  # an English word and no name
    WEAK = 2  # a word one locale calls a given name, or a surname that is a word ("stone", "baker")
    AMBIGUOUS = 3  # a word that several locales call a given name ("grace", "mark", "may", "tom")
    SURNAME = 4  # a surname and no word ("okafor", "patel")
    GIVEN = 5  # a given name and no word, from a non-English locale ("oluwaseun", "agnieszka")
    GIVEN_EN = 6  # a given name and no word that an English-speaking locale lists ("olivia", "jayden")


_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f'\u2019-]+")
_GIVEN_ATTRS = ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary")


def _fold(name: str) -> str:
    """Lower case, ’ as ', accents dropped: "Zoë" is found when typed "Zoe"."""
    decomposed = unicodedata.normalize("NFKD", name.lower().replace("\u2019", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _faker_names() -> tuple[dict[str, set[str]], set[str]]:
    """Given name -> the locales that list it; and every surname. Latin-script entries only."""
    import faker.providers.person as person

    given: dict[str, set[str]] = defaultdict(set)
    surnames: set[str] = set()
    for info in sorted(pkgutil.iter_modules(person.__path__), key=lambda i: i.name):
        provider = importlib.import_module(f"{person.__name__}.{info.name}").Provider
        for attr in (*_GIVEN_ATTRS, "last_names"):
            values = vars(provider).get(attr)  # class data only: some locales define properties
            if not isinstance(values, (tuple, list, dict)):
                continue
            for name in values:
                if isinstance(name, str) and len(name) > 1 and _LATIN.fullmatch(name):
                    if attr == "last_names":
                        surnames.add(_fold(name))
                    else:
                        given[_fold(name)].add(info.name)
    return given, surnames


@cache
def english_words() -> frozenset[str]:
    """Lower-case dictionary words (proper nouns are capitalised in the list, so "olivia" is absent)."""
    from english_words import get_english_words_set

    return frozenset(w for w in get_english_words_set(["web2"], alpha=True) if w.islower())


# British endings the American list spells otherwise: colour, organise(d), analyse, centre, licence,
# travelled, catalogue.
_BRITISH = tuple((re.compile(uk), us) for uk, us in (
    (r"(?<=\w\w)our(s?)$", r"or\1"), (r"is(e|ed|es|ing|ation|ations)$", r"iz\1"), (r"ys(e|ed|es|ing)$", r"yz\1"),
    (r"tre(s?)$", r"ter\1"), (r"ence$", "ense"), (r"ll(ed|ing|er|ers)$", r"l\1"), (r"ogue(s?)$", r"og\1")))


def is_word(folded: str) -> bool:
    """In the (American) dictionary, allowing for the inflections it does not list ("teams",
    "texted", "miles"). Spelling is not anglicised here: "allen" must not become "alen"."""
    words = english_words()
    if folded in words:
        return True
    stems = []
    if folded.endswith("s") and not folded.endswith("ss"):  # teams, boxes, churches, bullies; not "james"
        stems += [folded[:-1], folded[:-2] if re.search(r"(?:s|x|z|ch|sh|o)es$", folded) else "",
                  folded[:-3] + "y" if folded.endswith("ies") else ""]
    for suffix in ("ed", "ing"):  # texted, liked, hugged, bullied; messaging
        stem = folded[:-len(suffix)]
        if folded.endswith(suffix) and len(stem) > 2:
            stems += [stem if len(stem) > 3 else "", stem + "e", stem[:-1] if stem[-1:] == stem[-2:-1] else "",
                      stem[:-1] + "y" if stem.endswith("i") else ""]
    return any(len(s) > 2 and s in words for s in stems)


@cache
def _name_kinds() -> dict[str, Kind]:
    given, surnames = _faker_names()
    kinds: dict[str, Kind] = {}
    for name in surnames:
        kinds[name] = Kind.WEAK if is_word(name) else Kind.SURNAME
    for name, locales in given.items():
        if is_word(name):
            kind = Kind.AMBIGUOUS if len(locales) > 1 else Kind.WEAK
        elif any(loc == "en" or loc.startswith("en_") for loc in locales):
            kind = Kind.GIVEN_EN
        else:
            kind = Kind.GIVEN
        kinds[name] = max(kind, kinds.get(name, Kind.UNKNOWN))
    return kinds


_IRISH_SCOTTISH = re.compile(r"(?:o|d|mc|mac)'[a-z]{2,}")


@lru_cache(maxsize=1 << 16)
def kind(word: str) -> Kind:
    """The Kind of one word (any case; hyphenated names are judged by their strongest part)."""
    folded = _fold(word)
    found = _name_kinds().get(folded)
    if found is not None:
        return found
    if "-" in folded:
        parts = [kind(p) for p in folded.split("-") if p]
        return max(parts) if parts and min(parts) != Kind.WORD else Kind.WORD
    if _IRISH_SCOTTISH.fullmatch(folded):
        return Kind.SURNAME
    if is_word(folded) or any(is_word(uk.sub(us, folded)) for uk, us in _BRITISH if uk.search(folded)):
        return Kind.WORD  # "behaviour", "organisation": words in British spelling, not names
    return _spelling_variant(folded)


_ENDINGS = ("ie", "ey", "y", "i", "ee")


def _spelling_variant(folded: str) -> Kind:
    """Pet-name endings are spelt freely ("Maisie", "Maisy", "Maisey"): an unlisted spelling of a
    listed given name counts as that name."""
    for ending in _ENDINGS:
        if folded.endswith(ending) and len(folded) > len(ending) + 2:
            stem = folded[:-len(ending)]
            for other in _ENDINGS:
                found = _name_kinds().get(stem + other, Kind.UNKNOWN)
                if other != ending and found >= Kind.GIVEN:
                    return found
    return Kind.UNKNOWN


def load() -> None:
    """Read both lists now (a server calls this at start-up so the first question is not slow)."""
    _name_kinds()


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Never a name: function words and the question openers of staff ("Can", "Is", "Should").
FUNCTION = _words("""
a about above after again against all also am an and any anyone are as at be because been before
being below between both but by can cannot can't could couldn't did didn't do does doesn't doing don't
done down during each either every few for from further had has hasn't have haven't having he her here
hers herself him himself his how i if in into is isn't it its itself just me might mine more most must
my myself neither no nor not of off on once only or other our ours out over own please same she should
shouldn't so some such than thank thanks that the their theirs them themselves then there these they
this those through to too under until up upon very was wasn't we were weren't what when where which
while who whom whose why with within without would wouldn't yes yet you your yours hi hello hey dear
ok okay re fyi sorry quick question urgent anyway however although whether yesterday today
tomorrow tonight morning afternoon evening year years yr week term lesson lessons i'm i've i'd i'll
we're we've we'd we'll you're you've you'd you'll they're they've they'd they'll he'd he'll she'd
she'll that'll there'd let's
""")
# People by role: "the pupil's mum" is no name, and "a pupil called X" makes X one.
ROLE = _words("""
pupil pupils student students child children kid kids boy boys girl girls son daughter stepson
stepdaughter learner learners teen teenager lad lass baby toddler sibling siblings brother sister
twin twins parent parents carer carers mum mom mother dad father stepdad stepmum step-dad step-mum
stepfather stepmother guardian foster nan nana gran granny grandma grandad grandpa grandmother
grandfather grandparent grandparents aunt auntie aunty uncle cousin friend friends boyfriend girlfriend
partner husband wife colleague colleagues teacher teachers staff ta head deputy neighbour governor
governors doctor nurse police officer counsellor headteacher headteachers headmaster headmistress
principal senco tutor mentor coach caretaker receptionist
""")
# What follows "X's" when X is a person, whatever case X is written in.
KIN = ROLE | _words("""
family phone number address house home account behaviour birthday keyworker ehcp bedroom lift car
instagram snapchat tiktok facebook whatsapp messages
""")
# Words after which a person's name is given: "a boy called Jayden", "she's known as Jo".
NAMING = _words("called named nicknamed")
TITLES = _words("mr mrs ms miss mx dr prof")
# Lower-case abbreviations that are titles however written ("mrs patel"); "miss" is also a verb.
SURE_TITLES = TITLES - {"miss"}
# Verbs of what a person did: "Chidi told me", "Will said" make the word before them a person.
PERSON_VERBS = _words("""
told tells said says asked asks keeps kept disclosed discloses mentioned reported admitted refused
wants wanted came comes went goes got gets hit hits punched kicked pushed touched sent sends posted
posts messaged texted emailed rang phoned cried joined arrived missed brought threatened ran lives
lived stays stayed showed shared took lost stole swore self-harms self-harmed fell hurt confided
""")
# Weaker: "Grace is", "Mark has" (but "Headteacher is" too), so only after a listed name.
AUX_VERBS = _words("""
is was has had isn't wasn't hasn't doesn't didn't won't can't needs needed seems seemed looks looked
""")
# Months, days and seasons: words unless the sentence says otherwise ("April's mum", "Mrs May").
CALENDAR = _words("""
january february march april may june july august september october november december monday
tuesday wednesday thursday friday saturday sunday spring summer autumn winter christmas easter
""")
# Proper nouns of a school's world that are not people (some are in Faker's lists).
VOCAB = _words("""
ofsted kcsie senco dsl slt dfe nspcc childline ceop lado mash camhs ehcp cpoms myconcern arbor sims
bromcom edulink classdojo seesaw tapestry google gmail outlook microsoft teams zoom apple ipad
iphone android facebook instagram whatsapp tiktok snapchat youtube twitter linkedin discord roblox
fortnite minecraft xbox playstation reddit telegram signal messenger skype threads pinterest x
england wales scotland ireland britain uk europe english maths math science history geography french
spanish german art music drama pe re computing biology chemistry physics latin psychology sociology
dance design technology business media gcse gcses sats btec prevent channel covid ramadan eid diwali
hanukkah christ god jesus allah bible quran internet web wifi christian christians muslim muslims
jewish hindu sikh buddhist catholic anglican british irish scottish welsh polish romanian nigerian
indian pakistani european african asian
""")
# Words that make a capitalised phrase an organisation, event or post ("Stone Bay School").
ORG = _words("""
school schools academy college trust council centre center hospital police service services team
church mosque temple club group university foundation federation partnership board authority primary
secondary nursery infants juniors surgery clinic department office unit hub network fair fete day
week festival award policy plan lead officer manager coordinator co-ordinator leader governor
governors committee bay county city borough street road lane avenue help
""")
