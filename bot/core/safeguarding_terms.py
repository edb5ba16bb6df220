"""Vocabularies for bot.core.safeguarding: pure data (regex source strings over normalised text), no logic.

Text is matched after `safeguarding.normalise`: lower case, apostrophes dropped ("doesnt", "pupils"),
placeholders such as "[name]" turned into "namedchild". Every pattern is wrapped in word boundaries."""

from __future__ import annotations

from typing import Final

# Common misspellings of the words the rules hinge on (staff type fast, often on phones).
TYPOS: Final[dict[str, str]] = {
    "pupl": "pupil", "pupli": "pupil", "puil": "pupil", "pupul": "pupil", "studnet": "student", "stduent": "student",
    "studen": "student", "sudent": "student", "chlid": "child", "chld": "child", "girll": "girl",
    "worreid": "worried", "worred": "worried", "woried": "worried", "worryed": "worried", "concered": "concerned",
    "concernd": "concerned", "disclsoed": "disclosed", "discolsed": "disclosed", "groomd": "groomed",
    "grommed": "groomed", "selfharm": "self harm", "selfharming": "self harming", "sucidal": "suicidal",
    "suicdal": "suicidal", "sucide": "suicide", "bruses": "bruises", "bruices": "bruises",
    "radicalized": "radicalised", "abuesd": "abused", "tuches": "touches",
}

# --- harm: fragments, then categories (most specific label first) ------------------------------------------

ME: Final = r"(?:me|us|staff|a colleague|colleagues|a teacher|teachers|a member of staff)"
FAMILY: Final = (r"(?:(?:his|her|their|my) (?:[a-z]+ )?(?:dad|mum|mom|father|mother|parents?|step ?dad|step ?mum"
                 r"|step ?father|step ?mother|uncle|aunt|auntie|brother|sister|cousin|grand\w+|carer|nan|grandad"
                 r"|boyfriend|partner|family)|(?:him|her|them|someone|somebody|an adult|a man|a woman|a relative))")
SELF: Final = r"(?:him|her|them|my|your)sel(?:f|ves)"
VICTIM: Final = (r"(?:her|him|them|me|(?:his |her |their |my )?(?:mum|mummy|mom|mommy|dad|daddy|mother|father"
                 r"|sister|brother|baby|nan))")
APPS: Final = r"(?:online|discord|snapchat|snap|instagram|insta|tiktok|roblox|fortnite|xbox|whatsapp|an app|a game)"
PICS: Final = r"(?:pictures?|photos?|pics?|images?|videos?|messages?|content|selfies?)"
DISTRESS: Final = "a child in distress or asking for secrecy"

# Harm that is not about a child: aimed at staff, or an accident. Scrubbed before harm words are sought.
SCRUB: Final[tuple[str, ...]] = (
    r"abus\w*(?: [a-z]+)? (?:about|at|to|towards|against|on) " + ME,
    r"(?:pupil|student|child|kid|boy|girl|he|she) (?:hit|punched|kicked|assaulted|attacked|spat at|swore at"
    r"|threatened|shouted at|slapped) " + ME,
    r"(?:hit|struck|hurt|injured) (?:by|with) (?:a|the) (?:ball|door|bat|racket|swing|hockey stick)",
    r"(?:shouted|shouting|shouts|screamed|screaming|screams|swore|swearing|swears|yelled|yelling|rude|aggressive"
    r"|abusive|threatening) (?:at|to|towards|with) (?:" + ME[3:-1] + r"|reception|the office|[a-z]+ staff|my colleague"
    r"|the teacher|the head)",
    r"(?:called|calling|calls|said|says|saying|accused) (?:me|us|that i|i|im)(?: was| am| is| of being| a| an)*"
    r" (?:racist|homophobic|transphobic|sexist|bully|bullying|paedo\w*|pervert|abusive)",
)

HARMS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("self-harm or suicide risk", (
        r"self harm\w*", r"(?:cutting|cuts|cut|hurting|hurt|burning|harming|kill|killing|starving) " + SELF,
        r"(?:fresh |new |deep |lots of |loads of )?(?:cuts|scars?) (?:on|to|across|up)", r"suicid\w*",
        r"(?:fresh|new|deep|lots of|loads of) (?:cuts|scars|wounds)", r"(?:been|started|is|was|keeps|back to) cutting",
        r"cutting again", r"want(?:s|ed)? to die", r"end(?:ing)? (?:his|her|their|my life|it all)", r"better off dead",
        r"overdos\w*", r"(?:take|taking|took|taken|swallowed) (?:\w+ ){0,4}(?:pills|tablets)", r"suicide note",
        r"(?:cant|cannot|can not) (?:cope|go on|carry on)", r"(?:goodbye|farewell) (?:note|letter|to everyone|message)",
        r"feels? like (?:ending|dying|giving up|disappearing)", r"(?:no one|nobody) would (?:care|miss|notice)",
        r"(?:wish|wishes|wished) (?:she|he|they|i) (?:wasnt|was not|werent|were not) (?:here|alive|born)",
        r"(?:doesnt|does not|dont|didnt) want to (?:be here|live|be alive|wake up)", r"no point (?:in )?living",
        r"eating disorder", r"anorexi\w*", r"bulimi\w*", r"making " + SELF + " sick", r"disappear(?:ed)? for good",
        r"(?:stopped|not|isnt|is not|barely) eating", r"(?:vomiting|being sick|throwing up) after",
        r"losing (?:a lot of |loads of |lots of )?weight", r"skipping (?:meals|lunch|breakfast)")),
    ("sexual abuse", (
        r"touch(?:es|ed|ing)? (?:her|him|them|me)", r"inappropriate(?:ly)? touch\w*", r"touched inappropriately",
        r"(?:comes|came|coming|goes|went|going|gets|got|climbs) into (?:the|her|his|my|their) (?:room|bedroom|bed"
        r"|bathroom|shower)", r"(?:have|having|had|has) sex", r"(?:in|of) (?:her|him|them) in the (?:bath|shower)",
        r"(?:takes?|taking|took|taken) (?:\w+ )?(?:photos|pictures|pics|videos) of (?:her|him|them)\b",
        r"(?:films|filming|filmed) (?:her|him|them)", r"willy|penis|vagina|genitals|privates|private parts",
        r"forced (?:her |him |them )?to (?:have|do|touch|watch|send|film)", r"sexual\w*", r"rape[ds]?", r"molest\w*",
        r"indecent\w*", r"porn\w*", r"upskirt\w*", r"(?:explicit|naked|nude|sexual|inappropriate|rude) " + PICS,
        r"nudes?", r"sext\w*")),
    ("grooming or exploitation", (
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
        r"met (?:him|her|them|someone|somebody|a man|an adult) online", r"met (?:on )?" + APPS,
        r"send (?:\w+ )?" + PICS + r" of (?:her|him|them)sel(?:f|ves)",
        r"(?:sending|sent|sends|send) (?:\w+ )?" + PICS + r" to (?:\w+ ){1,2}(?:man|men|adult|guy|stranger|someone)",
        r"secret (?:boyfriend|girlfriend|relationship)", r"(?:1[89]|[2-9]\d) year old (?:man|boyfriend|guy|bloke)",
        r"(?:seeing|dating|going out with|sleeping with|staying with|living with) (?:a|an) (?:1[89]|[2-9]\d) year old",
        r"(?:boyfriend|girlfriend|partner) (?:who is |whos |is |aged )(?:1[89]|[2-9]\d|an adult|older)",
        r"staying (?:at|with) (?:\w+ ){0,2}(?:adults|men|strangers|flat)",
        r"(?:teacher|coach|tutor|instructor|leader|member of staff|youth worker) (?:\w+ ){0,5}(?:used to|has been|keeps"
        r"|kept|was|is|been) (?:messaging|message|texting|snapchatting|contacting|touching|kissing|hugging)",
        r"(?:wants?|wanted|asked|asking|arranged) to meet (?:up )?(?:with )?(?:him|her|them)",
        r"(?:meeting|meet up with|meets) (?:an adult|a man|men|someone .{0,20}online)",
        r"(?:messages?|texts?|dms|calls|snaps|friend requests?) from"
        r" (?:a |an |some |this |an older |older )?(?:grown )?"
        r"(?:man|men|adult|adults|guy|stranger|bloke)")),
    ("radicalisation", (
        r"radicali[sz]\w*", r"extremis\w*", r"terroris\w*", r"far right", r"(?:neo )?nazi\w*", r"isis", r"jihad\w*",
        r"white supremac\w*", r"incels?", r"should (?:all )?be (?:deported|killed|shot|gassed)", r"tommy robinson",
        r"andrew tate", r"behead\w*", r"killing (?:people|muslims|jews|christians|black|white|gay)\w*",
        r"(?:violent|gore|gory|extreme) (?:videos|content|images)")),
    ("physical abuse", (
        r"hit(?:s|ting)?", r"beat(?:s|en|ing)?", r"punch\w*", r"kick(?:s|ed|ing)", r"slap\w*", r"smack\w*",
        r"strangl\w*", r"chok(?:ed|ing|es)", r"bruis\w*", r"black eye", r"burns?", r"scratch(?:es|ed)", r"flinch\w*",
        r"fractur\w*", r"broken (?:arm|leg|wrist|bone|nose|finger|ribs?)", r"doesnt add up", r"keeps changing",
        r"grabbed (?:him|her|them)", r"throws? (?:things|stuff|\w+) at (?:him|her|them|me)", r"injur\w*", r"welts?",
        r"marks on (?:his|her|their)", r"hurt(?:s|ing)? " + VICTIM, r"being hurt", r"violen\w*", r"assault\w*",
        r"(?:will|gonna|going to|would|threatens to|threatened to) (?:kill|hurt|beat|hit|batter) " + VICTIM,
        r"attacked", r"belt(?:ed)?")),
    ("domestic abuse", (
        r"domestic", r"police (?:came|were called|at)",
        r"(?:mum|dad|parents|mother|father|step ?dad|step ?mum) (?:is |are |keeps |keep )?(?:fighting|fights?"
        r"|arguing|screaming|shouting|drunk|drinks|drinking|on drugs|taking drugs)")),
    ("neglect", (
        r"hungry", r"starving", r"(?:never|no|not|hardly) (?:any )?food", r"not (?:being |been )?fed",
        r"(?:never|doesnt|does not) eat", r"steal(?:s|ing)? food", r"unwashed", r"dirty", r"smell(?:s|y)", r"unkempt",
        r"neglect\w*", r"(?:no|without a) coat", r"same clothes", r"holes in (?:his|her|their) shoes",
        r"shoes (?:have|with) holes", r"(?:sleeps|sleeping|slept|living|lives|live) in (?:a|the|their|his|her) car",
        r"homeless", r"sofa surfing", r"(?:thrown|excluded) (?:out|from home)", r"sleep(?:s|ing)? on the floor",
        r"(?:nowhere|no where) to (?:live|stay|sleep)", r"home alone", r"left alone", r"young carer",
        r"(?:no one|nobody|no adult) (?:is )?at home", r"(?:asking|asks|asked|begging|begs) (?:\w+ )?for food",
        r"looks after (?:his|her) (?:mum|dad|siblings|brothers?|sisters?)")),
    ("fear, running away or missing education", (
        r"(?:hasnt|has not|not) been (?:in|seen|at school)(?: school)? (?:for|since)", r"missing (?:school|education)",
        r"(?:stopped|not) (?:coming|attending)(?: to)? school", r"refus\w* to go home", r"r[au]n(?:s|ning)? away",
        r"(?:doesnt|does not|dont|do not|wont|will not|didnt|did not|not) want(?:ing)? to go home",
        r"(?:scared|afraid|frightened|terrified|petrified) (?:(?:to go|of going) home|of " + FAMILY + ")",
        r"(?:went|goes|gone|going) missing", r"missing from (?:home|care)", r"kicked out", r"sleeping rough")),
    ("online abuse", (
        r"cyber ?bull\w*", r"(?:bullied|harassed|threatened) online", r"trolled", r"sextortion",
        r"(?:being |been )?sent (?:\w+ )?(?:pictures|photos|pics|images|videos) (?:by|from) (?:an|a) ",
        r"shared (?:his|her|their) (?:pictures|photos|pics|images)")),
    ("bullying", (
        r"bull(?:ied|ying|ies|y)", r"(?:called|calling) (?:him |her |them )?names", r"name calling", r"picked on",
        r"racis[tm]", r"homophob\w*", r"transphob\w*")),
    ("FGM or forced marriage", (
        r"fgm", r"female genital", r"forced (?:to )?marr\w*", r"(?:married|marriage|engaged) off", r"honour based",
        r"breast ironing", r"cut abroad", r"(?:to be|getting|get|be|being) cut\b(?! from)",
        r"(?:arranging|arranged|planning) (?:for (?:her|him) )?to marry",
        r"(?:make|making|made|forcing) (?:her|him) (?:to )?marry", r"marry (?:a|an|her|his) (?:cousin|older)")),
    ("drugs, alcohol or weapons", (
        r"drugs?", r"weed", r"cannabis", r"vap(?:e|es|ing) thc", r"drunk", r"alcohol", r"knife", r"knives",
        r"weapons?", r"gun")),
    (DISTRESS, (
        r"crying", r"cries", r"cried", r"sobbing", r"sobs", r"in tears", r"upset", r"distressed", r"help me",
        r"(?:doesnt|dont|does not) (?:feel|felt) safe",
        r"(?:doesnt|dont|does not|didnt) (?:want|like) (?:me|us|anyone|you) to (?:tell|know)", r"(?:not|never) to tell",
        r"keep (?:it )?(?:a )?secret", r"(?:doesnt|dont|didnt) like (?:it|what)", r"things (?:she|he|they) (?:doesnt"
        r"|dont) like")),
    ("a child at risk", (
        r"abus\w*", r"at risk", r"unsafe", r"not safe", r"in danger", r"harm(?:ed|ing)?", r"threat(?:en|ened|ening|s)?",
        r"harass\w*", r"mistreat\w*", r"cruel\w*", r"pregnant", r"locked (?:in|out)", r"tied up", r"stalk\w*",
        r"(?:going on|happening|problems?|trouble) at home", r"lock(?:s|ed|ing)? (?:her|him|them) (?:in|out|up)",
        r"(?:makes|made|making|forces|forcing) (?:him|her|them) (?:to )?(?:stand|sleep|stay|kneel|hold|carry|sell"
        r"|watch|do things|keep secrets?)")),
)

# --- the asker's worry, academic context, disclosure words -------------------------------------------------

WORRY: Final[tuple[str, ...]] = (
    r"worried", r"worrying", r"concerned", r"uneasy", r"suspicious", r"i suspect", r"gut feeling",
    r"i (?:have|ve got|got|ve had|had) (?:a |some |real |serious |a few )?(?:concerns?|worry|worries|suspicions?)",
    r"something (?:isnt|is not|doesnt seem|does not seem|feels|seems|is) (?:right|off|wrong)")
ACADEMIC: Final[tuple[str, ...]] = (
    r"grades?", r"marks", r"progress", r"exams?", r"homework", r"coursework", r"revision", r"attainment", r"results",
    r"reading age", r"uniform", r"predicted", r"gcses?", r"a levels?", r"sats")
# In school usage these words mean a safeguarding disclosure even when the content is not spelled out.
FORMAL_DISCLOSURE: Final[tuple[str, ...]] = (r"disclos\w*", r"confided", r"opened up",
r"made an? (?:disclosure|allegation)")
DISCLOSURE: Final[tuple[str, ...]] = (
    r"told", r"tells? (?:me|us)", r"said", r"says", r"saying", r"disclos\w*", r"confided", r"admitted", r"mentioned",
    r"revealed", r"opened up", r"let slip", r"wrote", r"messaged", r"emailed", r"texted")

# --- when it is not an event ---------------------------------------------------------------------------------

PAST_EVENT: Final[tuple[str, ...]] = (
    r"told", r"said", r"disclosed", r"saw", r"noticed", r"came", r"was", r"were", r"showed", r"found", r"messaged",
    r"sent", r"spotted", r"heard", r"asked", r"mentioned", r"admitted", r"wrote", r"arrived", r"turned up",
    r"confided", r"had")
TOPIC: Final[tuple[str, ...]] = (
    r"polic(?:y|ies)", r"procedures?", r"guidance", r"guidelines", r"rules?", r"protocol", r"kcsie", r"training",
    r"pshe", r"rshe", r"rse", r"curriculum", r"what counts as", r"definition of", r"defined",
    r"what (?:is|are) (?:the )?signs", r"signs of")

# --- fallback 1: a particular child is the source of reported speech ---------------------------------------

# Nothing in the gap between the child and the verb may be another speaker (an adult, or a new subject
# pronoun) or a hypothetical marker: "a pupil's mum told me", "a pupil, if she says ..." are not the pupil.
ADULTS: Final[tuple[str, ...]] = (
    r"colleagues?", r"teachers?", r"ta", r"parents?", r"mums?", r"moms?", r"dads?", r"mothers?", r"fathers?",
    r"carers?", r"nurse", r"police", r"officers?", r"social worker", r"head\w*", r"managers?", r"governors?", r"staff",
    r"senco", r"dsl", r"coach", r"tutor", r"aunt\w*", r"uncle", r"grand\w+", r"nan", r"step ?\w+", r"lady", r"man",
    r"woman")
GAP_STOP: Final[tuple[str, ...]] = (
    r"he", r"she", r"they", r"we", r"you", r"it", r"if", r"when", r"whenever", r"once", r"unless", r"suppose",
    r"should", r"would", r"could", r"might", *ADULTS)
# A child may speak through a sibling or friend ("a pupil's sister messaged me saying ...").
CHILD_RELATION: Final = r"(?:sister|brother|sibling|friend|best friend|mate|classmate|cousin|girlfriend|boyfriend)"
SPEECH: Final[tuple[str, ...]] = (
    # telling verbs carry their content ("told me her dad ...")
    r"(?:has |had |just |then |also |keeps |kept |has been |been |was )?(?:told|tells|telling|said|says|saying"
    r"|admitted|admits|confided|confides|disclosed|discloses|mentioned|mentions|revealed|reveals|let slip"
    r"|whispered|blurted out|opened up|explained that|came to me and said|came up to me and said)"
    r"(?! (?:me|us) (?:off|to)\b)(?! (?:him|her|them) off\b)",
    # writing verbs only count with content: "messaged me on Instagram" alone is contact, not a concern
    r"(?:has |had |just |then |also )?(?:messaged|messages|emailed|emails|texted|texts|dmed|dmd|posted|posts|wrote"
    r"|writes|written|sent|sends|left|put|snapchatted|whatsapped)(?: [a-z0-9]+){0,6}? (?:saying|to say|that"
    r"|asking (?:me )?(?:for help|to help))",
    r"(?:wrote|writes|written|has written) (?:in|on|inside) (?:her|his|their|the|a|my)",
)
# "I've been told by a pupil that ...", "I heard from one of my tutees ..."
SPEECH_BEFORE: Final = r"(?:told|informed|heard|found out|learned|learnt|a disclosure|made aware) (?:it )?(?:by|from) $"
# The content is about the asker ("a pupil said I was racist", "says horrible things about me"): a staff matter.
ABOUT_STAFF: Final = (r"^ (?:(?:me|us|to me|to us|everyone|people|others) )?(?:that )?"
                      r"(?:i|im|ive|id|ill|my|you|youre|your)\b"
                      r"|\b(?:about|at|to) (?:me|us|my face|staff|teachers)\b"
                      r"|\b(?:saw|seen|met|likes?|loves?|fancies|follows?|followed) (?:me|you)\b")

# What a pupil said is routine school business when its content is about these (and no harm word or sign
# fired): lessons and courses, next steps, thanks. "a pupil told me she wants to drop French" is not for the DSL.
ROUTINE_SPEECH: Final[tuple[str, ...]] = (
    r"lessons?", r"subjects?", r"options", r"drop (?:\w+ )?(?:french|spanish|german|music|art|drama|history"
    r"|geography|science|maths|english|computing|re|pe|dt|a subject)", r"set change", r"move sets?",
    r"universit\w*", r"ucas", r"college", r"sixth form", r"apprenticeship", r"personal statement", r"deadline",
    r"thank(?:s| you)", r"happy birthday", r"merry christmas", r"(?:enjoyed|loved|liked) (?:the|your|my|our)")

# --- fallback 2: observed signs of abuse or neglect, phrased as events (KCSIE Part 1 / Annex B categories) ----
# Single weak signs that are everyday staff questions stay out ("a pupil has nits", "his phone keeps going
# off", "can he be excused from PE", "lunch debt", "can't sit still"): they would drown the real signs.

_INJURY = (r"(?:injur\w*|cuts?|graze[sd]?|swelling|swollen \w+|lumps?|bumps?|bite marks?|bites|hand ?prints?"
           r"|(?:red|finger|fingertip|bite|belt|strange|odd|fresh) marks|burns?|scalds?|blisters?|(?:a )?limp"
           r"|bandages?|plasters?|(?:a )?cast|stitches|(?:cut|split|fat|swollen|bust) lip|bloody nose|nosebleed"
           r"|blood\w*|sores?|rash|scabs?|scratch\w*|welts?|bruis\w*|black eye|bald patch\w*)")
_ABOUT_TIME = (r"(?: (?:in|up|into school|to school|to nursery|back|in to school|today|this morning|again"
               r"|after the weekend|on monday|from the holidays|from half term))*")
SIGNS: Final[tuple[str, ...]] = (
    # physical: an injury arriving with the child, or one that is not explained
    r"(?:came|come|comes|coming|turned|turns|turning|turn|arrived|arrives|arriving|showed up|shown up)" + _ABOUT_TIME
    + r" with (?:[a-z]+ ){0,3}?" + _INJURY,
    r"hand ?prints?", r"finger ?(?:tip )?(?:marks|bruis\w*)", r"bite marks?", r"(?:cut|split|fat|bust) lip",
    r"(?:fresh|strange|odd|unexplained|loop|belt|rope|grip) marks", r"unexplained \w+", r"bald patch\w*",
    r"(?:hair|clumps of hair) (?:pulled|ripped|torn) out", r"(?:pulled|pulling|ripped) (?:out )?(?:her|his|their) hair",
    r"cigarette (?:burns?|marks)", r"limping", r"(?:winces|wincing|winced)", r"in (?:a lot of |so much )?pain",
    r"(?:cant|cannot|struggling to|struggles to|difficulty|trouble|pain) (?:when )?(?:sitting down|sit down|walking"
    r"|walk properly|standing up)", r"sore (?:down there|bottom|bum)",
    r"(?:walking|walks|walked|sitting|sits|sat) (?:really |very )?(?:awkwardly|funny|strangely|oddly|uncomfortably"
    r"|stiffly|gingerly)",
    r"(?:wont|will not|wouldnt|would not|refuses to|refused to|doesnt|didnt) (?:[a-z]+ ){0,2}?(?:explain|say how"
    r"|say what happened|tell (?:me|us|anyone) (?:how|what happened)|talk about (?:it|how|what))",
    r"(?:story|explanation|account|excuse)s? (?:[a-z]+ ){0,3}?(?:changed|changes|doesnt (?:add up|match|fit)"
    r"|didnt (?:add up|match))", r"(?:vague|odd|strange|unlikely|different) (?:explanations?|story|stories|excuses?)",
    # neglect: food, sleep, hygiene, clothing, health, supervision
    r"(?:hasnt|has not|hadnt|had not|havent|not|never) (?:[a-z]+ )?(?:eaten|had (?:any |anything for )?(?:breakfast"
    r"|lunch|dinner|tea|food|anything to eat))", r"(?:no|empty) (?:lunch|lunchbox|lunch box|packed lunch|breakfast)",
    r"lunch ?box (?:is |was )?(?:empty|always empty)",
    r"(?:lost|losing|lose) (?:a lot of |loads of |lots of |so much |some )?weight",
    r"(?:really|very|so|too|painfully|worryingly|dangerously) (?:thin|skinny|underweight)", r"underweight",
    r"malnourish\w*", r"(?:always|constantly|permanently|often|every day|all the time) (?:so |really )?(?:tired"
    r"|exhausted|cold|dirty|smelly)", r"(?:really|very|so) (?:dirty|smelly)",
    r"(?:keeps|kept|keep|always|constantly|often) (?:falling|fall|falls) asleep",
    r"falls? asleep (?:in|during) (?:lessons|class)",
    r"(?:soiled|soiling|soils|wet|wetting|wets) (?:him|her|them)sel(?:f|ves)",
    r"soiled", r"bed ?wetting", r"(?:started|starting|begun|began|keeps) (?:[a-z]+ )?(?:wetting|soiling)",
    r"(?:rotten|decayed|decaying|black|broken) teeth", r"tooth ?ache",
    r"(?:not|never|hasnt|havent|has not|have not|wont|wouldnt|refuse to|refused to) (?:been )?(?:take|taken|took)"
    r" (?:him|her|them) to (?:the )?(?:dentist|doctors?|gp|hospital|optician)", r"untreated",
    r"(?:clothes|uniform|shoes|trainers) (?:are |is )?(?:too small|falling apart|filthy|soaked|stained|ripped)",
    r"(?:no|without) (?:socks|shoes|warm clothes|a jumper)", r"(?:shorts|t shirt|sandals) in (?:the )?(?:snow|winter)",
    r"(?:not|never|wasnt|isnt|hasnt been) (?:picked up|collected)",
    r"(?:waiting|left) (?:[a-z]+ ){0,3}?(?:at|until|till) \d\w*",
    r"(?:nobody|no one) (?:came|comes) to (?:collect|pick)",
    r"(?:stays|staying|stay|hangs around|hanging around) (?:really )?(?:late|behind) (?:after school )?"
    r"(?:every|because|and)",
    r"(?:on (?:his|her|their) own|by (?:him|her|them)sel(?:f|ves))"
    r" (?:overnight|all night|all weekend|at night|every night)",
    r"(?:left|leaves) (?:in charge of|to look after|on (?:her|his|their) own)",
    # emotional and behavioural change
    r"(?:is|was|seems|seemed|looks|looked|gets|got|became|become|becomes|been|getting|appears|always|more)"
    r" (?:really |very |so |quite |extremely |more and more |increasingly )?(?:scared|frightened|terrified|petrified"
    r"|afraid|fearful|jumpy|on edge|hypervigilant|clingy|subdued|withdrawn(?! from))(?! (?:of|about) (?!(?:him|her"
    r"|them|someone|somebody|a man|men|the man|adults|people|going|getting|changing|being|his|their)\b))",
    r"(?:scared|frightened|terrified|petrified|afraid) (?:of (?:him|her|them|someone|somebody|a man|men|the dark)"
    r"|to (?:go|be|tell|take|get)(?! (?:up|on|into|in) (?:in )?(?:assembly|front|stage|class|the play)))",
    r"(?:screams|screaming|screamed|panics|panicking|panicked|cries|cried|freezes|froze|shakes|shaking|shook"
    r"|trembles|trembling|hides|hid|hiding|clings|clinging|cowers|cowering|goes (?:quiet|silent|pale|white)"
    r"|went (?:quiet|silent|pale|white)|becomes hysterical|tenses up|shuts down) (?:[a-z]+ ){0,4}?(?:when|whenever"
    r"|every time|if|as soon as)", r"(?:panic|anxiety) attacks?", r"nightmares",
    r"(?:started|starting|begun|began|has been|keeps) (?:[a-z]+ )?(?:hurting animals|stealing|acting out|truanting"
    r"|skipping lessons|missing lessons|staying out|running off|pulling (?:her|his|their) hair out)",
    r"(?:sudden|big|huge|massive|complete|total|noticeable|marked|drastic) change (?:in|of) (?:her |his |their )?"
    r"(?:behaviour|personality|mood|appearance|friends|friendship group)",
    r"(?:behaviour|personality|mood) (?:has )?(?:changed|changes) (?:a lot|completely|suddenly|overnight|since)",
    r"(?:not|isnt|is not|hasnt been|no longer) (?:her|him|them)sel(?:f|ves)",
    r"(?:like a|a completely|completely|totally|such a) (?:different|changed) (?:child|person|girl|boy|kid)",
    r"(?:knows|knowledge|talking|talks|talked) (?:[a-z]+ ){0,3}about (?:sex|things (?:she|he|they) shouldnt)",
    r"humping", r"masturbat\w*", r"simulat\w* sex",
    r"(?:refuses|refused|wont|will not|doesnt want|didnt want) to (?:get changed|change for pe|do pe|go to pe"
    r"|take (?:her|his|their) (?:coat|jumper|hoodie|top|blazer) off|be left alone with)",
    r"(?:hide|hides|hiding|cover|covers|covering|covered) (?:up )?(?:her|his|their) (?:arms|wrists|legs|neck|face|body"
    r"|thighs)", r"(?:long sleeves|a hoodie|a jumper|a coat|layers) (?:[a-z]+ ){0,4}?(?:hot|summer|heat|hide|cover"
    r"|all the time|in pe)", r"(?:pulling|pulls|pulled|tugging|tugs|tugged) (?:at )?(?:her|his|their) sleeves",
    r"(?:wont|wouldnt|doesnt want to|didnt want to|refuses to|refused to) let (?:me|us|anyone|the nurse|staff) (?:see"
    r"|look at|check)",
    # self-harm and suicide
    r"plasters? (?:on|over|all over|up|round) (?:both |his |her |their )?(?:wrists?|arms?|legs?|thighs?)",
    r"(?:searched|searching|searches|googled|googling|looked up|looking up|researched|researching|search history"
    r"|browsing history) (?:[a-z]+ ){0,6}?(?:die|dying|kill|suicide|overdose|paracetamol|pills|tablets|ligature"
    r"|hang|hanging|noose|lethal|painless)",
    r"how (?:many|much) (?:[a-z]+ ){0,2}?(?:paracetamol|pills|tablets|ibuprofen)",
    r"lethal (?:dose|amount)", r"ligatures?", r"noose", r"(?:blades?|razors?) (?:in|from) (?:her|his|their)",
    r"giving (?:away )?(?:her|his|their) (?:things|stuff|belongings|possessions)(?: away)?",
    # radicalisation
    r"manifesto", r"propaganda", r"(?:inferior|superior|pure|purity of the) races?", r"racial purity",
    r"(?:better|cleaner) (?:off )?without (?:certain|other|those|all the|the) (?:races|religions|people|muslims|jews"
    r"|immigrants|foreigners)", r"swastikas?", r"race war", r"great replacement",
    r"(?:extreme|hateful|hate|racist|violent|extremist) (?:views|beliefs|comments|speech|symbols?|stickers|flags"
    r"|material|literature|leaflets|websites|forums|groups?|chats?|servers?)",
    r"hates? (?:all )?(?:women|muslims|jews|christians|black people|white people|gay people|immigrants|foreigners"
    r"|refugees)", r"deserve(?:s|d)? to (?:die|be (?:raped|killed|shot|hurt|attacked|bombed))",
    r"(?:bomb\w*|shoot(?:er|ers|ing|ings)|terrorists?|attackers?)(?: [a-z]+){0,3} (?:hero|heroes|legend|martyr|brave"
    r"|deserved)", r"(?:hero|heroes|legend|martyr)(?: [a-z]+){0,3} (?:bomb\w*|shoot(?:er|ing)|terrorists?|attack)",
    # online grooming
    r"(?:keep|keeping|kept|keeps) (?:it |their |the |our |his |her |these )?(?:chats?|messages?|conversations?"
    r"|friendship|relationship|talking) (?:a )?secret",
    r"(?:move|moving|moved|switch|switching|switched|go|going) (?:the chat |chats |their chats |it )?(?:to|onto"
    r"|over to) (?:telegram|whatsapp|signal|kik|wickr|another app|a different app|a private (?:chat|server|app))",
    r"(?:asking|asked|asks|wants|wanted) (?:him|her|them) (?:for|to send|to give) (?:[a-z]+ )?(?:address|location"
    r"|photos?|pictures?|pics|selfies|videos?|phone number)",
    r"asking for (?:his|her|their) (?:address|location|photos|pictures|pics)",
    r"(?:claims|claiming|claimed|pretending|pretends|pretended|says|said) (?:to be|hes|shes|he is|she is) (?:only )?"
    r"(?:1[0-7]|a (?:kid|teenager|girl|boy|pupil|student)|(?:a |in )?year \d)",
    r"(?:wants|wanted|asking for|asked for|asks for) (?:[a-z]+ )?(?:pictures|photos|pics|selfies|videos)\b"
    r"(?! (?:of|for)"
    r" (?:the|our|my|a) (?:school|trip|website|newsletter|project|class|team))",
    r"(?:looks|looking|is) (?:much |a lot |way |loads )?older than",
    r"(?:someone|somebody|a man|a guy|an adult|a stranger|a person) (?:(?:she|he|they) )?(?:plays|played|met|meets"
    r"|talks|talked|chats|chatted|games)(?: [a-z]+){0,3} (?:online|on|with)",
    # exploitation, county lines, going missing
    r"(?:two|2|three|multiple|several|a second|second|more than one|burner|different) (?:mobile )?phones",
    r"(?:found|picked up|stopped|arrested|seen|caught) (?:by (?:the )?police )?in (?:another|a different)"
    r" (?:town|city|county|area)", r"police (?:found|picked up|brought|stopped|arrested|caught|returned)",
    r"(?:found|picked up|arrested|stopped|caught) by (?:the )?police",
    r"(?:doing|does|did|do|done) (?:a bit of |some |little |a few )?(?:work|jobs|errands|runs|favours|deliveries) for",
    r"getting (?:into|in) (?:cars|a car|vans|taxis|different cars)",
    r"(?:men|older boys|older lads|adults|a man|strangers) (?:[a-z]+ ){0,2}?(?:outside|at) (?:the )?(?:school|gates?)",
    r"(?:loads of|lots of|brand|expensive|designer) new (?:clothes|trainers|phones?|jewellery|things|stuff)",
    r"(?:money|cash|things|gifts|clothes) (?:that )?(?:she|he|they) (?:cant|cannot|can not|wont|will not|doesnt"
    r"|wouldnt) (?:explain|account)",
    r"(?:been |is |was )?off (?:school )?(?:for|since) (?:[a-z0-9]+ )?(?:weeks|a fortnight)(?! (?:with|because|due"
    r"|after|ill|sick|poorly|in hospital))",
    r"(?:missing|skipping|bunking|truanting) (?:[a-z]+ )?lessons",
    r"(?:stays|stayed|staying) out (?:all night|really late|late|overnight|until)", r"out all night",
    r"(?:comes|came|coming) home (?:really late|at \d|the next day)", r"whereabouts",
    r"owes? (?:money|someone|people)", r"drug debts?", r"in debt to",
    r"(?:came|comes|coming|arrived|turned up|turns up) (?:home |in |into school |to school )?(?:high|stoned"
    r"|smelling of (?:alcohol|weed|cannabis))\b(?! (?:spirits|school|vis))",
    # FGM, forced marriage, honour-based abuse
    r"(?:special|big|important) (?:ceremony|procedure|celebration)",
    r"(?:become|becoming|be) a (?:woman|proper woman|real woman)", r"extended (?:holiday|trip|visit)",
    r"long (?:holiday|trip|visit) (?:abroad|back home|to (?:see )?(?:family|relatives))",
    r"(?:ages|a long time|forever|a while|longer) in the (?:toilets?|bathroom|loo)",
    r"(?:taking|takes|took|spending|spends|spent) (?:ages|a long time|forever|much longer|longer) (?:[a-z]+ )?"
    r"(?:toilets?|bathroom|loo)",
    r"(?:frequent|repeated|recurring|recurrent|lots of|keeps getting|always getting|another) (?:water |urine |urinary"
    r" |bladder )?(?:infections|infection|utis?)",
    r"(?:shes|hes|she is|he is|she will be|he will be|to get|be getting) (?:getting |going to be |get )?"
    r"(?:married|engaged)",
    r"(?:shame|dishonou?r) (?:on|to) (?:the|her|his|their) family",
    # domestic abuse
    r"police (?:came|come|were|was|are|had to|have been) (?:[a-z]+ ){0,3}?(?:house|home|flat|round)",
    r"police (?:were|was|got) called",
    r"(?:smashed|kicked in|broke down|kicked down) (?:[a-z]+ ){0,2}?(?:door|window|wall"
    r"|tv|things|plates|furniture)", r"broke (?:the |their |our )?(?:front |bedroom )?door (?:down|in)",
    r"(?:hides|hid|hiding|hide) (?:under|in|behind) (?:the|her|his|their|a)"
    r" (?:bed|wardrobe|cupboard|room|bathroom|table"
    r"|sofa)", r"(?:parents|mum and dad|mum|dad|mummy|daddy|mother|father) (?:[a-z]+ ){0,2}?(?:argue|argues|argued"
    r"|rowing|rows|rowed|fought|fight|screamed|screaming|yelling|yelled|shouting|shouted)",
    r"(?:mums?|mothers?|dads?|fathers?) (?:new |violent )?"
    r"(?:ex|ex partner|ex boyfriend|ex husband|ex girlfriend|ex wife)",
    r"restraining order", r"non molestation", r"refuge",
    r"found out where (?:they|we|she|he|her family|his family) (?:live|lives|are)",
    # child-on-child abuse and harmful sexual behaviour
    r"(?:pinned|pinning|pins|held|holding|holds) (?:her|him|them) (?:down|against)", r"grop\w*",
    r"(?:grabbed|grabbing|grabs|touched|touching|touches|pinched|slapped|smacked) (?:her|his|their) (?:bum|bottom"
    r"|breasts?|boobs|chest|crotch|backside|bra|skirt)",
    r"(?:pulled|pulling|pulls) (?:down )?(?:her|his|their) (?:trousers|skirt|pants|shorts|top|bra|underwear)",
    r"hands? (?:down|up|inside|in) (?:[a-z]+ ){0,2}?(?:trousers|pants|knickers|skirts?|tops?|shorts|underwear)",
    r"(?:videos?|photos?|pictures?|pics|images?|clips?) of (?:[a-z0-9]+ ){0,5}?(?:getting (?:undressed|changed)"
    r"|undressing|changing|naked|in (?:her|his|their) (?:underwear|bra|pants)|in the (?:showers?|toilets?"
    r"|changing rooms?))",
    r"(?:passing|passed|passes|sharing|shared|shares|spreading|spread) (?:it |them )?(?:round|around)",
    r"rumou?rs? (?:about|that) (?:her|him|them)",
    r"(?:dared|pressured|pressuring|pressure) (?:her|him|them) (?:into|to)",
    r"initiation", r"(?:sexual|dirty|sexist) (?:comments|remarks|jokes|names|gestures)",
    r"(?:cornered|surrounded|ganged up on|jumped) (?:her|him|them)",
)
