"""Reading a client's request into the slots a reply is written from: who signed it, what each ask is for (its
object and the verb), the dates, amounts and event at stake, and an admission or a complaint to own. Regular
expressions and small heuristics only: deterministic, offline and fast."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from bot.triage.asks import is_request
from bot.triage.cleaning import normalise, resolve_slack_markup

MAX_OBJECT_WORDS = 10
MAX_OBJECT_CHARACTERS = 120
_SHORT_EVIDENCE = 3

_SIGN_OFF_WORDS = (r"thanks(?: again| so much| a lot| a million)?|thank you(?: so much)?|many thanks|cheers|best|"
                   r"best wishes|best regards|kind regards|warm regards|warmest regards|regards|all the best|"
                   r"sincerely|yours(?: sincerely| faithfully| truly)?|ta|thx|speak soon|talk soon|much appreciated|"
                   r"appreciate it|x|xx|xo|ciao|saludos|grüße|gruesse|groeten|pozdrawiam|mvh|cordialement")
_UPPER = "A-Z\u00c0-\u00d6\u00d8-\u00de\u0100-\u017e"
_LOWER = "a-z\u00df-\u00f6\u00f8-\u00ff\u0100-\u017f"
_NAME = rf"([{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?)"
_SIGN_OFF_LINE = re.compile(rf"^\s*(?:{_SIGN_OFF_WORDS})\b[^\n]{{0,40}}?[,!.]?\s*$", re.IGNORECASE)
_SIGN_OFF_WITH_NAME = re.compile(rf"^\s*(?:{_SIGN_OFF_WORDS})\s*[,!.]?\s*[-\u2013\u2014]?\s*{_NAME}\s*[.!]?\s*$",
                                 re.IGNORECASE)
# The organisation a signature may name after the name, in brackets ("Cheers, Gary (Northfield Garden Centres)").
_AFFILIATION = r"(?:\([^()\n]{1,60}\)\s*)?"
_TRAILING_SIGN_OFF = re.compile(rf"(?:^|[.!?]\s+)(?:{_SIGN_OFF_WORDS})\s*[,!.]\s*{_NAME}"
                                rf"(?:\s+(?-i:[{_UPPER}][\w'\u2019-]+)){{0,2}}\s*{_AFFILIATION}[.!]?\s*$",
                                re.IGNORECASE)
_TRAILING_SIGN_OFF_BARE = re.compile(rf"(?:^|[.!?)]\s+)(?i:{_SIGN_OFF_WORDS})\s+{_NAME}\s*{_AFFILIATION}[.!]?\s*$")
_GREETING_NAME = re.compile(rf"^\s*(?i:hi|hey|hiya|hello|dear|morning|afternoon)\s+{_NAME}\b")
_TRAILING_DASH = re.compile(rf"[.!?]\s+(?:-|\u2013|\u2014|~)\s*{_NAME}\s*$")
_TRAILING_NAME = re.compile(rf"[.!?)]\s+{_NAME}\s*[.!]?\s*$")
_INTRODUCED = re.compile(rf"^\s*(?:(?:hi|hey|hello)[,!]?\s+)?(?:it'?s\s+)?{_NAME}\s+here\b")
_DASH_NAME = re.compile(rf"^\s*(?:-|\u2013|\u2014|~)\s*{_NAME}\b[^\n]{{0,40}}$")
_SURNAME = rf"(?-i:[{_UPPER}][\w'\u2019-]+)"
_NAME_LINE = re.compile(rf"^\s*{_NAME}(?:\s+{_SURNAME}){{0,2}}\s*(?:\([^()\n]{{1,30}}\))?\s*[,.]?\s*"
                        r"(?:[|\u00b7].*)?$")
# A formal signature: a title ("Dr. Rainer Köhler", "Mrs. H. Lindqvist") or an initial ("G. Maes"), answered as
# "Dr Köhler", "Mrs Lindqvist", "G. Maes"; after a sign-off on the same line or alone on a line.
_TITLED = re.compile(rf"(?:^|(?:{_SIGN_OFF_WORDS})\s*[,!.]?\s+)(?P<title>dr|mr|mrs|ms|miss|prof)\.?\s+"
                     rf"(?:[{_UPPER}]\.\s*)*(?:(?-i:[{_UPPER}][{_LOWER}]+)\s+)?(?P<last>{_SURNAME})\s*"
                     r"(?:,[^\n]{0,60})?$", re.IGNORECASE)
_INITIALLED = re.compile(rf"^\s*(?P<initial>(?-i:[{_UPPER}]))\.\s*(?P<last>{_SURNAME})\s*(?:,[^\n]{{0,60}})?$")
# Words that make a signature line an organisation or a team, not a person ("Procurement Services", "Riverside
# University", "Commercial Team – Chilled Foods").
_ORGANISATION_WORDS = frozenset("""team services service department operations procurement purchasing university
college school ltd limited plc inc llc gmbh ag nv bv sa s.a. srl s.r.l. kft sp group holding holdings trust council
stores store company co corporation corp office desk mailbox support""".split())
_HISTORY_START = re.compile(r"^\s*(?:>|On\b.{0,300}\bwrote:\s*$|-{2,}\s*(?:Original|Forwarded|Reply)|From:\s|"
                            r"Begin forwarded message)", re.IGNORECASE | re.MULTILINE)
_NOT_NAMES = frozenset("""team all everyone you again so much for the a in advance guys folks both and love regards
best thanks cheers sent from hi hello dear morning ps p.s ok okay sorry please also again soon now procurement
finance marketing accounts legal hr sales support admin office customer client urgent asap thoughts thx ty tia
cc fyi""".split())
_SIGNATURE_TAIL = 7

_WEEKDAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
          r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_CLOCK = r"\d{1,2}(?::\d\d)?\s?(?:am|pm)|\d{1,2}:\d\d|noon|midday"
_DATE = (rf"(?:(?:next|this|on|coming)\s+)?{_WEEKDAY}(?:\s+(?:morning|afternoon|evening|night|week))?"
         rf"(?:,?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:\s+{_MONTH}\b)?)?|"
         rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b(?:\s+20\d\d)?|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b|"
         r"tomorrow(?:\s+(?:morning|afternoon|evening|night))?|tonight|today|this\s+(?:morning|afternoon|evening|week)|"
         r"end of (?:the )?(?:day|week|month)|eod|eow|first thing(?: tomorrow)?|next week|the weekend|"
         r"in (?:\d{1,2}|two|three|four|five|ten) (?:working |business )?(?:days|weeks|hours)|"
         r"(?:the )?(?:end|start|middle) of " + _MONTH + r"|" + _MONTH + r"\b(?=\s*(?:[.,?!]|$))")
_DEADLINE = re.compile(
    rf"\b(?:(?:by|before|until|till|for|on|from|ahead of|no later than|at)\s+)?(?:(?:{_CLOCK})\s+(?:on\s+)?)?"
    rf"(?:{_DATE})(?:\s+(?:at|by)\s+(?:{_CLOCK}))?\b|\b(?:by|before|at)\s+(?:{_CLOCK})(?:\s+(?:today|tomorrow))?|"
    r"\b(?:by|before|for|until|no later than)\s+the\s+\d{1,2}(?:st|nd|rd|th)\b(?!\s+(?:floor|time|round|row|place))",
    re.IGNORECASE)
_DATE_WORDS = ("day", "tomorrow", "tonight", "eod", "eow", "week", "month", "first thing", "jan", "feb", "mar", "apr",
               "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", "noon")
_DEADLINE_LOWER = re.compile("(?=[0-9a-z])" + _DEADLINE.pattern)
_MAIL_FOOTER = re.compile(r"^(?:--|sent from|get outlook)", re.IGNORECASE)
_CAPITAL_DETERMINER = re.compile(r"(?:The|Our|Your|My|This|These|Those|Their)\b")
_SAID = re.compile(r"[^?!\n]+?(?=[?!;]|\.(?:\s|$)|\s-\s|,\s|$)")
_DETERMINED = re.compile(r"(?:the|your|our|all|every|each|\d)", re.IGNORECASE)
_DEADLINE_PREPOSITION = re.compile(r"^(?:by|on|for|before|at)\s+")
_SINCE_WHEN = re.compile(r"(?:from|until|till)\b", re.IGNORECASE)
_BARE_DATE = re.compile(r"\d|(?:mon|tues|wednes|thurs|fri|satur|sun)day|" + _MONTH, re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_NOT_DEADLINE_BEFORE = re.compile(r"\b(?:since|last|ago|from|until|till|than|of|dated|in|during|scheduled|planned|"
                                  r"booked)\s*$",
                                  re.IGNORECASE)
_ABSOLUTE_DATE = re.compile(rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b|{_MONTH}\s+\d{{1,2}}\b|"
                            rf"\bthe\s+\d{{1,2}}(?:st|nd|rd|th)\b|^(?:\w+\s+)?{_MONTH}$", re.IGNORECASE)
_WHEN_WANTED = re.compile(r"(?:by|before|until|till|no later than|ahead of|for)\s", re.IGNORECASE)
_MONTH_ONLY = re.compile(rf"^(?:(?:by|before|until|till|for|on|from|ahead of|in|at)\s+)?{_MONTH}$", re.IGNORECASE)
_AMOUNT = re.compile(
    r"[£$€]\s?\d[\d,]*(?:\.\d+)?\s?(?:k|m|bn|million|thousand)?\b|"
    r"\b\d[\d,]*(?:\.\d+)?\s?(?:%|percent\b|per cent\b|k\b(?=\s*(?:budget|a|per|/|$|[.,]))|"
    r"(?:pounds|dollars|euros|eur|gbp|usd)\b)", re.IGNORECASE)
_FREE = re.compile(r"\b(?:at no (?:extra |additional )?(?:cost|charge)|for free|free of charge|(?:at|for) no "
                   r"(?:extra |additional )?(?:fee|cost|charge)|without (?:any )?(?:extra |additional )?"
                   r"(?:cost|charge)|no extra (?:cost|charge)|within the (?:same |existing |current )?"
                   r"(?:fee|budget|quote|price|retainer)|as a (?:favou?r|freebie|goodwill gesture)|"
                   r"(?:included|include it) in the (?:fixed |current |existing )?(?:fee|price|quote|retainer)|"
                   r"(?:for|at|within) the same (?:fee|price|budget|cost|quote)|"
                   r"on the house)\b", re.IGNORECASE)
_EVENT_WORDS = (r"launch(?: event| night| party)?|go-live|gala(?: dinner)?|dinner|party|awards?(?: night| dinner)?|"
                r"conference|expo|trade ?show|summit|festival|premiere|opening night|opening|fair|webinar|"
                r"board meeting|board presentation|AGM|investor (?:meeting|day|pitch)|pitch|tender|"
                r"print (?:slot|run|date|deadline)|press day|open day|roadshow|keynote|event|market")
_EVENT_IS = re.compile(rf"\b(?:(?:{_EVENT_WORDS}|show|slot|deadline|shoot|delivery|sale)(?:\s+(?:is|was))?|"
                       r"(?:goes|go|going|is going) (?:live|out)|(?:is|are) due|"
                       r"(?:goes|go|going|is going|gets sent|is sent) to (?:the )?print(?:ers?)?)\s*(?:on\s*)?$",
                       re.IGNORECASE)
_CHANGED_DATE = re.compile(r"\bfrom\s+[^,.;?!]{1,30}\s+to\s*$", re.IGNORECASE)
_EVENT = re.compile(
    rf"\b(?i:the|our|your|this|a|next week's|tomorrow's|friday's|monday's|saturday's)\s+"
    rf"((?:[A-Z0-9][\w&'-]*\s+|\d{{1,2}}(?:st|nd|rd|th)?\s+(?i:{_MONTH})\s+){{0,3}}"
    rf"(?:(?!(?:to|out|of|in|on|for|and|or|the|a|an|is|are|was|be|by|at|with|from|into|up)\b)[a-z][\w-]*\s+){{0,2}}"
    rf"(?i:{_EVENT_WORDS}))\b(?!\s+(?i:database|list|lists|page|pages|data|team|budget|photos?|pack|brief|plan|"
    rf"site|calendar|details|invite|invites|code|tickets?|deal|price|share|point|bit|amount|chance|value|rate)\b)")
_ONE_OFF = re.compile(r"\b(?:gala|dinner|party|awards?|premiere|opening night|one night|on the night|evening "
                      r"event|reception|launch (?:event|night|party)|ceremony|keynote|open day|press day)\b",
                      re.IGNORECASE)
_ADMISSION = re.compile(
    r"\b(?:I|we)\s+(?:(?:do\s+)?know|realise|realize|appreciate|understand|(?:'m|am|'re|are) aware|"
    r"get(?=\s+(?:that|it)\b))\s+"
    r"(?:that\s+)?(?P<what>[^.;!?\n]{6,140})"
    r"|\b(?P<had>(?:I|we)(?:'ve| have) (?:already )?(?:had|used) (?:our|the|all)[^.;!?\n]{3,100})",
    re.IGNORECASE)
_ASKING_BEFORE = re.compile(r"\b(?:can|could|would|will)\s$", re.IGNORECASE)
_NOT_ADMISSION = re.compile(r"^(?:how|what|when|where|why|if|whether|you|your)\b|\?", re.IGNORECASE)
_COMPLAINT = re.compile(
    r"\b(?:broken|(?:is|are|was|were|keeps?|still)\s+(?:not working|down|crashing|failing|wrong|missing)|"
    r"(?:isn't|aren't|wasn't|weren't|doesn't|don't|didn't|hasn't|haven't)\s+(?:work(?:ing|ed)?|load(?:ing|ed)?|"
    r"arrived?|been (?:fixed|sorted|delivered|sent))|crash(?:ed|es|ing)|went out (?:with|wrong)|"
    r"(?:you|your team|the agency) (?:missed|forgot|got (?:it|this|that) wrong|sent the wrong)|"
    r"(?:unacceptable|really disappointed|very disappointed|frustrated|fed up|not good enough)|"
    r"(?:spelling|pricing|typo|error|mistake)s? (?:in|on) (?:the|your|our) [a-z]+ (?:you|that you|your team))\b",
    re.IGNORECASE)
_OUR_FAULT = re.compile(r"\b(?:our|my) (?:mistake|fault|bad|error)\b|\b(?:we|I) (?:approved|signed off|forgot|"
                        r"missed|sent you the wrong)\b", re.IGNORECASE)
_CLAUSE = re.compile(r"[^.;:!?\n]+")
# A sentence ends at its stop, or where the next item of a list numbered inline begins ("…, 2) we'd like …").
_SENTENCE = re.compile(r"\S.*?(?:[.!?]+(?=\s|$)|\Z)", re.DOTALL)
_SENTENCE_OR_ITEM = re.compile(r"\S.*?(?:[.!?]+(?=\s|$)|(?=\s(?:and\s+)?\(?\d{1,2}\)\s)|\Z)", re.DOTALL)
# A demand rather than a request (a procurement letter, an ultimatum): no "good idea" or "thanks for thinking of us".
_DEMAND = re.compile(r"\b(?:we|I) (?:hereby )?(?:require|demand|insist|expect (?:you|your|that))\b|\byou (?:must|are "
                     r"required to|will need to)\b|\bconfirm (?:your )?acceptance\b|\bnon-negotiable\b|"
                     r"\bfailing (?:which|that)\b", re.IGNORECASE)
# More of what the client already buys (seats, licences, copies, units): a yes with a price.
_PURCHASE = re.compile(r"\b(?:\d[\d,]*\s+)?(?:more|additional|extra|further)\s+(?:[a-z-]+\s+)?(?:seats|licen[cs]es|"
                       r"copies|units|users|subscriptions|accounts)\b|\bincrease (?:the|our|my) (?:order|quantity|"
                       r"print run|volume|number of (?:seats|licen[cs]es|copies|units|users))\b|\bfrom [\d,]+ to "
                       r"[\d,]+ (?:copies|units|seats|licen[cs]es|users)\b", re.IGNORECASE)
# Within what the client already pays for ("we've still got seats left on our plan", "within our licences"):
# routine admin, not an addition to price.
_COVERED = re.compile(r"\b(?:(?:seats?|licen[cs]es?|user (?:slots|places)|places) (?:left|remaining|spare|free|"
                      r"available|to spare)|(?:spare|unused|free|unassigned) (?:seats?|licen[cs]es?)|within (?:our|the|"
                      r"my) (?:plan'?s? )?(?:seats?|licen[cs]es?|allowance|seat limit|user limit)|(?:included|covered) "
                      r"(?:in|by|under) (?:our|the|my) (?:current )?(?:plan|subscription|licen[cs]e|tier))\b",
                      re.IGNORECASE)
_BOUGHT_ITEMS = re.compile(r"(?:\d[\d,]*\s+)?(?:more|additional|extra|further)\s", re.IGNORECASE)
_STAKES = re.compile(r"\b(?:tender|procurement|legal action|lawyers?|solicitors?|terminate|termination|cancel the "
                     r"(?:contract|retainer)|walk away|go elsewhere|other agenc(?:y|ies)|escalat\w*|CEO|MD|board|"
                     r"investors?|regulators?|AGM|renewal|biggest accounts?|the press)\b|[£$€]\s?\d{2,3},\d{3}|"
                     r"[£$€]\s?\d+(?:\.\d+)?\s?(?:k|m|million)\b", re.IGNORECASE)

def _folded(pattern: re.Pattern) -> re.Pattern:
    """`pattern` for text already in lower case: its letters lowered (escapes and group names kept), without
    IGNORECASE, which makes a search several times faster."""
    source, out, index = pattern.pattern, [], 0
    while index < len(source):
        if source[index] == "\\" or source.startswith("(?P", index):
            out.append(source[index:index + (2 if source[index] == "\\" else 3)])
            index += 2 if source[index] == "\\" else 3
            continue
        out.append(source[index].lower())
        index += 1
    return re.compile("".join(out), pattern.flags & ~re.IGNORECASE)


def _search(pattern: re.Pattern, folded: re.Pattern, text: str, lowered: str) -> re.Match | None:
    """The first match of `pattern` in `text`, found with its `folded` form in `lowered` when the two align."""
    return folded.search(lowered) if len(lowered) == len(text) else pattern.search(text)


_FREE_FOLDED, _ONE_OFF_FOLDED, _COMPLAINT_FOLDED, _STAKES_FOLDED, _ADMISSION_FOLDED = (
    _folded(pattern) for pattern in (_FREE, _ONE_OFF, _COMPLAINT, _STAKES, _ADMISSION))

_SUBJECT = (r"(?:(?:you|u|ya)(?: guys| all| lot)?|your (?:[a-z]+ )?[a-z]+|the (?:[a-z]+ )?[a-z]+|"
            r"(?:one|some|a few|two|any) of (?:you|your team)|someone(?: on your (?:side|team))?|we|I)")
_ADVERBS = (r"(?:(?:also|just|please|pls|plz|pretty please|quickly|possibly|maybe|still|then|now|kindly|actually|"
            r"easily|even|perhaps|urgently|(?:like|kinda|sort of|kind of)(?=\s+[a-z]+\s+(?:(?:the|a|an|our|my|"
            r"some|all)\b|\d)))\s+)*")
_VERB = (r"((?!(?:it|this|that|them|the|a|an|you|we|i|u|be|have|our|your|my|us|me|there|also|just|ready|done|able|"
         r"can|could|would|will|shall|should|may|might|must|pls|plz|please|guys|like|"
         r"live|finished|possible|ok|okay|still|not|on|in|at|for|to|with|from|by|of|off)\b)[a-z][a-z-]+"
         r"(?:\s+and\s+[a-z][a-z-]+(?=\s+(?:a|an|the|our|my|some|\d)\b))?"
         r"(?:\s+(?:up|out|off|over|back|together|through|in|down))?)")
_IMPERATIVES = "|".join(
    "add change use send take put remove fix redo do give update move switch launch drop skip ensure get create build "
    "design print copy write leave post include cut reduce rework pause stop offer hire book schedule prepare "
    "start run "
    "swap keep replace set call pay waive lower extend deliver ship translate refund share hide delete publish email "
    "tag target make reissue resend load pitch tidy smooth turn re-record record shoot film edit bump push pull rename "
    "clean restore rewrite return ask tell buy hold bring".split())
_REQUEST_VERB = re.compile(
    rf"\b(?:(?:can|could|would|will)\s+{_SUBJECT}\s+|(?:please|pls|kindly)\s+|"
    rf"(?:we|i)(?:'d| would)?\s+(?:like|love|want|need)\s+(?:you(?: guys| all)?|your (?:team|agency|designers?)|"
    rf"the (?:team|agency|designers?))\s+to\s+|"
    rf"(?:is it|would it be) possible (?:for you )?to\s+|(?:let's|let us)\s+|(?:need|want) (?:you )?to\s+|"
    rf"(?:you|we) (?:must|should|have to|need to)\s+|(?:I|we) (?:were wondering|wondered) if (?:you|we) could\s+|"
    rf"(?:decided|planning|plan|going|hoping|looking|asked you) to\s+|"
    rf"\band\s+(?:also\s+|then\s+)?(?=(?:{_IMPERATIVES})\s+(?:(?:us|me)\s+)?(?:the|a|an|our|my|all|\d))|"
    r"[,;]\s*(?:just|and just|but just)\s+|"
    rf"(?:[:;]|,\s*(?:and\s+)?)\s*(?=(?:{_IMPERATIVES})\s+(?:the|a|an|our|my|all|\d))|"
    rf"^\s*(?:and\s+|also\s+|oh,? and\s+|so\s+|then\s+|just\s+|please\s+)?(?=(?:{_IMPERATIVES})\b))"
    rf"{_ADVERBS}{_VERB}\s+", re.IGNORECASE | re.MULTILINE)
_REQUEST_VERB_FOLDED = _folded(_REQUEST_VERB)
_WANT_OBJECT = re.compile(r"\b(?:we|i|they|procurement|finance|legal|the board|(?:our|my) [a-z]+)(?:'d| would)?\s+"
                          r"(?:(?:really|also|just|now|still)\s+)?"
                          r"(?:like|love|want|need|expect|asked for|are asking for|"
                          r"ask for)\s+(?!to\b)",
                          re.IGNORECASE)
_NOT_VERBS = frozenset("""you we i it this that be have the a an your our my us me them there""".split())
_INDIRECT = re.compile(r"^(?:us|me|them|him|her|everyone)\s+(?!(?:into|to|in|on|onto|for|from|with|at|by|off|out|up|"
                       r"back|over|down)\b)(?=\S)", re.IGNORECASE)
_NOT_OBJECT = re.compile(r"^(?:(?:it|them|this|that|these|those|him|her)\s*$|"
                         r"(?:sure|certain|on|in|at|with|from|for|about|into|"
                         r"over|under|through|by|before|until|it|that|he|she|they|you|we|i|if|"
                         r"whether|when|how|what|why|where|who|so|to|and|but|or|not|no|yes)\b(?!-)|(?:you|we|they|i)')",
                         re.IGNORECASE)
_PRONOUN_OBJECT = re.compile(r"\b(?:need|want|get|have|do|send|make|fix|move|change|use)\s+(?:it|them|this|that)\b",
                             re.IGNORECASE)
_A_FEW = re.compile(r"^(?:a few|a couple of|a couple|some|any)\s+(?=\S)", re.IGNORECASE)
_TO_PLACE = re.compile(r"\s+to (?:the|our|your|a|an|my|all)\b", re.IGNORECASE)
_DANGLING = frozenset("the a an of to for in on with and or our your my at from into by like including".split())
_PRONOUN_START = re.compile(r"(?:it|them|this|that)\b", re.IGNORECASE)
_TAIL_PREPOSITION = re.compile(r"\s+(?:with|for|in|on|into|to|onto|from|using)\b", re.IGNORECASE)
_NOT_BARE_ITEM = re.compile(r"(?i:same|other|more|less|also|just|only|maybe|so|and|but|or|ok|okay|yes|no|thanks|"
                            r"hi|hello|hey|please|[-\u2013\u2014~])(?![\w-])|(?:The|Our|My|Your|This|These|Their|We|I|"
                            r"It|They)\b")
_CHANGE_VERBS = frozenset("go move switch change increase reduce cut bring shift push pull bump reschedule postpone "
                          "extend".split())
# The change a "move/push/increase X from A to B" asks for, with its new value kept ("from 10:00 to 14:00").
_CHANGE_VALUE = r"(?:[^,.;?!]|(?<=\d)[,.](?=\d)){1,30}?"
_CHANGED_TO = re.compile(rf"^(?P<what>.*?)\s+from\s+(?P<old>{_CHANGE_VALUE})\s+to\s+(?P<new>{_CHANGE_VALUE})"
                         r"(?=[,.;?!](?:\s|$)|[;?!]|\s+(?:by|before|so|because|as|for|next|this|starting|instead|"
                         r"and|but|please)\b|$)", re.IGNORECASE)
_FROM_TO = re.compile(r"\s*(?:\w+\s+){0,2}?from\s+[^,.;:?!]{1,40}?\s+to\s+[^,.;:?!]{1,40}?(?=\s+(?:by|before|for|so|to|"
                      r"because|as|from|next|this|starting)\b|[,.;:?!]|$)", re.IGNORECASE)
# Asks about the answer itself, not a piece of work: "confirm acceptance by return", "let me know", "advise".
_ABOUT_THE_ANSWER = re.compile(r"(?:confirm|acknowledge|advise|revert|reply|respond|answer|let)\b(?:\s+(?:your|the|our|"
                               r"this|that|me|us|know|receipt|acceptance|agreement|by return|asap|soon|[a-z]+ly))*"
                               r"\s*(?:[.?!,]|$)", re.IGNORECASE)
# Verbs whose object is a clause ("say the range is made in Britain"): named with the verb, never alone.
CLAUSE_VERBS = frozenset("say says claim state call describe label tell ask guarantee promise ensure".split())
_NOT_NOUN_WORDS = frozenset("""is are was were be been has have had do does did will would can could should must may
might need needs want wants like likes still also just goes go went pulled said says thinks think wants asked
gets got won't can't isn't aren't doesn't don't didn't""".split())
_BEFORE_SUBJECT = re.compile(r"\b(?:can|could|would|will|should|does|do|did|is|are|was|were|has|have|if|that|"
                             r"when|because|since|and|but)\s*$", re.IGNORECASE)
_COPULA = re.compile(r"\s+(?:still\s+)?(?:be|is|are|was|were)\b", re.IGNORECASE)
_DETERMINER = re.compile(r"\b(?:the|our|your|their|this|these|those|a|an)\b", re.IGNORECASE)
_NOUN_PHRASE = re.compile(r"\b(?:the|our|your|their|this|these|those|a|an)\s+((?:[\w&'-]+\s+){0,5}[\w&'-]+)",
                          re.IGNORECASE)
_NOT_NOUN = re.compile(r"^(?:same|final|time|date|day|week|month|moment|way|end|start|rest|point|thing|things|one|"
                       r"plan|idea|team|people|answer|reply|response|decision|update|call|chat|note|email|ceo|md|cfo|"
                       r"cmo|coo|boss|director|manager|board|founder|owner|lawyer|colleague|partner|chairman|"
                       r"\d+(?:st|nd|rd|th)?)$", re.IGNORECASE)
_NOT_NOUN_PHRASE = re.compile(r"\b(?:is|are|was|were|be|been|has|have|had|do|does|did|will|would|can|could|should|"
                              r"must|may|might|need|needs|want|wants)\b|'(?:s|re|ll|ve|d)\b", re.IGNORECASE)
_PARTICIPLES = ("printed|shipped|uploaded|published|produced|designed|written|made|signed|resized|installed|booked|"
                "proofed|reviewed|checked|redone|re-recorded|recorded|redesigned|translated|reshot|delivered|sent|"
                "finished|approved|added|included|done|ready|built|fixed|changed|moved|updated|rewritten|sorted")
_PARTICIPLE_WORDS = frozenset(_PARTICIPLES.split("|"))
_STATE_PARTICIPLES = frozenset("added included done ready sorted".split())
_HAVE_DONE = frozenset(("get", "have"))
_HAVE_DONE_TAIL = re.compile(rf"\s+(?:{_PARTICIPLES})\b[^,.;:?!]*", re.IGNORECASE)
_LIST_SPLIT = re.compile(r",\s*(?:and\s+)?|\s+and\s+(?=[a-z][a-z-]+\s+(?:the|a|an|our|my|all|\d))")
_ACTION_ITEM = re.compile(r"([a-z][a-z-]+)\s+((?:the|a|an|our|my|all|\d)\b.*)$")
_COMPARATIVE = re.compile(r"\s+(?:more|less|bigger|smaller|larger|brighter|darker|bolder|longer|shorter|wider|"
                          r"higher|lower|louder|clearer|cleaner|simpler|faster|slower)\b", re.IGNORECASE)
_COUNTS = ("two", "three", "four", "five")
# A number that names a place in a document or a venue ("page 4", "slide 12", "stand B4"): a noun, not a count.
_NUMBERED = re.compile(r"(?:page|p\.|pp\.|slide|section|chapter|step|item|line|clause|row|table|stand|hall|gate|"
                       r"room|floor|level|unit|lot|bay|figure|fig\.|question|point)\s+\w*\d\w*$", re.IGNORECASE)
_BARE_NUMBER = re.compile(r"\d[\d,.]*(?:\s+(?:for|to|of|in|on|and|by|from|with)\b|$)")
_POSING = ("pretending", "claiming", "posing")
_PREPOSITION_BREAKS = frozenset("on for with in at from to into across during before after over".split())
_OBJECT_STOP = re.compile(
    r"\s+(?:must|should|will|would|can|could|may|might|needs? to|has to|have to|still|goes|went|looks|seems)"
    r"(?![\w'-])|\s+(?:by|before|until|till|be|is|are|was|were|so(?: that)?|because|since|as|if|when|while|which|"
    r"who|so|but|and then|then|instead|"
    r"asap|ahead of|in time|at no|at the|for free|(?:for|at|within) the same|for (?:next|this)|not|"
    r"to (?:the|our|your|a|an|my|all|me|us|you)|"
    rf"next (?:week|month|year|{_WEEKDAY})|over the weekend|"
    r"saying|that says|telling|to (?:get|make|keep|show|help|see|"
    r"match|look|go|be|hit|use|fit|save|avoid)|from (?:today|tomorrow|next|this|now|the start)|this week|"
    r"tonight|tomorrow|today|please|thanks|ok|okay|accordingly|instead|as well|too|again|asap|now|"
    r"or (?:we|i|you|they|else)|(?:and|or) (?:also |then )?[a-z]+ (?:the|our|your|my|all)\b|(?:and|or) (?:also |then )?"
    rf"(?:{_IMPERATIVES}))\b|(?<!\bthe)(?<!\bour)(?<!\byour)(?<!\bmy)(?<!\ba)(?<!\ban)(?<!\bthese)(?<!\bthose)"
    rf"(?<!\ball)\s+(?:{_PARTICIPLES})\b|[,.](?=\s|$)|[;:?!(\"]|\s+-\s+|\s+[\u2013\u2014]\s+", re.IGNORECASE)
_LIST = re.compile(r"([^,;:?!.\n]+(?:,\s*[^,;:?!.\n]+)*?),\s*([^,;:?!.\n]+?\s+and\s+[^,;:?!\n]+)")
_LIST_ITEM_WORDS = 5
_LIST_LAST_WORDS = 7
_LIST_NOT_FIRST = frozenset(f"{_IMPERATIVES.replace('|', ' ')} and or but so then also we i you they it this that "
                            "he she please thanks".split())
_LEADING_ARTICLE = re.compile(r"^(?:a|an|some|any|this|that)\s+(?=\S)", re.IGNORECASE)
_SWAP = {"our": "your", "ours": "yours", "my": "your", "we": "you", "us": "you", "i": "you", "me": "you",
         "we're": "you're", "we've": "you've", "i'm": "you're", "i've": "you've", "we'd": "you'd", "i'd": "you'd",
         "ourselves": "yourselves", "myself": "yourself", "your": "our", "yours": "ours", "you're": "we're",
         "you've": "we've", "yourselves": "ourselves"}
_PRONOUN = re.compile(r"\b(?:" + "|".join(sorted((re.escape(word) for word in _SWAP), key=len, reverse=True))
                      + r"|you)\b", re.IGNORECASE)


# A word after "you" that makes it the subject ("the price you gave us", "what you quoted"): "we", not "us".
_DOES_SOMETHING = re.compile(r"(?:[a-z]+ed|gave|sent|said|did|made|had|have|has|are|were|can|could|will|would|"
                             r"should|do|does|wrote|told|took|got|put|paid|set|quoted|built|ran|sold|bought|found|"
                             r"know|knew|think|thought|saw|promised|offered|charged|agreed|mentioned|always|never|"
                             r"also|already|just|still|brought|chose|hired|used|drew|kept|left|lent|met|showed|"
                             r"spent|shot|won|wrote|shared|booked)$", re.IGNORECASE)


def swap_person(text: str) -> str:
    """The client's words as the account manager would say them back: "our site" becomes "your site", "you"
    becomes "we" (or "us" after a verb or preposition)."""
    def one(match: re.Match) -> str:
        word = match.group(0)
        lower = word.lower()
        if lower == "you":
            before = text[:match.start()].rstrip().split()
            after = text[match.end():].split()[:1]
            swapped = "we" if not before or before[-1].lower() in ("and", "but", "so", "if", "that", "because",
                                                                      "when", "as") or (
                after and _DOES_SOMETHING.match(after[0])) else "us"
        else:
            swapped = _SWAP[lower]
        if lower == "i" or word[0].isupper() and match.start() == 0:
            return swapped[0].upper() + swapped[1:] if match.start() == 0 else swapped
        return swapped
    return _PRONOUN.sub(one, text)


_UNAPOSTROPHISED = frozenset("""isnt arent wasnt werent dont doesnt didnt cant couldnt wont wouldnt shouldnt hasnt
havent hadnt im ive youre theyre thats whats theres""".split())
_LOOSE_ENDS = _DANGLING | frozenset("""between than about as if so but is are was were be been instead current new
old other same next last first another some any this that these those their its his her which who whether such
very him her you we us me quarterly monthly weekly daily yearly annually quickly asap early only really also
too again now then just please thanks here there no immediately urgently properly directly separately
accordingly instantly promptly fully entirely completely correctly shortly soon second third fourth fifth sixth
""".split())
# An answer itself ("we need an answer we can show"): what the client waits for, not a thing to name back.
_ANSWER_ITSELF = re.compile(r"(?:the|an?|your|our)\s+(?:answer|reply|response)s?$", re.IGNORECASE)
# Words that start an object complement after the object ("want the homepage ultra minimal"): the object ends there.
_INTENSIFIERS = frozenset("ultra very really super too quite fully totally completely extremely incredibly "
                          "absolutely".split())
_PERSONS = frozenset("i we you they he she".split())
_COUNTING_WORDS = frozenset("another a of from than like about over under around some any and or".split())
_CLAUSE_WORDS = re.compile(r"^(?:i|we|you|they|he|she|it)\s|\b(?:is|are|am|was|were|will|would|can|could|should|"
                           r"must|need|needs|want|wants|isn't|aren't|don't|doesn't|didn't|can't|won't|keeps|"
                           r"seems|happens|happening|says|does|did)\b",
                           re.IGNORECASE)
_DETERMINER_THEN_PREPOSITION = re.compile(r"\b(?i:the|a|an|our|your|my|their)\s+(?:between|of|to|for|from|with|in|"
                                          r"on|at|by|about|into|than|within|without|under|over|across|after|before|during|through|"
                                          r"if|and|or|but)\b")
_NUMBER = re.compile(r"^[\d.,:]+(?:am|pm|st|nd|rd|th|%)?$", re.IGNORECASE)
# A pronoun with a contraction anywhere ("the awards dinner you'd"): the phrase ran on into the client's next clause.
_CONTRACTED_PRONOUN = re.compile(r"\b(?:i|we|you|they|he|she|it|that|there|who)['\u2019](?:d|ll|re|ve|m|s)\b",
                                 re.IGNORECASE)
# Single quotation marks opening and closing a word (an apostrophe inside a word is neither; one closing after an
# "s" may be a plural possessive, "clients'").
_OPENING_QUOTE = re.compile(r"(?<![\w'\u2019])['\u2018\u2019](?=\w)")
_CLOSING_QUOTE = re.compile(r"(?<=[\w%.!?])['\u2019](?![\w'\u2019])")
_POSSESSIVE_QUOTE = re.compile(r"(?<=[sS])['\u2019](?![\w'\u2019])")


def _quotes_unbalanced(phrase: str) -> bool:
    """Whether a phrase opens a single quotation it does not close, or closes one it never opened."""
    opened = len(_OPENING_QUOTE.findall(phrase))
    closed = len(_CLOSING_QUOTE.findall(phrase))
    return not closed - len(_POSSESSIVE_QUOTE.findall(phrase)) <= opened <= closed
# A phrase that opens with a pronoun stands for something said elsewhere ("them on the platform …").
_PRONOUN_HEADS = frozenset("it them they this that he she him we us i me you".split())
_ARTICLES = frozenset(("the", "a", "an"))
# Words that may come right before "the"/"a" inside a noun phrase ("the clean of the floor", "all the assets"); any
# other word there means two phrases ran together ("the ground floor the evening"), unless it is a verb after "to".
_RUN_ON_WORD = re.compile(r"of|to|for|in|on|at|by|with|from|into|onto|off|out|up|down|over|under|across|per|via|"
                          r"through|around|after|before|behind|beyond|within|without|during|against|towards?|upon|inside|outside|near|"
                          r"beside|alongside|above|below|next|"
                          r"and|or|but|than|as|about|including|like|between|all|both|half|what|is|are|was|were|"
                          r"be|not|only|just|even|[\d.,]+%?")
# Verbs a bulleted demand opens with ("- provide monthly accounts to our finance team"): the item is an action, not
# a thing to be named "the provide monthly accounts".
_BULLET_VERBS = frozenset(_IMPERATIVES.split("|")) | frozenset("provide supply arrange organise organize produce "
                                                                 "submit grant allow accept sign attend repair correct "
                                                                 "check sort".split())
# An infinitive inside a phrase ("the engineers to work from our office"): it names an action, not a thing.
_INFINITIVE = re.compile(r"\b(?i:to)\s+(?!(?:the|a|an|our|your|my|their|this|that|these|those|all|every|each|any|"
                         r"some|no|one|two|three|four|five|six|ten)\b)[a-z]+\b")
# Verbs a coordination may be left hanging on ("the prospect list from our systems and confirm").
_HANGING_VERBS = frozenset(_IMPERATIVES.split("|")) | frozenset("confirm let provide supply invoice".split())
_SINGLE_QUOTES = ("'", "\u2018", "\u2019")
_QUOTE_MARKS = (*_SINGLE_QUOTES, '"', "\u201c")
# A relative clause the object was cut inside ("the contract template that every post"): named up to it.
_CUT_RELATIVE = re.compile(r"(?<!ing)(?<!firm)(?<!say)(?<!show)(?<!state)(?<!prove)\s+(?:(?:which|who|where)|that(?=\s+"
                           r"(?:every|each|all|the|a|an|we|you|they|i|it|our|your|their|he|she|this|these|those)\b))"
                           r"(?:\s+\S+){0,2}$", re.IGNORECASE)
# Words that name nothing on their own ("confirm one").
_EMPTY_OBJECTS = frozenset("one ones some any all both each either neither another".split())
_TRAILING_PARTICIPLES = _PARTICIPLE_WORDS | frozenset("paid finished completed given shown hidden set put".split())


def reads_cleanly(phrase: str, clause_allowed: bool = False) -> bool:
    """Whether a phrase lifted from the client's text reads as a clean noun phrase a person would write back: it
    ends on a content word (no dangling article, preposition, pronoun or adverb), has no unapostrophised contraction
    ("isnt") and no clause ("copy isnt ready", unless `clause_allowed`: the object of "say", "claim"), is not a
    bare number or time ("from 10"), and its brackets and quotes close."""
    words = phrase.split()
    if not words or _ANSWER_ITSELF.match(phrase):
        return False
    lowered = [word.lower().strip(",.;:!?") for word in words]
    if lowered[-1] in _LOOSE_ENDS or any(word in _UNAPOSTROPHISED for word in lowered):
        return False
    if _NUMBER.match(lowered[-1]) and (len(words) == 1 or lowered[-2] in _COUNTING_WORDS):
        return False
    if not clause_allowed and _CLAUSE_WORDS.search(phrase) or _DETERMINER_THEN_PREPOSITION.search(phrase):
        return False
    if len(lowered) > 2 and lowered[-2] in ("and", "or") and lowered[-1] in _HANGING_VERBS:
        return False
    if any(mark in phrase for mark in _SINGLE_QUOTES) and (_CONTRACTED_PRONOUN.search(phrase)
                                                           or _quotes_unbalanced(phrase)):
        return False
    return phrase.count("(") == phrase.count(")") and phrase.count('"') % 2 == 0


def runs_on(phrase: str) -> bool:
    """Whether two noun phrases ran together ("the ground floor the evening"): "the"/"a" right after a word that
    cannot lead into one, unless that word is a verb starting an action ("to do the …", "(swap the …", ", shorten
    the …", "and just keep the …", "summarising the …"), opens a quotation ("'Book a demo'") or what follows is "the
    same …" ("the same week")."""
    words = phrase.split()
    for index in range(len(words) - 1):
        if words[index + 1].lower() in _ARTICLES and (index + 2 < len(words) and words[index + 2].lower() == "same"
                                                       or words[index].lower().endswith("ing")):
            continue
        word, before = words[index], words[index - 1] if index else ""
        if words[index + 1].lower() not in _ARTICLES or word.startswith(("(", "'", '"', "\u2018", "\u201c")) or (
                _RUN_ON_WORD.fullmatch(word.lower().strip(",.;:"))):
            continue
        leading = {earlier.lower() for earlier in words[max(0, index - 2):index]}
        if not leading & {"to", "and", "or"} and not before.endswith((",", "(")):
            return True
    return False


_QUOTED = re.compile(r"(?:\b((?i:the|a|an|your|our|this|that)\s+))?(?<![\w'\u2019])(['\u2018\"\u201c])(?=\w)"
                     r"([^'\"\u2018\u2019\u201c\u201d\n]{2,60}?)(?<=[\w%.!?])(['\u2019\"\u201d])(?![\w'\u2019])")


def quoted_in(phrase: str) -> str:
    """The last words (two or more) the client put in quotation marks within `phrase` ("'100% recyclable
    packaging'"), quotes included: what a reply can always name cleanly when the phrase around it does not read; ""
    for none (a single quoted word is most often a word used loosely, "the 'after' shots")."""
    if not any(mark in phrase for mark in _QUOTE_MARKS):
        return ""
    found = [quoted for quoted in _QUOTED.findall(phrase) if len(quoted[2].split()) >= 2]
    if not found:
        return ""
    determiner, *words = found[-1]
    if determiner.strip().lower() in ("a", "an", "this", "that"):
        determiner = "the "
    return swap_person(determiner) + "".join(words)


def named_alone(phrase: str, checked: bool = False) -> str:
    """An object as the reply names it without its verb: a trailing "finished" or "paid" dropped ("the deck and the
    notes finished" reads "the deck and the notes"); "" when what is left does not read cleanly, opens with a
    pronoun that stands for something said elsewhere ("them on the platform"), or runs two phrases together.
    `checked`: the phrase is already known to read cleanly and not to run on."""
    words = phrase.split()
    while len(words) > 1 and words[-1].lower().strip(",.") in _TRAILING_PARTICIPLES:
        words.pop()
    alone = " ".join(words)
    if not words or len(words) == 1 and alone.lower() in _EMPTY_OBJECTS:
        return ""
    if words[0].lower() in _PRONOUN_HEADS or _INFINITIVE.search(alone):
        return ""
    if checked and alone == phrase:
        return alone
    return alone if reads_cleanly(alone) and not runs_on(alone) else ""


def _clean_head(phrase: str, clause_allowed: bool = False) -> str:
    """`phrase` if it reads cleanly, else its first part before a loose "and"/"or"/comma when that does ("the copy
    of the certificate" from "the copy of the certificate and the current"), else ""."""
    if reads_cleanly(phrase, clause_allowed):
        return phrase
    if _quotes_unbalanced(phrase):
        return ""
    words = phrase.split()
    while len(words) > 2 and words[-1].lower() in _PERSONS:
        words.pop()
    if len(words) < len(phrase.split()) and reads_cleanly(" ".join(words), clause_allowed):
        return " ".join(words)
    cut = max(phrase.rfind(" and "), phrase.rfind(" or "), phrase.rfind(", "))
    head = phrase[:cut].strip(" ,") if cut > 0 else ""
    return head if head and reads_cleanly(head, clause_allowed) else ""


def reads_as_date(phrase: str) -> bool:
    """Whether a deadline slot reads as a whole date phrase ("by Friday", "before 3 March"), not a fragment."""
    return bool(phrase and _DEADLINE.fullmatch(phrase))


@dataclass(frozen=True)
class AskSlots:
    """What one ask is about: the verb and object ("add", "the French version of the site"), its own date and
    amounts, and the (verb, object) of what else the same sentence asks for before it ("swap the hero image, and
    also build a members area"), which the reply answers on its own; and, when no evidence picked the clause, what
    the sentence asks for after the object named ("move the review to 15:00, and add Dana to the list"), which a
    reply to a fine ask names too."""

    verb: str = ""
    object: str = ""
    deadline: str = ""
    amounts: list[str] = field(default_factory=list)
    free: str = ""
    purchase: bool = False
    covered: bool = False
    also: list[tuple[str, str]] = field(default_factory=list)
    then: list[tuple[str, str]] = field(default_factory=list)

    @property
    def action(self) -> str:
        """The verb with its object ("add the French version of the site"), or "" when either is unknown."""
        return f"{self.verb} {self.object}" if self.verb and self.object else ""


@dataclass(frozen=True)
class Slots:
    """What the whole message says that a reply can use."""

    name: str = ""
    deadline: str = ""
    amounts: list[str] = field(default_factory=list)
    event: str = ""
    one_off: bool = False
    admission: str = ""
    complaint: str = ""
    free: str = ""
    stakes: bool = False
    asks: list[AskSlots] = field(default_factory=list)
    demand: bool = False


def _body(raw: str) -> str:
    """The client's own new text: Slack markup resolved, quoted history cut off."""
    text = normalise(resolve_slack_markup(normalise(raw or "")))
    found = _HISTORY_START.search(text)
    return text[:found.start()] if found and text[:found.start()].strip() else text


def _is_name(word: str) -> bool:
    return word.lower() not in _NOT_NAMES and len(word) >= 2


def _person_line(found: re.Match | None) -> str:
    """The first name from a name line's match, "" when there is none or the line names a team or organisation."""
    if not found or not _is_name(found.group(1)):
        return ""
    words = {word.strip(".,()").lower() for word in found.group(0).split()}
    return "" if words & _ORGANISATION_WORDS else found.group(1)


def _formal_name(line: str) -> str:
    """A titled or initialled signature on `line` as it is answered ("Dr Köhler", "G. Maes"), else ""."""
    if found := _TITLED.search(line):
        return f"{found.group('title').capitalize()} {found.group('last')}"
    if found := _INITIALLED.match(line):
        return f"{found.group('initial')}. {found.group('last')}"
    return ""


def sender_name(raw: str) -> str:
    """The first name the client signed with ("Thanks, Jordan", "Best,\\nHelen Okafor", "- Priya", a bare "Joanne"
    after the last sentence or on the last line, "Kev here." at the start), or "" when the message has no sign-off.
    The greeting's name is the account manager's, never the sender's."""
    lines = [line.strip() for line in _body(raw).strip().split("\n")]
    lines = [line for line in lines if line and not _MAIL_FOOTER.match(line)]
    if not lines:
        return ""
    tail = lines[-_SIGNATURE_TAIL:]
    for index in range(len(tail) - 1, -1, -1):
        line = tail[index]
        if (found := _SIGN_OFF_WITH_NAME.match(line)) and _is_name(found.group(1)):
            return found.group(1)
        if (found := _DASH_NAME.match(line)) and _is_name(found.group(1)):
            return found.group(1)
        if _SIGN_OFF_LINE.match(line) and index + 1 < len(tail):
            if name := _formal_name(tail[index + 1]) or _person_line(_NAME_LINE.match(tail[index + 1])):
                return name
    if name := _formal_name(lines[-1]):
        return name
    for pattern in (_TRAILING_SIGN_OFF, _TRAILING_DASH, _TRAILING_NAME):
        if (found := pattern.search(lines[-1])) and _is_name(found.group(1)):
            return found.group(1)
    greeted = _GREETING_NAME.match(lines[0])
    if ((found := _TRAILING_SIGN_OFF_BARE.search(lines[-1])) and _is_name(found.group(1))
            and not (greeted and greeted.group(1) == found.group(1))):
        return found.group(1)
    if len(lines) > 1 and (name := _person_line(_NAME_LINE.match(lines[-1]))):
        return name
    if (found := _INTRODUCED.match(lines[0])) and _is_name(found.group(1)):
        return found.group(1)
    return ""


def _sentences(text: str) -> list[tuple[int, str]]:
    """(position, sentence) pairs of a text; an item of a list numbered inline ("1) …, 2) …") counts as one."""
    pattern = _SENTENCE_OR_ITEM if ")" in text else _SENTENCE
    return [(found.start(), found.group(0)) for found in pattern.finditer(text)]


def _request_sentence(ask: str) -> str:
    """The sentence of an ask that asks for something (the last such), else its last sentence."""
    sentences = [sentence.strip() for _, sentence in _sentences(ask)
                 if not _SIGN_OFF_WITH_NAME.match(sentence.strip())] or [ask]
    asking = [sentence for sentence in sentences if is_request(sentence)]
    return (asking or sentences)[-1]


def _noun_list(text: str) -> str:
    """A list of things asked for at the start of `text` ("a new logo, full brand guidelines and a new website"),
    each item in the account manager's words; "" when `text` does not open with such a list."""
    found = _LIST.match(text)
    if not found:
        return ""
    pieces = [piece.strip() for piece in found.group(1).split(",")]
    first_last, _, last = found.group(2).partition(" and ")
    items = [*pieces, first_last.strip().rstrip(","), last]
    if any(not item or len(item.split()) > _LIST_ITEM_WORDS or item.split()[0].lower() in _LIST_NOT_FIRST
           for item in items[:-1]):
        return ""
    final_words = _trim_object(last).split()
    cut = len(final_words)
    if cut > _LIST_LAST_WORDS:
        cut = next((index for index, word in enumerate(final_words) if index and word.lower() in _PREPOSITION_BREAKS),
                   cut)
    final = " ".join(final_words[:cut])
    if not final or cut > _LIST_LAST_WORDS:
        return ""
    named = [_LEADING_ARTICLE.sub("the ", item) for item in items[:-1] if item]
    return swap_person(", ".join(named)) + " and " + final


def _trim_object(text: str) -> str:
    """The noun phrase at the start of `text`, cut at the first clause break, at most `MAX_OBJECT_WORDS` words; a
    list of things ("a logo, brand guidelines and a website") is kept whole."""
    text = _unquoted(text.strip())
    if "," in text[:80] and " and " in text and (listed := _noun_list(text)):
        return listed
    text = _INDIRECT.sub("", text)
    text = _A_FEW.sub("", text)
    for stop in _OBJECT_STOP.finditer(text):
        if _TO_PLACE.match(text, stop.start()) and len(text[:stop.start()].split()) <= 2:
            continue
        if text[:stop.start()].endswith(_POSING) and text.startswith((" to be ", " as "), stop.start()):
            continue
        text = text[:stop.start()]
        break
    words = text.split()
    complement = next((index for index, word in enumerate(words) if index >= 2 and word.lower() in _INTENSIFIERS), 0)
    if complement:
        words = words[:complement]
    if len(words) > MAX_OBJECT_WORDS:
        breaks = [index for index, word in enumerate(words[:MAX_OBJECT_WORDS + 1])
                  if index >= 2 and word.lower() in _PREPOSITION_BREAKS]
        words = words[:breaks[-1] if breaks else MAX_OBJECT_WORDS]
    while words and words[-1].lower() in _DANGLING:
        words.pop()
    text = _unquoted(" ".join(words).strip(" -"))
    if len(text.split()) > 2:
        text = _CUT_RELATIVE.sub("", text)
    for quote in ("'", '"'):
        opening = text.rfind(" " + quote)
        if opening >= 0 and quote not in text[opening + 2:]:
            words = text[:opening].rstrip(" ,").split()
            while words and words[-1].lower() in _DANGLING:
                words.pop()
            text = " ".join(words)
    if (not text or len(text) > MAX_OBJECT_CHARACTERS or text.lower() in _NOT_VERBS or _NOT_OBJECT.match(text)
            or _BARE_NUMBER.match(text)):
        return ""
    text = _LEADING_ARTICLE.sub("the ", text)
    if _CAPITAL_DETERMINER.match(text):
        text = text[0].lower() + text[1:]
    return swap_person(text)


def _unquoted(text: str) -> str:
    """`text` without a quotation mark at either end that does not pair with one inside it ("'Lashes styled with
    inserts' under the image" keeps its opening quote)."""
    while text[:1] in ("'", '"') and text[0] not in text[1:]:
        text = text[1:].lstrip()
    while text[-1:] in ("'", '"') and text[-1] not in text[:-1]:
        text = text[:-1].rstrip()
    return text


def _with_participle(rest: str, obj: str) -> str:
    """For "get/have X done": the object with what is to be done to it ("the annual report PDF redone in Spanish
    and German"), so the reply does not promise merely to "get" the thing."""
    done = _HAVE_DONE_TAIL.search(rest)
    if not done or _trim_object(rest[:done.start()]) != obj:
        return obj
    participle, _, tail = done.group(0).strip().partition(" ")
    if participle.lower() in _STATE_PARTICIPLES:
        return obj
    tail = " " + tail
    stop = _OBJECT_STOP.search(tail)
    while stop and tail[:stop.start()].endswith(" and") and stop.group(0).strip().lower() in _PARTICIPLE_WORDS:
        stop = _OBJECT_STOP.search(tail, stop.end())
    tail = tail[:stop.start()] if stop else tail
    words = f"{obj} {participle}{tail}".split()
    while words and words[-1].lower() in _DANGLING:
        words.pop()
    return " ".join(words[:MAX_OBJECT_WORDS + 3])


# A person asked for as a service ("we'd like a dedicated account manager who …"): a thing to name, unlike "the
# board" or "our CFO to sign", which are who decides.
_A_PERSON_AS_A_SERVICE = re.compile(r"an?\s+(?:[a-z-]+\s+){1,2}(?:manager|director|partner|lawyer)\b(?!\s+to\b)",
                                    re.IGNORECASE)
# "ask you to prepare the offer": the verb asked for is the one after "to".
_ASKING_VERBS = frozenset("ask request invite remind urge".split())
_ASKED_TO = re.compile(r"(?:you|your team|the team)\s+to\s+([a-z][a-z-]+)\s+", re.IGNORECASE)


def _verb_objects(sentence: str) -> list[tuple[int, str, str]]:
    """Each (position, verb, object) a sentence asks for, in order; an object that is a pronoun ("it", "them")
    is returned as it stands, for the caller to resolve."""
    found_all = []
    lowered = sentence.lower()
    aligned = len(lowered) == len(sentence)
    for found in (_REQUEST_VERB_FOLDED.finditer(lowered) if aligned else _REQUEST_VERB.finditer(sentence)):
        candidate = found.group(1).lower()
        if candidate.split()[0] in _NOT_VERBS or _ABOUT_THE_ANSWER.match(sentence, found.start(1)):
            continue
        rest = sentence[found.end():]
        if candidate in _ASKING_VERBS and (inner := _ASKED_TO.match(rest)):
            candidate, rest = inner.group(1).lower(), rest[inner.end():]
        if candidate in CLAUSE_VERBS and (said := _SAID.match(rest)):
            found_all.append((found.start(1), candidate, swap_person(said.group(0).strip())))
        elif (candidate in _CHANGE_VERBS and (changed := _CHANGED_TO.match(rest))
              and (what := _trim_object(changed.group("what")))):
            found_all.append((found.start(1), candidate, swap_person(
                f"{what} from {changed.group('old').strip()} to {changed.group('new').strip()}")))
        elif obj := _trim_object(rest):
            if candidate in _HAVE_DONE:
                obj = _with_participle(rest, obj)
            found_all.append((found.start(1), candidate, obj))
        elif candidate in _CHANGE_VERBS and (change := _FROM_TO.match(rest)):
            found_all.append((found.start(1), candidate, swap_person(" ".join(change.group(0).split()))))
        elif pronoun := _PRONOUN_START.match(rest):
            after = rest[pronoun.end():]
            tail = _TAIL_PREPOSITION.match(after)
            detail = _trim_object(after[tail.end():]) if tail else ""
            if tail and (article := re.match(r"\s*(an?)\s", after[tail.end():], re.IGNORECASE)):
                detail = re.sub(r"^the\b", article.group(1), detail)
            preposition = tail.group(0).strip() if tail else ""
            found_all.append((found.start(1), candidate, pronoun.group(0).strip() + (
                f" {preposition} {detail}" if detail else "")))
    return found_all


def _resolve(obj: str, earlier: str) -> str:
    """An object that starts with "it" or "them", with the pronoun replaced by the last noun phrase of the
    sentences before it ("re-record it with a new artist" after "the voice-over on the radio spot"); "" when
    there is none, or when it starts with "this" or "that", which most often stand for a whole clause ("promise
    30% more footfall … can we put that in the proposal?")."""
    pronoun, _, tail = obj.partition(" ")
    if pronoun.lower() not in ("it", "them", "this", "that") or tail.startswith("to "):
        return obj
    if pronoun.lower() in ("this", "that"):
        return ""
    referent = ""
    for _, sentence in reversed(_sentences(earlier)):
        if referent := _noun_phrase(sentence, allow_subject=True):
            break
    return f"{referent} {tail}".strip() if referent else ""


def read_ask(ask: str, evidence: list[str] | None = None) -> AskSlots:
    """The verb, object, date and amounts of one ask. With `evidence` (the words that made the triage push back),
    the verb and object are those of the clause the evidence is in, when one can be found there. An ask that only
    introduces a list ("each supplier must:") names nothing."""
    if ask.rstrip().endswith(":"):
        return AskSlots()
    sentence = _request_sentence(ask)
    chosen: tuple[int, str, str] | None = None
    earlier: list[tuple[int, str, str]] = []
    for snippet in evidence or []:
        at = ask.find(snippet)
        if at < 0:
            continue
        start, holding = next(((begin, text) for begin, text in _sentences(ask) if begin <= at < begin + len(text)),
                              (0, sentence))
        reach = len(snippet) + 1 if len(snippet.split()) <= _SHORT_EVIDENCE else 0
        before = [item for item in _verb_objects(holding) if item[0] <= at - start + reach]
        if before:
            sentence, chosen = holding, before[-1]
            earlier = before[:-1]
            break
        wanted = _WANT_OBJECT.search(holding)
        if wanted and wanted.start() <= at - start and (wanted_object := _trim_object(holding[wanted.end():])):
            sentence, chosen = holding, (wanted.start(), "", wanted_object)
            break
    lead, colon, after = (re.split(r"(:)(?!\d)", sentence, maxsplit=1) + ["", ""])[:3]
    if colon and after.strip() and len(lead.split()) <= 8 and not chosen:
        sentence = after.strip()
    found = [chosen] if chosen else _verb_objects(sentence)
    verb = obj = ""
    then: list[tuple[str, str]] = []
    for number, (_, candidate_verb, candidate) in enumerate(found):
        resolved = _resolve(candidate, ask[:max(0, ask.find(sentence))] or ask.replace(sentence, ""))
        if resolved:
            verb, obj = candidate_verb, resolved
            then = [(later_verb, later) for _, later_verb, later in found[number + 1:]
                    if not _PRONOUN_START.match(later)
                    and reads_cleanly(later, clause_allowed=later_verb in CLAUSE_VERBS)]
            break
    for text in (sentence, ask):
        if not obj and (wanted := _WANT_OBJECT.search(text)):
            after = text[wanted.end():]
            obj = _with_participle(after, _trim_object(after))
            if obj and _NOT_NOUN.match(obj.split()[-1]) and not _A_PERSON_AS_A_SERVICE.match(after):
                obj = ""
    if not obj and (listed := _listed_changes(ask)):
        verb, obj = "make", listed
    if (not obj and not _NOT_BARE_ITEM.match(sentence.strip()) and len(sentence.split()) <= MAX_OBJECT_WORDS
            and not sentence.rstrip().endswith("?") and not _NOT_NOUN_PHRASE.search(sentence)):
        first, _, rest = sentence.strip().lstrip("-*\u2022 ").partition(" ")
        if first.lower() in _BULLET_VERBS and (listed_object := _trim_object(rest)):
            verb, obj = first.lower(), listed_object
        else:
            obj = _trim_object(sentence)
            if obj and not _DETERMINED.match(obj):
                obj = "the " + obj
    if not obj and not _PRONOUN_OBJECT.search(sentence):
        obj = _noun_phrase(sentence) or _noun_phrase(sentence, allow_subject=True)
    if obj and not verb and (comparative := _COMPARATIVE.search(obj)):
        obj = obj[:comparative.start()]
    deadlines = [(at, words) for at, words in _deadlines(ask)
                 if _DEADLINE_PREPOSITION.sub("", words.lower()) not in obj.lower()]
    in_sentence = [words for at, words in deadlines if ask.find(sentence) <= at < ask.find(sentence) + len(sentence)]
    deadline = (in_sentence or [words for _, words in deadlines] or [""])[0]
    if deadline and _DEADLINE.search(obj) and deadline.lower() not in ask.lower():
        deadline = ""
    obj = _clean_head(obj, clause_allowed=verb in CLAUSE_VERBS)
    purchase = _PURCHASE.search(ask)
    if (not obj or not verb) and purchase and _BOUGHT_ITEMS.match(purchase.group(0)):
        verb, obj = "add", swap_person(purchase.group(0))
    if not reads_as_date(deadline):
        deadline = ""
    free = _search(_FREE, _FREE_FOLDED, ask, ask.lower())
    also = [(other_verb, other) for _, other_verb, other in earlier
            if not _PRONOUN_START.match(other) and other.lower() not in obj.lower()
            and reads_cleanly(other, clause_allowed=other_verb in CLAUSE_VERBS)]
    then = [(later_verb, later) for later_verb, later in then if later.lower() not in obj.lower()]
    return AskSlots(verb=verb if obj else "", object=obj, deadline=deadline, also=also, then=then,
                    purchase=bool(purchase),
                    amounts=[amount.strip() for amount in _AMOUNT.findall(ask)][:3],
                    free=swap_person(" ".join(ask[free.start():free.end()].split())) if free else "")


def _colon_actions(listed: str) -> list[str]:
    """The actions of a list after a colon ("swap the logo, shorten the headline and recolour the chart"), each a
    verb and its object; [] unless every item reads as one."""
    actions = []
    for item in _LIST_SPLIT.split(listed.strip().rstrip(".!?")):
        found = _ACTION_ITEM.match(item.strip())
        if not found or found.group(1).lower() in _NOT_VERBS or found.group(1).lower() in _LIST_NOT_FIRST - set(
                _IMPERATIVES.split("|")):
            return []
        obj = _trim_object(found.group(2))
        if not obj:
            return []
        actions.append(f"{found.group(1).lower()} {obj}")
    return actions


def _listed_changes(ask: str) -> str:
    """The changes a sentence lists one verb after another ("change the music, re-record the voice-over and cut
    the intro"), named together: "the three changes (change the music, …)"; "" when no sentence lists two."""
    for _, sentence in _sentences(ask):
        actions = [f"{verb} {obj}" for _, verb, obj in _verb_objects(sentence) if not _PRONOUN_START.match(obj)]
        if len(actions) < 2 and ":" in sentence:
            actions = _colon_actions(sentence.partition(":")[2])
        if 2 <= len(actions) <= len(_COUNTS) + 1:
            return f"the {_COUNTS[len(actions) - 2]} changes ({', '.join(actions[:-1])} and {actions[-1]})"
    return ""


def _noun_phrase(sentence: str, allow_subject: bool = False) -> str:
    """The longest "the/our/this …" phrase of a sentence (two words or more), as the reply can name it; not the
    sentence's subject (the phrase it opens with) unless `allow_subject`."""
    best = ""
    opening = len(sentence) - len(sentence.lstrip())
    for start in (found.start() for found in _DETERMINER.finditer(sentence)):
        found = _NOUN_PHRASE.match(sentence, start)
        subject = found and (found.start() <= opening + 1 or _BEFORE_SUBJECT.search(sentence[:found.start()]))
        if not found or subject and not allow_subject:
            continue
        words: list[str] = []
        for word in found.group(0).split():
            if words and (word.lower().strip(",.") in _NOT_NOUN_WORDS or word[-1:] in ",.;:?!"):
                if word[-1:] in ",.;:?!" and word.lower().strip(",.;:?!") not in _NOT_NOUN_WORDS:
                    words.append(word.rstrip(",.;:?!"))
                break
            words.append(word)
        phrase = _trim_object(" ".join(words))
        if subject and not _COPULA.match(sentence, found.start() + len(" ".join(words))):
            continue
        last = phrase.split()[-2:]
        if len(last) == 2 and (not _NOT_NOUN.match(last[-1]) or _NUMBERED.match(" ".join(last))) and len(
                phrase.split()) > len(best.split()) and reads_cleanly(phrase):
            best = phrase
    return re.sub(r"^(?:this|that)\b", "the", best)


def _deadlines(text: str) -> list[tuple[int, str]]:
    """Each (position, words) of the dates a text gives as deadlines ("by Friday", "9am tomorrow"), in order, with
    "by" before a bare date; not dates that only say since or until when, and a calendar date ("12 November", "the
    9th") only when the client says it is when they want it ("by", "before", "no later than") or gives it as the day
    of the event or slot the work is for ("the fair is 3 March": before 3 March); otherwise, on its own or after
    "on", it is context (the day of an event mentioned in passing, an order's date)."""
    lowered = text.lower()
    if not _DIGIT.search(text) and not any(word in lowered for word in _DATE_WORDS):
        return []
    dates = []
    aligned = len(lowered) == len(text)
    for found in (_DEADLINE_LOWER.finditer(lowered) if aligned else _DEADLINE.finditer(text)):
        words = " ".join(text[found.start():found.end()].split())
        if _SINCE_WHEN.match(words):
            continue
        if _NOT_DEADLINE_BEFORE.search(text[max(0, found.start() - 12):found.start()]):
            continue
        if _MONTH_ONLY.match(words) and words.split()[-1].lower() in ("may", "march", "mar"):
            continue
        if _ABSOLUTE_DATE.search(words) and not _WHEN_WANTED.match(words):
            before = text[max(0, found.start() - 40):found.start()]
            if _CHANGED_DATE.search(before):
                words = "by " + words
            elif _EVENT_IS.search(before) or _EVENT_IS.search(before + words.split()[0]):
                words = "before " + re.sub(r"^(?:on|at)\s+", "", words, flags=re.IGNORECASE)
            else:
                continue
        elif words.lower().startswith("on ") and _EVENT_IS.search(text[max(0, found.start() - 40):found.start()]):
            words = "before " + words[3:]
        if _BARE_DATE.match(words):
            words = "by " + words
        dates.append((found.start(), words))
    return dates


def _clause(text: str, start: int) -> str:
    """The clause of `text` around position `start`."""
    for found in _CLAUSE.finditer(text):
        if found.start() <= start < found.end():
            return found.group(0).strip()
    return ""


def _admission(text: str, lowered: str) -> str:
    aligned = len(lowered) == len(text)
    for found in (_ADMISSION_FOLDED.finditer(lowered) if aligned else _ADMISSION.finditer(text)):
        if _ASKING_BEFORE.search(text, max(0, found.start() - 7), found.start()):
            continue
        group = "what" if found.group("what") else "had"
        what = text[found.start(group):found.end(group)].strip() if found.group(group) else ""
        what = re.split(r"\s+(?:but|so|and so|however|though|although)\b|,\s*(?:but|so)\b", what)[0].strip(" ,")
        if what and not _NOT_ADMISSION.search(what) and len(what.split()) >= 3:
            return swap_person(what)
    return ""


def _complaint(text: str, lowered: str) -> str:
    found = _search(_COMPLAINT, _COMPLAINT_FOLDED, text, lowered)
    if not found:
        return ""
    clause = _clause(text, found.start())
    if not clause or _OUR_FAULT.search(clause) or clause.rstrip().endswith("?") or len(clause.split()) > 18:
        return ""
    clause = re.sub(r"^(?:(?i:hi|hey|hello|dear|morning)\s+[A-Z][a-z]+\s*,|(?:and|but|so|also|plus|hi|hey|honestly|"
                    r"frankly|again|now)\b|[A-Z][a-z]+,)[\s,]*", "", clause).strip()
    if not clause or is_request(clause) and re.match(r"(?:please|can|could|would|will)\b", clause, re.IGNORECASE):
        return ""
    if re.sub(r"^(?:\(?\d{1,2}[.)]|[-*\u2022])\s*", "", clause).split(" ", 1)[0].lower() in _BULLET_VERBS:
        return ""
    return swap_person(clause[0].lower() + clause[1:]) if clause else ""


def _same_thing(obj: str, event: str) -> bool:
    """Whether an ask's object is only the event it is for ("the launch"): the event is when, not what is asked."""
    def core(text: str) -> str:
        return re.sub(r"^(?:the|your|our|this)\s+", "", text.lower()).strip()
    return bool(obj) and core(obj) == core(event)


def read_slots(raw: str, cleaned_text: str, asks: list[str], evidence: list[list[str]] | None = None) -> Slots:
    """The slots of a message: `raw` as pasted (for the sign-off), `cleaned_text` (the new text), its asks and,
    for each, the evidence of the reason it stands on (to name the right clause of an ask that asks two things)."""
    lowered = cleaned_text.lower()
    event = _EVENT.search(cleaned_text)
    event_text = ""
    if event:
        event_text = " ".join(event.group(0).split())
        event_text = swap_person(re.sub(r"^(?:a|this|the)\b", "the", event_text, flags=re.IGNORECASE))
        event_text = event_text if reads_cleanly(event_text) else ""
    ask_slots = [read_ask(ask, found) for ask, found in zip(asks, evidence or [[] for _ in asks])]
    if event_text:
        ask_slots = [AskSlots(deadline=ask.deadline, amounts=ask.amounts, free=ask.free, also=ask.also,
                              purchase=ask.purchase, then=ask.then)
                     if _same_thing(ask.object, event_text) else ask for ask in ask_slots]
    if _COVERED.search(cleaned_text):
        ask_slots = [replace(ask, covered=True) for ask in ask_slots]
    return Slots(
        name=sender_name(raw),
        deadline=next((ask.deadline for ask in ask_slots if ask.deadline), ""),
        amounts=[amount.strip() for amount in _AMOUNT.findall(cleaned_text)][:4],
        event=event_text,
        one_off=bool(_search(_ONE_OFF, _ONE_OFF_FOLDED, cleaned_text, lowered)),
        admission=_admission(cleaned_text, lowered),
        complaint=_complaint(cleaned_text, lowered),
        free=next((ask.free for ask in ask_slots if ask.free), ""),
        stakes=bool(_search(_STAKES, _STAKES_FOLDED, cleaned_text, lowered)),
        asks=ask_slots,
        demand=bool(_DEMAND.search(cleaned_text)),
    )
