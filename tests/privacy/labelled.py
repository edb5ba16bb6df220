"""Realistic staff questions with every personal name marked {like this}, to measure the name rules.

Written as staff write: typed fast, some lower case, names from a UK classroom (not only the common
English ones), words that are also names used as words. Kept apart from the rule-by-rule cases in
test_redaction.py. The first batch was written alongside the rules. The second was written after
them; its misses (4 of 37 names; 2 places taken for names) and one of the first batch's led to four
general rules, not to single-sentence fixes: "X and Y" pairs, "Summer in my form", "the Paris trip",
pet-name spellings ("Maisie"). The third is held out (see its note).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

LABELLED = [
    "A pupil called {Jayden Okafor} in 8B told me his stepdad hits him, what do I do?",
    "Can I accept a friend request from {Chloe Baker} who left in July?",
    "{Olivia}'s mum emailed me directly, can I reply from my personal account?",
    "{Mrs Kowalski} rang me on my mobile about {Wiktoria}, is that allowed?",
    "I think {Amir} in year 10 is being groomed online, who do I tell?",
    "{Tom}'s dad keeps messaging me on Instagram asking about his grades",
    "Is it ok to give {Ellie-Mae} a lift home after netball?",
    "{Mr. O'Connor} said I can't post the trip photos, is he right?",
    "{Miss Hughes} wants to set up a WhatsApp group for Year 11 parents",
    "a pupil called {jayden} said he was scared to go home",
    "what do i do if {chloe}'s mum messages me on facebook",
    "{Grace} in 9C showed me a video of {Ruby Ahmed} being hit",
    "{Will} told me he has been self-harming, should I tell {Mr Patel}?",
    "Can I tell {Mark}'s mum that he was in detention?",
    "{Siobhan} and {Niamh Byrne} posted a TikTok filmed in the toilets",
    "My tutee {Oluwaseun} says someone from another school is sending him messages",
    "{Mohammed Ali} (Year 8) asked to follow me on Snapchat",
    "Should I report that {Kacper} was sharing nudes of a year 9 girl?",
    "{Ms Adeyemi} thinks {Freya} is a young carer, where is the policy on that?",
    "Is it safeguarding if {Harry} and {Jack} are fighting on the bus?",
    "{Dr Evans} from CAMHS wants me to email {Lily}'s notes, is that allowed?",
    "{Aisha}'s older brother keeps waiting outside the gates",
    "can i message {sophie} on teams about her coursework in the holidays",
    "{Rose} said her uncle takes photos of her, what now?",
    "I saw {Kai Thompson} vaping behind the sports hall with {Leo}",
    "{Hope Davies} in 7R has bruises on her arms again",
    "Do I need consent to put {Zara}'s artwork on the school Instagram?",
    "{Mrs Hussain} asked if {Yusuf} can be excused from swimming",
    "Parent {Sarah Jones} wants my personal number",
    "{Tyler}'s foster carer asked me to add her on Facebook",
    "{Daniel} left last year and now he wants to follow me on Instagram",
    "I found out {Ms Wright} is friends with pupils on Facebook",
    "{Callum} and his girlfriend {Megan} shared explicit pictures",
    "A boy named {Chidi} keeps asking for my Snapchat",
    "{Mr Nowak} (maths) has been messaging a Year 13 student on WhatsApp",
    "{Evie} told me her dad hits her mum",
    "Do I tell the DSL if {Archie}'s phone has an inappropriate video?",
    "Who deals with it when {Ivy}'s parents complain on Facebook?",
    "Can I give {Noah} my email for homework help?",
    "{Ananya} says she has been contacted by an adult on Roblox",
    "Our cover supervisor {Jamie Smith} posts about pupils on TikTok",
    "Is it OK to follow {Sam Patel}'s family on Instagram?",
    "{Priya} in year 9 disclosed something about home, what next?",
    "Can {Connor} use his phone to film the play?",
    "I'm worried about {Ioana} because she hasn't been in for two weeks",
    "Should I accept {Tom Chadwick}'s LinkedIn request? He was my pupil",
    "{Mr Abdullah} and {Mrs Begum} asked for the class WhatsApp",
    "a student called {will} told me he is being bullied on instagram",
    "{Alfie}'s nan wants to take photos at sports day",
    "Who should I tell about {Maisie}'s posts about self-harm?",
    "Can I tell {Mark} the results before they go out?",
    "Can I use WhatsApp with Year 11 parents?",
    "Who is the Designated Safeguarding Lead?",
    "What does section 4.2 say about Facebook?",
    "May I post photos of the sports day on 12 June 2024?",
    "Will the Head of Year see my messages on Teams?",
    "Can I mark homework on my personal laptop?",
    "We hope to grace the stage at the Summer Fair, can staff post about it?",
    "Is it ok to sue the school if a parent defames me on Facebook?",
    "Should the SENCO be copied in to emails about EHCPs?",
    "What does KCSIE say about online safety in September?",
    "Can a frank discussion with a pupil happen on Teams?",
    "Is April half term covered by the social media policy?",
    "Bill payers and parents: can I add them on LinkedIn?",
    # A second batch, written after the rules were, to check they were not fitted to the first.
    "hi, quick one - {lucy}'s mum has asked me to be friends on fb, can I?",
    "{Reggie} keeps saying he will kill himself, I told {Mrs Atkinson} but nothing happened",
    "If {Poppy} and {Isla} are posting pictures of {Ms Carter} on TikTok what should I do",
    "{Bartosz} from 10G sent me a message on Teams at midnight",
    "{Freddie Clarke} has an EHCP - can his TA contact his mum by text?",
    "Re {Fatima Begum}: her father wants copies of all her school photos",
    "Our new TA {Georgia} added loads of year 7s on Snapchat",
    "My colleague {Dan} shared a meme about a pupil in the staff WhatsApp",
    "{Summer} in my form told me she met someone from Roblox in real life",
    "Does the policy cover {Jessica} filming {Mr Okoro} in class and posting it?",
    "Can parents like {Mrs Osei} post photos of other children from the nativity?",
    "Spoke to {Max}'s step-mum today, she wants his passwords reset",
    "I've been tagged in a photo by {Kieran Walsh} who left in 2019",
    "{Mia} (Y8) says {Ellis} has been sharing her address online",
    "what if {tom} and {harry} film a fight and put it on youtube",
    "{Teddy}'s grandad wants to livestream the carol service on facebook",
    "is it ok for {Mrs Ng} to use her own phone to photograph {Lola}'s injury",
    "{Jude} asked me to keep a secret about his brother {Luca}",
    "{Darcy} and {Florence} have set up an anonymous Instagram about teachers",
    "How do I report that {Mr Boateng}'s son {Kwame} has been excluded from the group chat",
    "{Esme}'s dad {Rhys Morgan} keeps emailing me at weekends",
    "Is {Ollie} allowed to bring his phone on the Paris trip?",
    "Can I follow {Brooke} back now that she has left?",
    "{Frankie} posted my photo with a rude caption",
    "{Harvey} in 11R and his mate {Alfie} were filming in the changing rooms",
    "Ofsted are in next week - can I still post on Twitter about Science Week?",
    "Is there a Grace Period for returning laptops before Easter?",
    "The Summer Term trip to Kent: can parents share photos in a WhatsApp group?",
    "Can Year 12s use Discord for revision with staff in March?",
    "Does the policy say anything about Mark Schemes being posted online?",
    # A third batch, held out: written last. Before any change: 22 names, 21 caught, 1 over-redaction
    # ("I've", read as a name before "got"); contractions were then made function words. No other
    # rule was changed for it ("his daughter Safa" stays missed: an unlisted name).
    "{Leah}'s mum says {Mr Francis} shouted at her, is that a complaint or safeguarding?",
    "I've got {Ruby} and {Oscar} in my form and their parents are divorcing, who do I tell?",
    "{Tomasz} in 11B asked if I can write him a reference on LinkedIn",
    "{Mrs Bennett-Clarke} said I can use my own phone on the residential",
    "Can I keep {Aaliyah}'s sketchbook at home over half term?",
    "Should {Josh} be allowed to livestream on Twitch during tutor time?",
    "{Nathan} disclosed that his cousin {Liam} hits him",
    "{Reuben} showed me messages from an older man on Discord",
    "I want to send {Zainab}'s family a card, is that ok?",
    "The PE department posts fixtures on X - is that allowed for Year 7?",
    "What is the policy on staff using Microsoft Teams chat with sixth formers?",
    "Is the Wellbeing Lead the same as the Mental Health Lead?",
    "Can Sixth Form students add staff on LinkedIn after results day in August?",
    "{Erin} keeps telling people that {Miss Doyle} is her auntie",
    "Is it ok that {Noah Williams} follows me on Instagram now he is in year 13?",
    "Do I have to tell the DSL if {Harriet} says she is vaping?",
    "How long should I keep messages from {Mr Ali} about his daughter {Safa}?",
    "{Finley} and {Jacob} made a fake account of {Mrs Rowe}",
    "My friend {Becky} works at another school, can I share our policy with her?",
    "Is it Ok to put photos of the Christmas Play on Facebook?",
]

_MARK = re.compile(r"\{([^}]*)\}")


@dataclass(frozen=True)
class Labelled:
    text: str
    names: tuple[tuple[int, int], ...]  # character spans of the marked names in *text*


def parse(marked: str) -> Labelled:
    text, spans, last = "", [], 0
    for m in _MARK.finditer(marked):
        text += marked[last:m.start()]
        spans.append((len(text), len(text) + len(m.group(1))))
        text += m.group(1)
        last = m.end()
    return Labelled(text + marked[last:], tuple(spans))


@dataclass
class Score:
    names: int = 0
    caught: int = 0  # every character of the name redacted
    partial: int = 0  # some of it
    missed: int = 0
    over: int = 0  # redacted name spans holding no marked name
    over_examples: list[str] = field(default_factory=list)
    missed_examples: list[str] = field(default_factory=list)


def score(found: dict[str, list[tuple[int, int]]]) -> Score:
    """*found*: for each marked question, the [name] spans redaction found in its plain text."""
    s = Score()
    for marked in LABELLED:
        item = parse(marked)
        spans = found[marked]
        for a, b in item.names:
            covered = sum(max(0, min(b, y) - max(a, x)) for x, y in spans)
            s.names += 1
            if covered >= b - a:
                s.caught += 1
            elif covered:
                s.partial += 1
                s.missed_examples.append(f"partial: {item.text[a:b]!r} in {item.text!r}")
            else:
                s.missed += 1
                s.missed_examples.append(f"missed: {item.text[a:b]!r} in {item.text!r}")
        for x, y in spans:
            if not any(x < b and a < y for a, b in item.names):
                s.over += 1
                s.over_examples.append(f"over: {item.text[x:y]!r} in {item.text!r}")
    return s
