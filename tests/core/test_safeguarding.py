"""check_concern: a question describing a live concern about a child is flagged; policy questions are not."""

from __future__ import annotations

import time

import pytest

from bot.core.safeguarding import ConcernCheck, check_concern, normalise

# A real event about a particular child, told by the asker (past or present tense): flag.
FLAGGED = [
    "a pupil told me her uncle touches her",
    "I'm worried a student is being groomed",
    "a Year 8 boy disclosed that he is being hit at home",
    "one of my students has cuts on her arms",
    "a child in my class said she doesn't want to go home",
    "I think one of my pupils is being radicalised",
    "a girl in year 10 sent me a message saying she wants to kill herself",
    "I saw bruises on a pupil",
    "a student is being sent explicit pictures by an adult on Snapchat",
    "my tutee says an older man picks her up after school and buys her things",
    "a pupil messaged me on Instagram saying he's scared of his dad",
    "worried about a kid in 7C who keeps coming in hungry",
    "a parent told me their son is being bullied online and is self-harming",
    # lower case, no punctuation, typos
    "a pupl told me her stepdad hits her what do i do",
    "studnet said her mum's boyfriend touched her",
    "im worreid about a girl in my form she has bruses on her neck",
    "a learner disclosed sexual abuse today who do i tell",
    "A YOUNG PERSON I WORK WITH SAID THEY ARE GOING TO END THEIR LIFE",
    "[name] told me he is scared to go home tonight",
    "<name> in year 9 has been going missing after school",
    # own phrasings
    "one of my year 11s said her boyfriend who is 22 has been sending her money",
    "a student showed me scars on her arm in PE, do I need to record it?",
    "a boy in my tutor group keeps falling asleep, smells and says there's no food at home",
    "a Year 7 girl told me her family are taking her abroad this summer to be married off",
    "a pupil admitted he is carrying drugs for older boys",
    "I noticed a student has a new expensive phone and is getting gifts from an older man",
    "A 14 year old in my class is pregnant, what do I do?",
    "my tutee told me her dad hits her mum when he's drunk",
    "a child came in with a black eye and wouldn't say how it happened",
    "a pupil posted on TikTok that she wants to die, who do I tell?",
    "a kid in my class is sharing far right videos and talking about 'race war'",
    "a pupil told me yesterday, but asked me not to tell anyone, that an adult is messaging her",
    "when a pupil told me about her uncle today I didn't know what to do, she said he touches her",
    "I have concerns about a pupil in 9B, something doesn't seem right at home",
    "a sixth former confided that she's been making herself sick after meals",
    "my daughter's friend says her stepdad locks her in her room",
    "a boy in year 6 said a man he met online wants to meet up with him",
    "A pupil has been sent nudes by someone he met on Roblox",
    "I'm not sure if a pupil is being groomed, she has an older boyfriend",
    "a pupil said her mum's partner threatened her with a knife",
    "is it grooming? a pupil says her coach buys her presents and tells her to keep it secret",
    "a student is being bullied and says he wants to kill himself",
    # Rounds 1-4 of held-out questions: each was written after the rules of its round were frozen and scored
    # (72.5%, 72.5%, 70%, 75%), then its misses were used to widen the vocabulary; now regression cases.
    "one of the girls in my form told me her step-dad comes into her room at night",
    "a year 4 child keeps turning up without a coat and his shoes have holes, mum never answers the phone",
    "I've noticed a pupil in 10B flinches when I raise my voice and has marks on his wrists",
    "a student in my class said she's been sending pictures to a man she met on discord",
    "my tutee has stopped eating lunch and is losing loads of weight",
    "a boy told me his brother makes him deliver parcels for some older lads",
    "a lad in year 11 has started saying all muslims should be deported and watching tommy robinson videos",
    "a reception child said daddy hurts mummy",
    "one of my pupils has been self harming again, she showed me her legs",
    "a pupil wrote in her english book that nobody would care if she disappeared",
    "i think a kid in my class is being abused at home",
    "a student's mum told me she's worried her daughter is talking to older men online",
    "a year 9 girl keeps getting picked up by different cars at the school gate",
    "pupil disclosed to me that her uncle has been showing her porn",
    "a child in year 2 told me he sleeps in the car with his mum",
    "[child] has come in with a burn on her hand and says she did it on the oven, it doesn't add up",
    "my student said her dad will kill her if she gets a detention",
    "a boy in my PE class has bruising all over his back",
    "a year 12 student says her family are arranging for her to marry a cousin in pakistan",
    "I'm concerned about one of my learners, she's been really withdrawn and flinchy",
    "a year 5 boy told me his mum's new boyfriend makes him stand in the corner all night",
    "one of my students keeps wearing long sleeves in summer and I saw fresh cuts when she rolled them up",
    "a pupil in my class said his dad locks him in the shed when he's naughty",
    "a girl in year 8 is being messaged by a 25 year old she met on snapchat",
    "my tutee has turned up with a lot of cash and new trainers and won't say where from",
    "a student told me she was raped at a party at the weekend",
    "a child in nursery has a bruise shaped like a handprint on his leg",
    "a young person I mentor told me she's being forced to have sex with her boyfriend's friends",
    "a pupil said that if she tells anyone, her stepdad will hurt her little sister",
    "a boy in year 10 told me he's been smoking weed every day and owes money to a dealer",
    "I'm really worried about a girl in my form, she's been crying every day and won't talk to anyone",
    "a student emailed me saying she can't cope anymore and has taken some tablets",
    "a pupil has been sharing videos of beheadings in the group chat",
    "a kid in 8R says there's never any food at home and his mum sleeps all day",
    "one of my pupils told me her big brother hits her when their parents are out",
    "a year 3 girl said a man at the park showed her his willy",
    "a student confided that her parents are taking her to somalia to be cut in the holidays",
    "a pupil's older cousin has been collecting him from school and he's been missing lessons",
    "my student posted a photo of a knife on her story saying someone's going to get it",
    "a learner told me that her carer slaps her",
    "a pupil in year 7 told me her mum's friend takes photos of her in the bath",
    "one of my learners has been coming in really tired with the same dirty uniform all week",
    "a boy in my class said his dad punched the wall and then grabbed him by the throat",
    "just had a student in tears saying her ex is threatening to share her nudes",
    "a pupil told me she's seeing a 19 year old and staying at his flat",
    "I overheard a girl in year 9 saying she's going to take all her mum's pills tonight",
    "a student disclosed something to me this morning and I don't know what to do",
    "my tutee's been really withdrawn and I found a note in her planner saying goodbye to everyone",
    "a child in year 1 keeps drawing pictures of a man hurting her",
    "a 15 year old in my tutor group has been excluded from home and is staying with random adults",
    "a pupil told me an older girl made her hold a bag of weed in her locker",
    "a student said someone's been sending him death threats on xbox",
    "one of my year 10s has started wearing a headscarf and says her brother will beat her if she takes it off",
    "a kid in my class says his step dad makes him sleep on the floor as punishment",
    "[pupil x] keeps turning up late with scratches on her face and won't talk about it",
    "a boy told me he's been forced to sell drugs by a gang and is scared to go home",
    "a student messaged me on teams late last night saying she feels like ending it all",
    "a girl in my form said a teacher at her old school used to message her on snapchat",
    "i think something is going on at home for one of my pupils, she flinches whenever anyone raises their voice",
    "a pupil came to school with a broken arm and the story keeps changing",
    "a year 6 girl told me her older brother's mates make her do things she doesn't like",
    "a pupil keeps asking to stay late after school and gets upset when it's time to leave",
    "one of my students showed me messages from a man asking her to send pics of herself",
    "a boy in my form has been getting into fights and said his dad throws things at him",
    "a learner told me she has to look after her younger siblings every night because her mum is drinking",
    "a child in reception said her daddy smacks her with a slipper",
    "a student admitted she's been vomiting after every meal",
    "i'm concerned one of my year 8s is involved with a gang, he has a new phone and a lot of cash",
    "a pupil wrote 'help me' on the back of her worksheet",
    "a sixth former told me her boyfriend checks her phone and hit her last week",
    "a kid in my class has lice, wears the same clothes every day and says mum doesn't get up in the mornings",
    "a student said she's being blackmailed online to send more photos",
    "my tutee is always hungry and has been taking food from other kids' lunchboxes",
    "a pupil said he wants to join a group online that talks about killing people of other religions",
    "[name] has told her friends she's going to run away from home this weekend",
    "a girl in year 11 came to me crying and said her stepdad has been coming into the bathroom",
    "one of the boys in my class has cigarette burns on his arm",
    "a pupil told me she has been cutting again and doesn't want me to tell anyone",
    "a student with SEND has come in with a bruised eye and says he fell",
    "a pupil told me her uncle is visiting again and she doesn't feel safe",
]

# General policy questions, hypothetical procedure questions, contact without harm, concerns about staff.
NOT_FLAGGED = [
    "what is the policy on grooming?",
    "who is the DSL?",
    "what should I do if a pupil discloses abuse?",
    "can I accept a friend request from an ex-pupil?",
    "a pupil messaged me on Instagram, who do I tell?",
    "a parent is posting abuse about me on Facebook",
    "what counts as online abuse?",
    "how do I report a concern?",
    "can I be friends with parents on Facebook?",
    "is sexting covered?",
    # hypotheticals and 'what happens when'
    "what happens when a child discloses abuse",
    "if a student tells me they are self harming do I have to tell their parents",
    "what do I do if a child says they're being hit at home and asks me to keep it secret? "
    "should I tell the child I have to pass it on?",
    "should a pupil disclose abuse, who do I tell first?",
    "suppose a pupil tells me she is being groomed, can I promise confidentiality?",
    "when a child makes a disclosure should I write it down straight away",
    "what do I do if I'm worried about a pupil",
    "say a pupil sends me an inappropriate picture, what happens",
    # topics, procedures and plural / generic pupils
    "what does the policy say about a pupil being groomed online",
    "what are the signs of grooming in a child?",
    "how should staff respond to pupils who self-harm?",
    "what training do we get on radicalisation and Prevent",
    "is there a procedure for a child going missing from education?",
    "what does KCSIE say about child-on-child abuse?",
    "who is the deputy DSL at Stone Bay?",
    "what is the child protection policy?",
    "how do I log a safeguarding concern on CPOMS",
    "can pupils use their phones in lessons?",
    # contact with a pupil, no harm described
    "a pupil added me on snapchat, should I accept?",
    "a student emailed me on my personal email about homework, is that allowed?",
    "can I give a pupil a lift home after the match?",
    "a former student wants to connect on LinkedIn",
    # concerns about staff or adults, not a child
    "a parent shouted at me in the car park, what's the policy",
    "a pupil's mum keeps posting abusive comments about teachers online",
    "a colleague told me she is being harassed by a parent",
    "I'm worried about a pupil's grades this term",
    "can I post photos of the school trip on my own facebook?",
    "what should I do if a parent sends me a friend request",
    # Rounds 1-4 of held-out questions (see FLAGGED).
    "what is the procedure for reporting a disclosure of abuse?",
    "who do I contact if I think a child is at risk out of hours?",
    "how long do we keep safeguarding records?",
    "can I take a pupil home in my car if their parent is late?",
    "a pupil followed me on twitter, do I need to block them?",
    "what should staff do if they see a pupil with injuries?",
    "is it okay to message students on teams after 6pm?",
    "what are the signs a child is being exploited?",
    "a parent has emailed me at my personal address about a trip",
    "what is the whistleblowing policy if I'm worried about a colleague?",
    "do we have to do Prevent training every year?",
    "a colleague is friends with pupils on instagram, what should I do?",
    "can I use my own phone to take photos of pupils' work?",
    "what happens if a child tells me something and asks me to keep it secret",
    "are we allowed to search pupils' bags for vapes?",
    "what is the online safety policy for year 7 students?",
    "a student gave me a christmas present, can I keep it?",
    "if a learner says they're being bullied who deals with it, the tutor or head of year?",
    "I'm worried I said the wrong thing in a lesson about consent",
    "how should I respond when a pupil discloses that they self-harm?",
    "what should I do if a child tells me they have been sexually abused?",
    "who is the designated safeguarding lead for the trust?",
    "can I share a pupil's details with the school nurse?",
    "what is our policy on staff using WhatsApp groups with parents?",
    "how do I record a safeguarding concern on CPOMS?",
    "a pupil asked for my personal phone number, can I give it?",
    "is it ok to follow former students on TikTok once they've left?",
    "what does KCSIE say about upskirting?",
    "a student sent me a friend request on Facebook, what should I do",
    "can staff give pupils a lift home after a late rehearsal?",
    "what are the signs of child criminal exploitation?",
    "if a pupil self harms in school who should I call first?",
    "a parent complained about my teaching on a Facebook group",
    "do I need a DBS check to volunteer on the residential?",
    "how do we teach year 6 about staying safe online?",
    "what happens when a pupil makes an allegation against a teacher?",
    "what is the policy on mobile phones in the exam hall?",
    "a student asked me to proofread her personal statement over email, is that allowed",
    "when should I refer a child to early help?",
    "what does the safeguarding policy say about physical intervention?",
    "who replaces the DSL when she is on leave?",
    "can I give a pupil my mobile number for the DofE expedition?",
    "what is the process for reporting a low-level concern about a colleague?",
    "is there guidance on pupils filming teachers in class?",
    "a pupil wants to interview me for the school newspaper, is that ok?",
    "how do I know if a child is being groomed?",
    "what should happen if a learner goes missing on a school trip?",
    "do we need parental consent to post pupil photos on the website?",
    "a student asked if she can email me her homework",
    "what's the procedure when a child arrives with an injury from home?",
    "who should staff tell if a pupil discloses they are being bullied?",
    "can I tutor a pupil privately outside school?",
    "my colleague is being harassed by a parent on Facebook, who deals with that?",
    "does the policy cover staff using dating apps?",
    "what counts as neglect?",
    "a year 11 wants me to write them a reference for college",
    "a parent asked me to add them on LinkedIn",
    "are we allowed to contact pupils during the summer holidays?",
    "how do I talk to my class about the news story on knife crime?",
    "who do I speak to if I have a concern about a pupil's welfare?",
    "what should I do if a student asks me to keep a secret?",
    "does the trust have a policy on staff wearing smart watches?",
    "how do we support pupils after a bereavement?",
    "can a pupil join my gaming server on discord?",
    "is it acceptable to comment on a pupil's post on the school instagram?",
    "what training is required for the deputy DSL?",
    "what happens if a child is collected by someone not on the list?",
    "can I post about the school strike on my personal twitter?",
    "a student has asked for extra help with maths after school, can I do one to one?",
    "how do I log an accident in the playground?",
    "what's the guidance on teaching about extremism in RE?",
    "a parent is unhappy with how I dealt with their child's behaviour, what do I do?",
    "should I report it if a pupil tells me their parents are divorcing?",
    "can I send a pupil a get well card?",
    "what is the dress code for staff on non-uniform day?",
    "where do I find the online safety agreement for year 5?",
    "a pupil forgot their PE kit, can I lend them some?",
    "who is responsible for filtering and monitoring?",
    "what do we do when a pupil is absent with no explanation?",
]

# The final held-out set: written after the last rule change and scored once, 27/40 (67.5%): 8 of 20 live
# concerns flagged, 1 of 20 policy questions wrongly flagged. Never tune on it; the floor below catches a
# rule change that makes it worse. Misses are vocabulary gaps (handprint, panic attacks, watches her get
# changed, a man on fortnite asking for his address ...), not failures of the live/hypothetical structure.
HELD_OUT = [
    (True, "a pupil in year 4 said her mum leaves her and her little brother on their own overnight"),
    (True, "one of my students is always wearing a hoodie to hide her arms and the PE teacher saw fresh marks"),
    (True, "a boy in year 7 said a man on fortnite has been asking for his address"),
    (True, "a student told me her parents hit her with a wooden spoon when she gets bad grades"),
    (True, "my tutee has told me she's been having panic attacks because her stepdad watches her get changed"),
    (True, "a pupil keeps falling asleep and said he's up all night looking after his mum who is ill"),
    (True, "a girl in my class told me her boyfriend's friends filmed her and are sharing the video round school"),
    (True, "a child in year 3 has come in with a handprint on his face"),
    (True, "a student said he's got to go to a house after school to do jobs for some men he met at the park"),
    (True, "one of my pupils said she doesn't want to live anymore"),
    (True, "a pupil said an older kid from another school made him hand over his phone and threatened to stab him"),
    (True, "a learner with autism came in today with a cut lip and his carer won't explain it"),
    (True, "a student's sister messaged me saying their dad has kicked her out and she's sleeping at a friend's"),
    (True, "a boy in year 12 has been posting that he hates women and they deserve to be raped"),
    (True, "a pupil's been going to the toilet in lessons to vape and told me a man at the shop gives her them "
           "for free"),
    (True, "a young person in my class told me she's scared because her mum's ex has found out where they live"),
    (True, "a pupil said his older cousin touches him when he stays over"),
    (True, "I've been told by a pupil that her friend has been sending nude photos to a man"),
    (True, "a child in my group has started wetting himself and screams when his uncle collects him"),
    (True, "a year 10 student hasn't eaten in school for a week and has lost a lot of weight"),
    (False, "what should I do if a pupil tells me they are being hurt at home?"),
    (False, "is the DSL the same person as the safeguarding governor?"),
    (False, "can I add pupils to a class WhatsApp group for the trip?"),
    (False, "what is the procedure for a child who is missing education?"),
    (False, "a former pupil now aged 20 messaged me on Instagram, can I reply?"),
    (False, "what's our policy on staff and pupils being friends on social media?"),
    (False, "can I search for a pupil's parents on Facebook to contact them?"),
    (False, "how do I refer a family to early help?"),
    (False, "who signs off on a risk assessment for a school trip?"),
    (False, "what are the four categories of abuse in KCSIE?"),
    (False, "a student asked me to follow her art account on Instagram"),
    (False, "do I have to tell the DSL if a child says something worrying but asks me not to?"),
    (False, "can teachers use TikTok to share revision videos with students?"),
    (False, "what counts as a child being at risk of radicalisation?"),
    (False, "a colleague posted a photo with pupils in it on her personal account, is that a breach?"),
    (False, "when does a concern become a referral to children's social care?"),
    (False, "a parent asked why their son wasn't picked for the team"),
    (False, "what is the mobile phone policy for sixth formers?"),
    (False, "should I wear my lanyard on the school trip?"),
    (False, "can I give a pupil a hug if they are upset?"),
]


@pytest.mark.parametrize("text", FLAGGED)
def test_live_concern_is_flagged(text: str) -> None:
    check = check_concern(text)
    assert check.flagged, text
    assert check.reason


@pytest.mark.parametrize("text", NOT_FLAGGED)
def test_policy_question_is_not_flagged(text: str) -> None:
    assert check_concern(text) == ConcernCheck(False, ""), text


@pytest.mark.parametrize(("text", "reason"), [
    ("a student disclosed something to me this morning", "disclosure"),
    ("a pupil told me she is being groomed", "disclosure of grooming or exploitation"),
    ("a pupil told me her uncle touches her", "disclosure of sexual abuse"),
    ("I saw bruises on a pupil", "physical abuse"),
    ("one of my students has cuts on her arms", "self-harm or suicide risk"),
    ("I think one of my pupils is being radicalised", "radicalisation"),
    ("I'm worried about a boy in my tutor group", "worry about a pupil's safety"),
])
def test_reason_names_the_signal(text: str, reason: str) -> None:
    assert check_concern(text).reason == reason


def test_normalise_joins_spellings_and_placeholders() -> None:
    assert normalise("Doesn’t — [Name] studnet") == "doesnt namedchild student"


def test_held_out_accuracy_does_not_regress() -> None:
    correct = sum(check_concern(text).flagged == flagged for flagged, text in HELD_OUT)
    assert len(HELD_OUT) == 40
    assert correct >= 27


def test_fast_enough() -> None:
    texts = FLAGGED + NOT_FLAGGED
    start = time.perf_counter()
    for _ in range(20):
        for t in texts:
            check_concern(t)
    per_question = (time.perf_counter() - start) / (20 * len(texts))
    assert per_question < 0.0005  # budget 0.2 ms (measured ~0.08 ms); the margin keeps slow CI machines green
