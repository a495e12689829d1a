"""The text world: templated English with ordinary words that a tiny model can learn.

Every generator takes a ``random.Random`` (or a seed) and returns plain data with its labels, so
the same seed gives the same examples and a held-out set is just another seed. Word lists are data:
sentiment words, first names, places, number words, and the shapes world's vocabulary.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

POSITIVE = tuple("""
good great wonderful excellent amazing fantastic brilliant lovely beautiful delightful superb
perfect enjoyable pleasant charming fun funny exciting impressive outstanding marvelous nice
awesome fabulous terrific splendid gorgeous cheerful friendly helpful warm clever fresh tasty
smooth comfortable clean happy memorable inspiring moving elegant
""".split())
NEGATIVE = tuple("""
bad terrible awful boring horrible dreadful poor disappointing dull ugly nasty unpleasant
annoying weak lousy mediocre rude slow dirty noisy bland stale cold cheap broken painful sad
tedious clumsy messy confusing frustrating useless pathetic miserable gloomy greasy tasteless
overpriced forgettable unbearable
""".split())
SUBJECTS = tuple("""
movie film book meal hotel service show song game trip concert album restaurant play story
room coffee pizza class lesson car phone camera party museum
""".split())

FIRST_NAMES = tuple("""
Alice Bob Carol David Emma Frank Grace Henry Isabel Jack Kate Liam Mia Noah Olivia Peter Quinn
Rachel Sam Tom Uma Victor Wendy Xavier Yara Zoe Adam Ben Chloe Daniel Ella Finn George Hannah
Ian Julia Kevin Laura Mark Nina Oscar Paul Rose Simon Tina Ursula Vera Walter Amy Brian Clara
Diana Eric Fiona Gary Helen Irene James Karen Leo Maria Nathan Oliver Pam Ruby Sarah Tim Lucy
Anna Chris Dora Eva Felix Gina Hugo Ivy Jonas Kim Lily Max Nora Omar Pia Rita Sofia Theo Ada
Boris Celia Dan Elena Fred Greta Harry Iris John Lena Mike Nick Owen Ruth Steve Susan Tara
""".split())
# Cities and countries; multi-word places are the I-LOC tags in the entity world.
PLACES = tuple(line.strip() for line in """
Paris
London
Tokyo
Berlin
Madrid
Rome
Vienna
Prague
Dublin
Lisbon
Athens
Oslo
Stockholm
Helsinki
Copenhagen
Warsaw
Budapest
Amsterdam
Brussels
Zurich
Geneva
Moscow
Istanbul
Cairo
Lagos
Nairobi
Delhi
Mumbai
Beijing
Shanghai
Seoul
Bangkok
Singapore
Jakarta
Manila
Sydney
Melbourne
Toronto
Vancouver
Montreal
Chicago
Boston
Miami
Seattle
Denver
Dallas
Houston
Atlanta
Lima
Santiago
Bogota
Havana
New York
Los Angeles
San Francisco
Hong Kong
Buenos Aires
Rio de Janeiro
Cape Town
Mexico City
New Delhi
Tel Aviv
Kuala Lumpur
Abu Dhabi
France
Germany
Spain
Italy
Japan
China
India
Brazil
Canada
Mexico
Egypt
Kenya
Nigeria
Peru
Chile
Argentina
Colombia
Cuba
Australia
Russia
Turkey
Greece
Portugal
Ireland
Norway
Sweden
Finland
Denmark
Poland
Austria
Hungary
Belgium
Switzerland
Netherlands
Thailand
Vietnam
Korea
Indonesia
South Africa
New Zealand
United States
Saudi Arabia
Sri Lanka
""".strip().splitlines())

UNITS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
         "fifteen sixteen seventeen eighteen nineteen").split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()

# The shapes world's vocabulary (explorer/toyworld/shapes.py draws the same things).
SHAPES = ("circle", "square", "triangle")
COLORS = ("red", "green", "blue", "yellow")
SIZES = ("big", "small")
RELATIONS = {"left of": "right of", "right of": "left of", "above": "below", "below": "above"}

_SENTIMENT_TEMPLATES = (
    "the {s} was {a}.",
    "this {s} is {a}.",
    "what a {a} {s}.",
    "the {s} was {a} and {b}.",
    "i found the {s} {a}.",
    "a {a} {s}, really {b}.",
    "my {s} was {a}, the staff were {b}.",
    "honestly the {s} felt {a}.",
    "we thought the {s} was very {a}.",
    "{a} {s}! {b} from start to end.",
)
_NER_TEMPLATES = (
    "{P} lives in {L}.",
    "{P} moved to {L} last year.",
    "{P} and {P} visited {L}.",
    "{P} flew from {L} to {L}.",
    "yesterday {P} met {P} in {L}.",
    "{P} was born in {L}.",
    "{P} works in {L} with {P}.",
    "the trip to {L} was fun, said {P}.",
    "{L} is far from {L}.",
    "{P} likes {L} more than {L}.",
)
# (fact template, question template) — the answer is the {L} (or, for who-questions, the {P}).
_FACTS = (
    ("{P} lives in {L}.", "Where does {P} live?"),
    ("{P} works in {L}.", "Where does {P} work?"),
    ("{P} was born in {L}.", "Where was {P} born?"),
    ("{P} studies in {L}.", "Where does {P} study?"),
)
_WHO = {fact: "Who" + fact[3:-1] + "?" for fact, _ in _FACTS}  # "Who lives in {L}?"


@dataclass(frozen=True)
class Span:
    """Characters ``text[start:end]`` labelled ``label`` (``PER`` or ``LOC``)."""

    start: int
    end: int
    label: str


@dataclass(frozen=True)
class Tagged:
    text: str
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class QA:
    context: str
    question: str
    answer: str
    start: int
    """``context[start:start + len(answer)] == answer``."""


def _rng(seed: int | random.Random) -> random.Random:
    return seed if isinstance(seed, random.Random) else random.Random(seed)


def sentiment(seed: int | random.Random) -> tuple[str, str]:
    """A review and its label, ``positive`` or ``negative``."""
    rng = _rng(seed)
    label = rng.choice(("positive", "negative"))
    words = POSITIVE if label == "positive" else NEGATIVE
    a, b = rng.sample(words, 2)
    return rng.choice(_SENTIMENT_TEMPLATES).format(s=rng.choice(SUBJECTS), a=a, b=b), label


def _fill(template: str, rng: random.Random) -> Tagged:
    """Fill ``{P}`` / ``{L}`` slots with distinct names / places and record their spans."""
    names = iter(rng.sample(FIRST_NAMES, template.count("{P}")))
    places = iter(rng.sample(PLACES, template.count("{L}")))
    text, spans = "", []
    for piece in re.split(r"(\{P\}|\{L\})", template):
        if piece in ("{P}", "{L}"):
            word, label = (next(names), "PER") if piece == "{P}" else (next(places), "LOC")
            spans.append(Span(len(text), len(text) + len(word), label))
            text += word
        else:
            text += piece
    return Tagged(text[0].upper() + text[1:], tuple(spans))


def entities(seed: int | random.Random) -> Tagged:
    """A sentence with people (``PER``) and places (``LOC``) and their character spans."""
    rng = _rng(seed)
    return _fill(rng.choice(_NER_TEMPLATES), rng)


def bio_tags(tagged: Tagged, offsets: list[tuple[int, int]]) -> list[str]:
    """BIO tag per token given its character ``offsets``; ``(0, 0)`` tokens (specials) get ``O``.
    A token that starts a span is ``B-``; any later token inside it is ``I-``."""
    tags = []
    for start, end in offsets:
        span = next((s for s in tagged.spans if s.start <= start < s.end), None) \
            if end > start else None
        tags.append("O" if span is None else ("B-" if start == span.start else "I-") + span.label)
    return tags


def facts(seed: int | random.Random, count: int | None = None) -> QA:
    """A paragraph of ``count`` (by default 2–4) facts about distinct people and places, a
    question and its answer."""
    rng = _rng(seed)
    count = rng.randint(2, 4) if count is None else count
    names, places = rng.sample(FIRST_NAMES, count), rng.sample(PLACES, count)
    return _ask(rng, [rng.choice(_FACTS) for _ in range(count)], names, places)


def same_verb_facts(seed: int | random.Random, count: int | None = None) -> QA:
    """As ``facts``, but every fact of the paragraph has the same verb ("Alice lives in Paris.
    Bob lives in Tokyo."), so only the name (or, for who-questions, the place) says which fact a
    question asks about."""
    rng = _rng(seed)
    count = rng.randint(2, 4) if count is None else count
    names, places = rng.sample(FIRST_NAMES, count), rng.sample(PLACES, count)
    return _ask(rng, [rng.choice(_FACTS)] * count, names, places)


def _ask(rng: random.Random, templates: list[tuple[str, str]], names: list[str],
         places: list[str]) -> QA:
    """The paragraph of ``templates`` filled with ``names`` and ``places``, and a question about
    one of its facts."""
    context = " ".join(fact.format(P=name, L=place)
                       for (fact, _), name, place in zip(templates, names, places))
    asked = rng.randrange(len(templates))
    (fact, question), name, place = templates[asked], names[asked], places[asked]
    if rng.random() < 0.25:
        question, answer = _WHO[fact].format(L=place), name
    else:
        question, answer = question.format(P=name), place
    sentence = fact.format(P=name, L=place)
    start = context.index(sentence) + sentence.index(answer)
    return QA(context, question, answer, start)


def number_words(n: int) -> str:
    """``312`` → ``three hundred and twelve`` (British style, 0–999)."""
    if not 0 <= n <= 999:
        raise ValueError(f"number words cover 0-999, not {n}")
    hundreds, rest = divmod(n, 100)
    if rest < 20:
        tail = UNITS[rest]
    else:
        tail = TENS[rest // 10] + ("-" + UNITS[rest % 10] if rest % 10 else "")
    if not hundreds:
        return tail
    return f"{UNITS[hundreds]} hundred" + (f" and {tail}" if rest else "")


NUMBER_HOLDOUT = frozenset(random.Random(999).sample(range(1000), 100))
"""Numbers never used for training, so the seq2seq figure is measured on unseen numbers."""


def numbers(seed: int | random.Random, held_out: bool = False) -> tuple[str, str]:
    """``("three hundred and twelve", "312")`` from the training (or the held-out) numbers."""
    rng = _rng(seed)
    pool = sorted(NUMBER_HOLDOUT) if held_out else [n for n in range(1000)
                                                     if n not in NUMBER_HOLDOUT]
    n = rng.choice(pool)
    return number_words(n), str(n)


@dataclass(frozen=True)
class Thing:
    size: str
    color: str
    shape: str

    def __str__(self) -> str:
        return f"the {self.size} {self.color} {self.shape}"


def thing(rng: random.Random) -> Thing:
    return Thing(rng.choice(SIZES), rng.choice(COLORS), rng.choice(SHAPES))


def scene(seed: int | random.Random) -> tuple[Thing, str, Thing]:
    """Two different things and how the first sits relative to the second."""
    rng = _rng(seed)
    a = thing(rng)
    b = thing(rng)
    while b == a:
        b = thing(rng)
    return a, rng.choice(tuple(RELATIONS)), b


def shape_sentence(a: Thing, relation: str, b: Thing) -> str:
    return f"{a} is {relation} {b}."


def shape_pair(seed: int | random.Random) -> str:
    """A shape sentence and its converse: ``the big red circle is left of the small blue square.
    the small blue square is right of the big red circle.`` — every word of the second sentence
    follows from the first."""
    a, relation, b = scene(seed)
    return f"{shape_sentence(a, relation, b)} {shape_sentence(b, RELATIONS[relation], a)}"


_THING = rf"the ({'|'.join(SIZES)}) ({'|'.join(COLORS)}) ({'|'.join(SHAPES)})"
SHAPE_SENTENCE = re.compile(rf"{_THING} is ({'|'.join(RELATIONS)}) {_THING}\.")


def parse_shape_sentences(text: str) -> list[tuple[Thing, str, Thing]] | None:
    """The world sentences ``text`` is made of, or ``None`` if any part is not one."""
    found, position = [], 0
    text = " ".join(text.split())
    for match in SHAPE_SENTENCE.finditer(text):
        if text[position:match.start()].strip():
            return None
        g = match.groups()
        found.append((Thing(*g[0:3]), g[3], Thing(*g[4:7])))
        position = match.end()
    return found if found and not text[position:].strip() else None


def vocabulary() -> list[str]:
    """The lower-cased words of the word lists and templates, for WordPiece vocabularies that keep
    them whole (the number model has its own byte-level BPE)."""
    texts = [" ".join(POSITIVE + NEGATIVE + SUBJECTS + FIRST_NAMES + PLACES + tuple(UNITS)
                      + tuple(TENS[2:]) + SHAPES + COLORS + SIZES + tuple(RELATIONS))]
    texts += [*_SENTIMENT_TEMPLATES, *_NER_TEMPLATES, *(f + " " + q for f, q in _FACTS)]
    words = re.findall(r"[a-z]+", re.sub(r"\{[A-Za-z]\}", " ", " ".join(texts)).lower())
    return list(dict.fromkeys(words))
