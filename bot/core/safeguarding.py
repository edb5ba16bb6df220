"""Spot a question that describes a live safeguarding concern about a child.

KCSIE: staff with a live concern about a child (a disclosure, signs of abuse, grooming, self-harm, a child
at risk) must go to the Designated Safeguarding Lead at once, so such a question must lead with "speak to
the DSL today". Most questions are general policy questions and must not be flagged. Deterministic rule
(regexes over normalised text, no model):

    flagged = a *live* reference to one particular child  AND  (a harm word, "disclosed", or the asker's worry)

- A child reference is singular and specific ("a pupil", "one of my students", "my tutee", "a Year 8 boy",
  "[name]", "she told me"); plural, generic "pupils" is general and never counts.
- It is *hypothetical* (not live) when, in its clause, it follows "if", "suppose", "say", "should a pupil"
  or a present-tense "when/after/once"; a past-tense clause ("when a pupil told me ...") is live.
- Topic words ("the policy on", "procedure", "what counts as", "training") make the rest of the clause a
  topic, not an event: neither child references nor harm words after them count.
- Harm aimed at staff ("posting abuse about me") or accidental ("hit by a ball") is removed first.
We err towards flagging: a false positive costs one DSL mention, a false negative could cost a child.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["ConcernCheck", "check_concern", "normalise"]


@dataclass(frozen=True)
class ConcernCheck:
    flagged: bool
    reason: str  # short, human-readable: which signal fired; "" when not flagged


NOT_FLAGGED = ConcernCheck(False, "")

# --- normalisation ---------------------------------------------------------------------------------------

# Common misspellings of the words the rules hinge on (staff type fast, often on phones).
_TYPOS = {
    "pupl": "pupil", "pupli": "pupil", "puil": "pupil", "pupul": "pupil", "studnet": "student", "stduent": "student",
    "studen": "student", "sudent": "student", "chlid": "child", "chld": "child", "girll": "girl",
    "worreid": "worried", "worred": "worried", "woried": "worried", "worryed": "worried", "concered": "concerned",
    "concernd": "concerned", "disclsoed": "disclosed", "discolsed": "disclosed", "groomd": "groomed",
    "grommed": "groomed", "selfharm": "self harm", "selfharming": "self harming", "sucidal": "suicidal",
    "suicdal": "suicidal", "sucide": "suicide", "bruses": "bruises", "bruices": "bruises",
    "radicalized": "radicalised", "abuesd": "abused", "tuches": "touches",
}
_PLACEHOLDER = re.compile(r"[\[<{]\s*(?:name|child|pupil|student|learner|initials?|[a-z])(?:\s+[a-z]{1,2})?\s*[\]>}]")
_APOSTROPHE = re.compile(r"['’‘`´]")
_JUNK = re.compile(r"[^a-z0-9.,;:?!\n ]+")
_SPACES = re.compile(r"[ \t]+")
_WORD = re.compile(r"[a-z]+")


def normalise(text: str) -> str:
    """Lower-case, placeholders to one token, typos fixed, apostrophes and hyphens dropped.

    Apostrophes go so that "doesn't"/"doesnt" and "pupil's"/"pupils" look alike; clause punctuation
    stays, because hypothetical markers only reach to the end of their clause."""
    t = _APOSTROPHE.sub("", _PLACEHOLDER.sub(" namedchild ", text.lower()))
    t = _JUNK.sub(" ", _WORD.sub(lambda m: _TYPOS.get(m.group(), m.group()), t))
    return _SPACES.sub(" ", t).strip()


def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(parts) + r")\b")


# --- who: a particular child ------------------------------------------------------------------------------

_NOUN = (r"(?:pupil|student|child|learner|kid|boy|girl|lad|lass|young person|tutee|son|daughter|teen|teenager"
         r"|baby|toddler|infant|sixth former|year \d{1,2}|yr \d{1,2}|y\d{1,2})")
_NOT_A_CHILD_AFTER = (r"(?!\s+(?:protection|premium|teachers?|council|voice|records?|files?|data|information"
                      r"|handbook|code|services|on child|led|class|group|team|trip|assembly|lessons?|parents"
                      r"|meeting|set|form|tutor|leaders?|ambassadors?|support)\b)")
# Words that may sit between a determiner and the noun ("a quiet Year 8 boy") - anything but these.
_MOD = (r"(?:(?!(?:ex|former|old|policy|procedure|on|about|for|of|to|with|and|or|is|are|was|who|that|in|at"
        r"|from|my|a|an|the)\b)[a-z0-9]+ ){0,3}")
_CHILD = re.compile(
    r"\b(?P<det>a|an|one|this|that|my|our|their|his|her|the)\s+" + _MOD + _NOUN + r"s?\b" + _NOT_A_CHILD_AFTER
    + r"|\b(?:one|two|three|some|a few|several|both) of (?:my|our|the|his|her|their) (?:[a-z0-9]+ ){0,2}?"
      r"(?:pupils|students|children|learners|kids|boys|girls|tutees|young people|year \d{1,2}s|\d{1,2}[a-z]?s)\b"
    + r"|\b(?:someone|somebody|one) (?:in|from|of) my (?:class|form|tutor group|group|set)\b"
    + r"|\b(?:a|an) \d{1,2} (?:year|yr) old\b|\bnamedchild\b"
    + r"|^(?:year \d{1,2} )?(?:pupil|student|child|learner|kid|tutee)s? "
      r"(?=told|tells|said|says|disclosed|has|is|was|keeps|came|showed|messaged)"
    + r"|\b(?P<pron>he|she) (?:told|tells|said|says|disclosed|discloses|confided|admitted|messaged|wrote)\b")
_DEFINITE = {"the", "this", "that", "his", "her", "their"}

# --- what: harm signals, most specific label first (staff-targeted and accidental ones scrubbed first) ------

_ME = r"(?:me|us|staff|a colleague|colleagues|a teacher|teachers|a member of staff)"
_SCRUB = re.compile(  # harm that is not about a child: aimed at staff, or an accident
    r"\babus\w*(?: [a-z]+)? (?:about|at|to|towards|against|on) " + _ME + r"\b"
    r"|\b(?:pupil|student|child|kid|boy|girl|he|she) (?:hit|punched|kicked|assaulted|attacked|spat at|swore at"
    r"|threatened|shouted at|slapped) " + _ME + r"\b"
    r"|\b(?:hit|struck|hurt|injured) (?:by|with) (?:a|the) (?:ball|door|bat|racket|swing|hockey stick)\b")
_FAMILY = (r"(?:(?:his|her|their|my) (?:[a-z]+ )?(?:dad|mum|mom|father|mother|parents?|step ?dad|step ?mum"
           r"|step ?father|step ?mother|uncle|aunt|auntie|brother|sister|cousin|grand\w+|carer|nan|grandad"
           r"|boyfriend|partner|family)|(?:him|her|them|someone|somebody|an adult|a man|a woman|a relative))")
_SELF = r"(?:him|her|them|my|your)sel(?:f|ves)"
_VICTIM = (r"(?:her|him|them|me|(?:his |her |their |my )?(?:mum|mummy|mom|mommy|dad|daddy|mother|father|sister"
           r"|brother|baby|nan))")
_APPS = r"(?:online|discord|snapchat|snap|instagram|insta|tiktok|roblox|fortnite|xbox|whatsapp|an app|a game)"
_PICS = r"(?:pictures?|photos?|pics?|images?|videos?|messages?|content|selfies?)"
_DISTRESS = "a child in distress or asking for secrecy"
_HARMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("self-harm or suicide risk", _rx(
        r"self harm\w*", r"(?:cutting|cuts|cut|hurting|hurt|burning|harming|kill|killing|starving) " + _SELF,
        r"(?:fresh |new |deep |lots of |loads of )?(?:cuts|scars?) (?:on|to|across|up)", r"suicid\w*",
        r"(?:fresh|new|deep|lots of|loads of) (?:cuts|scars|wounds)", r"(?:been|started|is|was|keeps|back to) cutting",
        r"cutting again", r"want(?:s|ed)? to die", r"end(?:ing)? (?:his|her|their|my life|it all)", r"better off dead",
        r"overdos\w*", r"(?:take|taking|took|taken|swallowed) (?:\w+ ){0,4}(?:pills|tablets)", r"suicide note",
        r"(?:cant|cannot|can not) (?:cope|go on|carry on)", r"(?:goodbye|farewell) (?:note|letter|to everyone|message)",
        r"feels? like (?:ending|dying|giving up|disappearing)", r"(?:no one|nobody) would (?:care|miss|notice)",
        r"(?:wish|wishes|wished) (?:she|he|they|i) (?:wasnt|was not|werent|were not) (?:here|alive|born)",
        r"(?:doesnt|does not|dont|didnt) want to (?:be here|live|be alive|wake up)", r"no point (?:in )?living",
        r"eating disorder", r"anorexi\w*", r"bulimi\w*", r"making " + _SELF + " sick", r"disappear(?:ed)? for good",
        r"(?:stopped|not|isnt|is not|barely) eating", r"(?:vomiting|being sick|throwing up) after",
        r"losing (?:a lot of |loads of |lots of )?weight", r"skipping (?:meals|lunch|breakfast)")),
    ("sexual abuse", _rx(
        r"touch(?:es|ed|ing)? (?:her|him|them|me)", r"inappropriate(?:ly)? touch\w*", r"touched inappropriately",
        r"(?:comes|came|coming|goes|went|going|gets|got|climbs) into (?:the|her|his|my|their) (?:room|bedroom|bed"
        r"|bathroom|shower)", r"(?:have|having|had|has) sex", r"(?:in|of) (?:her|him|them) in the (?:bath|shower)",
        r"(?:takes?|taking|took|taken) (?:\w+ )?(?:photos|pictures|pics|videos) of (?:her|him|them)\b",
        r"(?:films|filming|filmed) (?:her|him|them)", r"willy|penis|vagina|genitals|privates|private parts",
        r"forced (?:her |him |them )?to (?:have|do|touch|watch|send|film)", r"sexual\w*", r"rape[ds]?", r"molest\w*",
        r"indecent\w*", r"porn\w*", r"upskirt\w*", r"(?:explicit|naked|nude|sexual|inappropriate|rude) " + _PICS,
        r"nudes?", r"sext\w*")),
    ("grooming or exploitation", _rx(
        r"groom\w*", r"older (?:man|men|boys?|guys?|males?|woman|lads?|boyfriend|girlfriend|friends?)",
        r"pick(?:s|ed)? (?:her|him|them) up", r"bought (?:her|him|them)", r"(?:gifts|presents|money) from",
        r"buys? (?:her|him|them) (?:things|stuff|gifts|presents|a phone|phones|clothes|drinks|alcohol|food)",
        r"(?:sending|sends|sent|gives|giving|gave) (?:her|him|them) (?:money|cash|gifts|presents)",
        r"(?:expensive|designer|new) (?:gifts|phones?|trainers|clothes|jewellery)", r"(?:wont|will not) say where",
        r"(?:lots of|a lot of|loads of|wads of|large amounts of) (?:cash|money)", r"blackmail\w*",
        r"(?:collects|collecting|collected|picks up|picking up) (?:him|her|them) (?:from|after) school",
        r"picked up (?:from school )?by (?:different|older|unknown|an older|a man|men|strangers?|cars)",
        r"exploit\w*", r"cse", r"cce", r"county lines", r"traffick\w*", r"gangs?", r"strangers?",
        r"(?:carrying|selling|dealing|holding|delivering) (?:drugs|weed|packages|parcels)",
        r"an adult (?:is |has been |keeps )?(?:messaging|contacting|meeting|sending|talking to)",
        r"met (?:him|her|them|someone|somebody|a man|an adult) online", r"met (?:on )?" + _APPS,
        r"send (?:\w+ )?" + _PICS + r" of (?:her|him|them)sel(?:f|ves)",
        r"(?:sending|sent|sends|send) (?:\w+ )?" + _PICS + r" to (?:\w+ ){1,2}(?:man|men|adult|guy|stranger|someone)",
        r"secret (?:boyfriend|girlfriend|relationship)", r"(?:1[89]|[2-9]\d) year old (?:man|boyfriend|guy|bloke)",
        r"(?:seeing|dating|going out with|sleeping with|staying with|living with) (?:a|an) (?:1[89]|[2-9]\d) year old",
        r"(?:boyfriend|girlfriend|partner) (?:who is |whos |is |aged )(?:1[89]|[2-9]\d|an adult|older)",
        r"staying (?:at|with) (?:\w+ ){0,2}(?:adults|men|strangers|flat)",
        r"(?:teacher|coach|tutor|instructor|leader|member of staff|youth worker) (?:\w+ ){0,5}(?:used to|has been|keeps"
        r"|kept|was|is|been) (?:messaging|message|texting|snapchatting|contacting|touching|kissing|hugging)",
        r"(?:wants?|wanted|asked|asking|arranged) to meet (?:up )?(?:with )?(?:him|her|them)",
        r"(?:meeting|meet up with|meets) (?:an adult|a man|men|someone .{0,20}online)")),
    ("radicalisation", _rx(
        r"radicali[sz]\w*", r"extremis\w*", r"terroris\w*", r"far right", r"(?:neo )?nazi\w*", r"isis", r"jihad\w*",
        r"white supremac\w*", r"incels?", r"should (?:all )?be (?:deported|killed|shot|gassed)", r"tommy robinson",
        r"andrew tate", r"behead\w*", r"killing (?:people|muslims|jews|christians|black|white|gay)\w*",
        r"(?:violent|gore|gory|extreme) (?:videos|content|images)")),
    ("physical abuse", _rx(
        r"hit(?:s|ting)?", r"beat(?:s|en|ing)?", r"punch\w*", r"kick(?:s|ed|ing)", r"slap\w*", r"smack\w*",
        r"strangl\w*", r"chok(?:ed|ing|es)", r"bruis\w*", r"black eye", r"burns?", r"scratch(?:es|ed)", r"flinch\w*",
        r"fractur\w*", r"broken (?:arm|leg|wrist|bone|nose|finger|ribs?)", r"doesnt add up", r"keeps changing",
        r"grabbed (?:him|her|them)", r"throws? (?:things|stuff|\w+) at (?:him|her|them|me)", r"injur\w*", r"welts?",
        r"marks on (?:his|her|their)", r"hurt(?:s|ing)? " + _VICTIM, r"being hurt", r"violen\w*", r"assault\w*",
        r"(?:will|gonna|going to|would|threatens to|threatened to) (?:kill|hurt|beat|hit|batter) " + _VICTIM,
        r"attacked", r"belt(?:ed)?")),
    ("domestic abuse", _rx(
        r"domestic", r"police (?:came|were called|at)",
        r"(?:mum|dad|parents|mother|father|step ?dad|step ?mum) (?:is |are |keeps |keep )?(?:fighting|fights?"
        r"|arguing|screaming|shouting|drunk|drinks|drinking|on drugs|taking drugs)")),
    ("neglect", _rx(
        r"hungry", r"starving", r"(?:never|no|not|hardly) (?:any )?food", r"not (?:being |been )?fed",
        r"(?:never|doesnt|does not) eat", r"steal(?:s|ing)? food", r"unwashed", r"dirty", r"smell(?:s|y)", r"unkempt",
        r"neglect\w*", r"(?:no|without a) coat", r"same clothes", r"holes in (?:his|her|their) shoes",
        r"shoes (?:have|with) holes", r"(?:sleeps|sleeping|slept|living|lives|live) in (?:a|the|their|his|her) car",
        r"homeless", r"sofa surfing", r"(?:thrown|excluded) (?:out|from home)", r"sleep(?:s|ing)? on the floor",
        r"(?:nowhere|no where) to (?:live|stay|sleep)", r"home alone", r"left alone", r"young carer",
        r"(?:no one|nobody|no adult) (?:is )?at home", r"(?:asking|asks|asked|begging|begs) (?:\w+ )?for food",
        r"looks after (?:his|her) (?:mum|dad|siblings|brothers?|sisters?)")),
    ("fear, running away or missing education", _rx(
        r"(?:hasnt|has not|not) been (?:in|seen|at school)(?: school)? (?:for|since)", r"missing (?:school|education)",
        r"(?:stopped|not) (?:coming|attending)(?: to)? school", r"refus\w* to go home", r"r[au]n(?:s|ning)? away",
        r"(?:doesnt|does not|dont|do not|wont|will not|didnt|did not|not) want(?:ing)? to go home",
        r"(?:scared|afraid|frightened|terrified|petrified) (?:(?:to go|of going) home|of " + _FAMILY + ")",
        r"(?:went|goes|gone|going) missing", r"missing from (?:home|care)", r"kicked out", r"sleeping rough")),
    ("online abuse", _rx(
        r"cyber ?bull\w*", r"(?:bullied|harassed|threatened) online", r"trolled", r"sextortion",
        r"(?:being |been )?sent (?:\w+ )?(?:pictures|photos|pics|images|videos) (?:by|from) (?:an|a) ",
        r"shared (?:his|her|their) (?:pictures|photos|pics|images)")),
    ("bullying", _rx(
        r"bull(?:ied|ying|ies|y)", r"(?:called|calling) (?:him |her |them )?names", r"name calling", r"picked on",
        r"racis[tm]", r"homophob\w*", r"transphob\w*")),
    ("FGM or forced marriage", _rx(
        r"fgm", r"female genital", r"forced (?:to )?marr\w*", r"(?:married|marriage|engaged) off", r"honour based",
        r"breast ironing", r"cut abroad", r"(?:to be|getting|get|be|being) cut\b(?! from)",
        r"(?:arranging|arranged|planning) (?:for (?:her|him) )?to marry",
        r"(?:make|making|made|forcing) (?:her|him) (?:to )?marry", r"marry (?:a|an|her|his) (?:cousin|older)")),
    ("drugs, alcohol or weapons", _rx(
        r"drugs?", r"weed", r"cannabis", r"vap(?:e|es|ing) thc", r"drunk", r"alcohol", r"knife", r"knives",
        r"weapons?", r"gun")),
    (_DISTRESS, _rx(
        r"crying", r"in tears", r"upset", r"distressed", r"help me", r"(?:doesnt|dont|does not) (?:feel|felt) safe",
        r"(?:doesnt|dont|does not|didnt) (?:want|like) (?:me|us|anyone|you) to (?:tell|know)", r"(?:not|never) to tell",
        r"keep (?:it )?(?:a )?secret", r"(?:doesnt|dont|didnt) like (?:it|what)", r"things (?:she|he|they) (?:doesnt"
        r"|dont) like")),
    ("a child at risk", _rx(
        r"abus\w*", r"at risk", r"unsafe", r"not safe", r"in danger", r"harm(?:ed|ing)?", r"threat(?:en|ened|ening|s)?",
        r"harass\w*", r"mistreat\w*", r"cruel\w*", r"pregnant", r"locked (?:in|out)", r"tied up", r"stalk\w*",
        r"(?:going on|happening|problems?|trouble) at home", r"lock(?:s|ed|ing)? (?:her|him|them) (?:in|out|up)",
        r"(?:makes|made|making|forces|forcing) (?:him|her|them) (?:to )?(?:stand|sleep|stay|kneel|hold|carry|sell"
        r"|watch|do things|keep secrets?)")),
)

_WORRY = _rx(
    r"worried", r"worrying", r"concerned", r"uneasy", r"suspicious", r"i suspect", r"gut feeling",
    r"i (?:have|ve got|got|ve had|had) (?:a |some |real |serious |a few )?(?:concerns?|worry|worries|suspicions?)",
    r"something (?:isnt|is not|doesnt seem|does not seem|feels|seems|is) (?:right|off|wrong)")
_ACADEMIC = _rx(r"grades?", r"marks", r"progress", r"exams?", r"homework", r"coursework", r"revision", r"attainment",
                r"results", r"reading age", r"uniform", r"predicted", r"gcses?", r"a levels?", r"sats")
# In school usage these words mean a safeguarding disclosure even when the content is not spelled out.
_FORMAL_DISCLOSURE = _rx(r"disclos\w*", r"confided", r"opened up", r"made an? (?:disclosure|allegation)")
_DISCLOSURE = _rx(r"told", r"tells? (?:me|us)", r"said", r"says", r"saying", r"disclos\w*", r"confided", r"admitted",
                  r"mentioned", r"revealed", r"opened up", r"let slip", r"wrote", r"messaged", r"emailed", r"texted")

# --- when it is not an event: hypothetical and topic markers ----------------------------------------------

_CLAUSE = re.compile(r"[.;:?!\n]|,|\bbut\b|\bhowever\b")
_HYPOTHETICAL = re.compile(
    r"\bif\b(?<!\bas if)(?<!\bdont know if)(?<!\bnot know if)(?<!\bdidnt know if)(?<!\bsure if)(?<!\bunsure if)"
    r"(?<!\bcertain if)(?<!\bwonder if)(?<!\bwondering if)(?<!\bcheck if)(?<!\bsee if)(?<!\bidea if)(?<!\bclear if)"
    r"|\b(?:suppose|supposing|imagine|hypothetically|assuming|in case|in the event|for example|for instance"
    r"|such as|e g|eg)\b|(?:^|\blets |\bjust )say\b|\b(?:should|were) (?=(?:a|an|one|my) )")
_TEMPORAL = _rx(r"when", r"whenever", r"once", r"after", r"before", r"until")
_PAST_EVENT = _rx(r"told", r"said", r"disclosed", r"saw", r"noticed", r"came", r"was", r"were", r"showed", r"found",
                  r"messaged", r"sent", r"spotted", r"heard", r"asked", r"mentioned", r"admitted", r"wrote", r"arrived",
                  r"turned up", r"confided", r"had")
_TOPIC = _rx(r"polic(?:y|ies)", r"procedures?", r"guidance", r"guidelines", r"rules?", r"protocol", r"kcsie",
             r"training", r"pshe", r"rshe", r"rse", r"curriculum", r"what counts as", r"definition of", r"defined",
             r"what (?:is|are) (?:the )?signs", r"signs of")


def _clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSE.split(text) if c.strip()]


def _first(pattern: re.Pattern[str], clause: str) -> int:
    m = pattern.search(clause)
    return m.start() if m else len(clause) + 1


def check_concern(text: str) -> ConcernCheck:
    """Flag `text` when the asker describes a live concern about a particular child.

    The reason is the first (most specific) harm category, prefixed "disclosure of" when someone told the
    asker; "disclosure" when a child disclosed without the content being given; "worry about a pupil's
    safety" when only the asker's worry fired."""
    norm = normalise(text)
    live_refs: list[bool] = []  # one entry per live reference: is it definite ("the child", "she said")?
    any_hypothetical = False
    harm_text: list[str] = []
    worried = disclosed = False
    for clause in _clauses(norm):
        hypo = _first(_HYPOTHETICAL, clause)
        temporal = _first(_TEMPORAL, clause)
        if temporal < len(clause) and not _PAST_EVENT.search(clause):
            hypo = min(hypo, temporal)
        topic = _first(_TOPIC, clause)
        governed_from = min(hypo, topic)
        for m in _CHILD.finditer(clause):
            start = m.start("pron") if m.group("pron") else m.start()
            if start >= governed_from:
                any_hypothetical = True
            else:
                live_refs.append(bool(m.group("pron")) or m.group("det") in _DEFINITE)
        harm_text.append(clause[:topic])
        worried = worried or _first(_WORRY, clause) < governed_from
        disclosed = disclosed or _first(_FORMAL_DISCLOSURE, clause) < governed_from
    if any_hypothetical:  # "the child" / "she" then points back at the hypothetical child
        live_refs = [r for r in live_refs if not r]
    if not live_refs:
        return NOT_FLAGGED
    scrubbed = _SCRUB.sub(" ", " . ".join(harm_text))
    academic = _ACADEMIC.search(norm) is not None  # upset about exam results is not a safeguarding matter
    label = next((name for name, rx in _HARMS if rx.search(scrubbed) and not (academic and name == _DISTRESS)), "")
    if label:
        return ConcernCheck(True, f"disclosure of {label}" if _DISCLOSURE.search(norm) else label)
    if disclosed:
        return ConcernCheck(True, "disclosure")
    if worried and not academic:
        return ConcernCheck(True, "worry about a pupil's safety")
    return NOT_FLAGGED
