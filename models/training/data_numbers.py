"""Synthetic pairs for numbers written as words ("twelve hours" -> "12시간", "zwölf Stunden").

The corpora write counts mostly as digits; English number words are rare on the Korean side (about 90 "twelve" in
260k pairs, nearly all from the Bible, as native Korean numerals), and the model guessed: the sample post's sentence
from the paper, "trained for as little as twelve hours on eight P100 GPUs", came back as "8시간". These templates pair
every count from 2 to 100 in words with the Korean digits and counter, and with German words up to twelve and digits
above (German prose's own convention). Deterministic; a few thousand short pairs beside 260k.
"""
from __future__ import annotations

import random
from typing import Iterator, Tuple

_EN_UNITS = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
             "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_EN_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_DE_UNITS = ["", "ein", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn", "elf", "zwölf"]

NUMBERS = range(2, 101)


def english_words(n: int) -> str:
    """2 -> "two", 21 -> "twenty-one", 100 -> "one hundred" (1-100)."""
    if n == 100:
        return "one hundred"
    if n < 20:
        return _EN_UNITS[n]
    tens, unit = divmod(n, 10)
    return _EN_TENS[tens] + (f"-{_EN_UNITS[unit]}" if unit else "")


def german_count(n: int) -> str:
    """A count as German prose writes it: words up to twelve, digits above."""
    return _DE_UNITS[n] if n <= 12 else str(n)


# (English, Korean, German); {w}/{n}/{g}: the count in English words, digits, German; {w2}/{n2}/{g2}: a second count.
TEMPLATES = [
    ("The model was trained for {w} hours.", "모델은 {n}시간 동안 훈련되었다.", "Das Modell wurde {g} Stunden lang trainiert."),
    ("We used {w} GPUs for training.", "훈련에는 GPU {n}개를 사용했다.", "Für das Training haben wir {g} GPUs verwendet."),
    ("It took {w} days to finish the work.", "그 일을 끝내는 데 {n}일이 걸렸다.", "Es dauerte {g} Tage, die Arbeit zu beenden."),
    ("There are {w} people in the room.", "방 안에 {n}명이 있다.", "Im Raum sind {g} Personen."),
    ("She lived there for {w} years.", "그녀는 그곳에서 {n}년 동안 살았다.", "Sie hat {g} Jahre dort gelebt."),
    ("The encoder has {w} layers.", "인코더는 {n}개의 층으로 이루어져 있다.", "Der Encoder hat {g} Schichten."),
    ("He waited {w} minutes for the bus.", "그는 버스를 {n}분 동안 기다렸다.", "Er wartete {g} Minuten auf den Bus."),
    ("I bought {w} apples at the market.", "나는 시장에서 사과 {n}개를 샀다.", "Ich habe auf dem Markt {g} Äpfel gekauft."),
    ("The book has {w} chapters.", "그 책은 {n}개의 장으로 되어 있다.", "Das Buch hat {g} Kapitel."),
    ("The model was trained for {w} hours on {w2} GPUs.", "모델은 GPU {n2}개로 {n}시간 동안 훈련되었다.",
     "Das Modell wurde {g} Stunden lang auf {g2} GPUs trainiert."),
]


def number_pairs(lang: str, seed: int = 1) -> Iterator[Tuple[str, str]]:
    """(English, `lang`) pairs: every template with every count; the second count of a template drawn at random."""
    if lang not in ("ko", "de"):
        raise ValueError(f"no number templates for {lang}")
    rng = random.Random(seed)
    side = 1 if lang == "ko" else 2
    for template in TEMPLATES:
        for n in NUMBERS:
            n2 = rng.choice(NUMBERS)
            values = {"w": english_words(n), "n": str(n), "g": german_count(n),
                      "w2": english_words(n2), "n2": str(n2), "g2": german_count(n2)}
            yield template[0].format(**values), template[side].format(**values)
