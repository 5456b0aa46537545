#!/usr/bin/env python3
"""Optional tooling (not part of the product or the default test run): writes
tests/fixtures/metrics/punkt_cases.json, the sentences NLTK's Punkt gives for a few hundred hard
texts, for tests/unit/metrics/punkt_test.cpp.

Needs NLTK (Debian: `apt-get install -y python3-nltk`, 3.8; run with /usr/bin/python3). The English
parameters are read from data/punkt_tab/english, line by line as the C++ reader takes them, into
nltk.tokenize.punkt.PunktParameters; the splitter is NLTK's own PunktSentenceTokenizer(params), i.e.
what nltk.sent_tokenize(text) runs. Usage: /usr/bin/python3 tools/punkt/make_punkt_fixture.py
"""
import json
import random
from collections import defaultdict
from pathlib import Path

import nltk
from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

ROOT = Path(__file__).resolve().parents[2]
PARAMS = ROOT / "data" / "punkt_tab" / "english"
OUT = ROOT / "tests" / "fixtures" / "metrics" / "punkt_cases.json"


def lines(name):
    text = (PARAMS / name).read_text(encoding="utf-8")
    out = text.split("\n")
    return out[:-1] if out and out[-1] == "" else out


def english_tokenizer():
    params = PunktParameters()
    params.abbrev_types = set(lines("abbrev_types.txt"))
    params.sent_starters = set(lines("sent_starters.txt"))
    params.collocations = {tuple(line.split("\t")) for line in lines("collocations.tab")}
    params.ortho_context = defaultdict(int, {k: int(v) for k, v in (l.split("\t") for l in lines("ortho_context.tab"))})
    return PunktSentenceTokenizer(params)


HAND = [
    "Dr. Smith went to Washington. He arrived at 3 p.m. on Monday.",
    "The U.S. economy grew 3.5% in the third quarter. Analysts had expected 3.1%.",
    "Mr. and Mrs. Brown live on Elm St. in Springfield. They have two children.",
    "He said, \"I'm leaving.\" Then he left.",
    "She asked: 'Are you sure?' He nodded.",
    "Wait... what did you say? I didn't hear you!",
    "The meeting ended at 5 p.m. The staff went home.",
    "J. R. R. Tolkien wrote The Hobbit. It was published in 1937.",
    "John F. Kennedy was born in 1917. He became president in 1961.",
    "The price rose to $4.50 a share. Volume was heavy.",
    "It cost 3.5 million dollars. That is a lot.",
    "See Fig. 3 for details. The results are clear.",
    "Prices fell 2.3 pct. in January. Traders were surprised.",
    "the sentence starts lower case. and so does this one. And this one is upper.",
    "He works for Acme Inc. The company is based in Ohio.",
    "He works for Acme Inc. and lives in Ohio.",
    "(This is in brackets.) This is not.",
    "\"Quoted sentence.\" Next sentence.",
    "What?! Really? Yes!!! Absolutely.",
    "Very bad acting!!! I promise.",
    "The vote was 52-48. The bill passed.",
    "On Jan. 5 the court ruled. Appeals followed on Feb. 12.",
    "Gov. Cuomo spoke. Sen. Schumer agreed.",
    "The company, based in St. Louis, reported a loss. Shares fell.",
    "Results: 1. First item. 2. Second item.",
    "He scored 10.5 points. She scored 12.",
    "i.e. this is an example. e.g. so is this.",
    "He left at 10 a.m. Mary stayed until noon.",
    "The U.N. Security Council met on Tuesday. It passed a resolution.",
    "They moved to the U.K. in 2010. Later they returned.",
    "Prof. Jones, Ph.D., lectured. Students listened.",
    "This ends with an ellipsis... And this continues.",
    "This ends with an ellipsis . . . And this continues.",
    "Multiple spaces.   Next sentence.",
    "Line one.\nLine two.\n\nParagraph two.",
    "Tab\tseparated. Sentence two.",
    "A sentence without a final period",
    "",
    "   ",
    ".",
    "...",
    "Hello.World. No space after period.",
    "Numbers like 1,000,000 and 3.14159 are fine. Right?",
    "The temperature was -5.5 degrees. Cold!",
    "He said--and I quote--\"never again.\" We believed him.",
    "\"Are you coming?\" she asked. \"No,\" he said.",
    "It's 5 o'clock. Time for tea.",
    "Apple Inc. reported earnings. Microsoft Corp. did too.",
    "The ship was the U.S.S. Enterprise. It was big.",
    "Col. Mustard did it. In the library.",
    "The Washington Post reported it. The New York Times followed.",
    "A. Lincoln signed it. B. Obama quoted it.",
    "Section 2.1 describes the method. Section 2.2 the results.",
    "Einstein's E=mc2. Physics!",
    "Visit www.example.com. It's great.",
    "Email me at john.doe@example.com. Thanks.",
    "The year 2023. A good year.",
    "He was born c. 1850. He died in 1920.",
    "Vol. 3, No. 2, pp. 45-67. Published 1999.",
    "Match ended 2-1. Fans cheered.",
    "The suspect, 45, was arrested. Police said he fled.",
    "Jan. 2008 was cold. Feb. was colder.",
    "I met Mr. Zzyzx yesterday. He is nice.",
    "The cost is approx. 5 dollars. OK?",
    "It happened in 1990s. Then it stopped.",
    "Smith et al. showed this. Others disagreed.",
    "‘Curly quotes.’ Next one.",
    "“Double curly.” Next one.",
    "Ünïcödé sentence. Ëxtra sentence.",
    "Straße ist lang. Die Stadt ist groß.",
    "Он пришёл. Она ушла.",
    "ΣΊΣΥΦΟΣ ΈΠΕΣΕ. Νέα πρόταση.",
    "İstanbul is big. Ankara is the capital.",
    "Number one.\u00a0Number two.",
    "Sentence one.\u2003Sentence two.",
    "End with question?",
    "End with exclamation!",
    "Mixed ?! marks?! Yes.",
    "He won the 100m. race. Then he rested.",
    "The F.B.I. and C.I.A. were involved. Nobody talked.",
    "They paid 5.00. The rest was free.",
    "N.Y. Times. The paper.",
    "N.J. Gov. Christie. He spoke.",
    "In 1776. The declaration.",
    "It was 3. Then 4.",
    "Chapter 1. The beginning.",
    "Item a. First. Item b. Second.",
    "Hello (world). Bye.",
    "Ask [him]. Now.",
    "Use {braces}. Done.",
    "Star*. Done.",
    "Colon: yes. Semicolon; no.",
    "A,. weird punctuation. Yes.",
    "End.) Start.",
    "End.\" Start.",
    "End.' Start.",
    "End.] Start.",
    "End.} Start.",
    "End.\")] Start.",
    "End.\"--Start.",
    "End.\"\nStart.",
    "'Quote' . Spaced period. Next.",
    "word . word. Word.",
    "The value was .5 percent. It rose.",
    "It rose to ,5. Odd.",
    "Call 555-1234. Ask for Bob.",
    "Ms. Lee left. Messrs. Jones and Smith stayed.",
    "The Rev. Martin Luther King Jr. spoke. The crowd listened.",
    "They arrived Sept. 11. Nothing happened.",
    "Born in Calif. Raised in Tex. Lives in N.Y.",
    "Born in Calif. he moved east.",
    "At 6 ft. tall, he was big. Really big.",
    "The S&P 500 fell 1.2%. The Dow dropped.",
    "AT&T Corp. rose. IBM Corp. fell.",
    "Is it? It is. Isn't it? No.",
    "\"Stop!\" he yelled. \"Now!\"",
    "Well... I don't know. Maybe.",
    "Um.. okay. Sure.",
    "Four.... Five.",
    "The end.",
    "a. b. c.",
    "A. B. C.",
    "x.y.z. is a name. OK.",
    "The shares closed at 23 1/2. Up 1/4.",
    "Pres. Bush spoke. V.P. Cheney did not.",
    "Lt. Gen. Smith commanded. Maj. Jones followed.",
    "He paid 10 p.c. interest. Too much.",
    "Meanwhile, the U.S. said no. However, the E.U. said yes.",
    "The U.S. However, did not agree.",
    "He lives in the U.S. The weather is fine.",
    "He lives in the U.S. and likes it.",
    "Pope John Paul II. He was Polish.",
    "World War II ended in 1945. Peace followed.",
    "The pH was 7. Neutral.",
    "Trust me. i am a doctor.",
    "Sentence ending with number 42. Another sentence.",
    "Sentence ending with number 42. another sentence.",
    "A 5. The next.",
    "A 5. the next.",
    "Initial J. Smith. Initial k. smith.",
]

NEWS = [
    "Police said the 34-year-old man was arrested on Friday.",
    "The Bank of England held rates at 0.5%.",
    "Mr. Obama met Mrs. Merkel in Berlin.",
    "The company's shares rose 4.2 per cent to 1,234p.",
    "\"We are delighted,\" said chief executive John Smith.",
    "The incident happened at about 02:30 BST.",
    "A spokesman for the U.S. State Department declined to comment.",
    "Dr. Jane Doe, of St. Thomas' Hospital, led the study.",
    "It is the first time since 1998 that the club has won.",
    "The report, published on Tuesday, found 1 in 5 children affected.",
    "Sales in the U.K. fell by 3.1% year-on-year.",
    "Gen. David Petraeus resigned in Nov. 2012.",
    "The film grossed $1.2bn worldwide.",
    "Officials said the fire started at about 3 a.m. local time.",
    "He told the BBC: \"It was terrible.\"",
    "Labour MP Jo Cox, 41, was killed in June.",
    "The vote passed 312-110.",
    "Prices start at £9.99 a month.",
    "Read more: http://bbc.co.uk/news.",
    "The study appears in the journal Nature.",
    "He was jailed for 12 yrs. at Leeds Crown Court.",
    "In a statement, Acme Corp. said it would appeal.",
    "Temperatures reached 40.5C in Seville.",
    "The no. 1 seed lost in straight sets.",
    "Ms. Rowling's latest book sold 2m copies.",
    "The match finished 0-0 after extra time...",
    "Why did it happen? Nobody knows.",
    "Wow! What a goal!",
    "(Reporting by J. Doe; editing by M. Roe.)",
    "The U.S.-led coalition said the strikes hit 12 targets.",
]


def corpus_cases(rng, n):
    text = (ROOT / "data" / "corpus" / "pretrain.txt").read_text(encoding="utf-8").split("\n")
    long_lines = [l for l in text if 80 <= len(l) <= 700 and any(c in l for c in ".?!")]
    out = []
    for _ in range(n):
        i = rng.randrange(len(long_lines) - 3)
        out.append(("\n" if rng.random() < 0.3 else " ").join(long_lines[i : i + rng.randint(1, 3)]))
    return out


def main():
    rng = random.Random(13)
    texts = list(HAND)
    for _ in range(120):  # news-like summaries: 1-4 sentences, joined as a model would write them
        picks = rng.sample(NEWS, rng.randint(1, 4))
        texts.append((" " if rng.random() < 0.8 else "\n").join(picks))
    texts += corpus_cases(rng, 120)
    tokenizer = english_tokenizer()
    cases = [{"text": t, "sentences": tokenizer.tokenize(t)} for t in texts]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"nltk_version": nltk.__version__, "cases": cases}, ensure_ascii=False, indent=1) + "\n",
                   encoding="utf-8")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
