"""Writes common_words.txt: words common in English or Spanish text.

Source: wordfreq 3.1.1 (R. Speer, https://github.com/rspeer/wordfreq; code
Apache-2.0, word lists CC-BY-SA 4.0), the `best` lists for `en` and `es`.
A word is kept when its Zipf frequency is at least 4.0 (about once per
10,000 words of text) in either language and it has at least three letters.
Words are folded as cartelscreen folds names: accents removed, lower case,
ASCII letters only.

Run: python3 -m pip install wordfreq==3.1.1 && python3 make_common_words.py
"""

import unicodedata

import wordfreq

MIN_ZIPF = 4.0
MIN_LETTERS = 3


def fold(w):
    w = unicodedata.normalize("NFKD", w)
    return "".join(c for c in w if not unicodedata.combining(c)).lower()


words = set()
for lang in ("en", "es"):
    for w in wordfreq.iter_wordlist(lang, "best"):
        if wordfreq.zipf_frequency(w, lang) < MIN_ZIPF:
            break
        f = fold(w)
        if len(f) >= MIN_LETTERS and f.isascii() and f.isalpha():
            words.add(f)

with open("common_words.txt", "w") as out:
    out.write(
        "# Words common in English or Spanish text (Zipf frequency >= 4.0 in either),\n"
        "# at least three letters, folded to lower-case ASCII. Read by the free-text scan:\n"
        "# one such word alone is ordinary wording, not a listed name.\n"
        "# Source: wordfreq 3.1.1, R. Speer, https://github.com/rspeer/wordfreq\n"
        "# (word lists licensed CC-BY-SA 4.0). Written by make_common_words.py.\n"
    )
    for w in sorted(words):
        out.write(w + "\n")
