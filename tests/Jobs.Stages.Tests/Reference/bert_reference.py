#!/usr/bin/env python3
"""Reference WordPiece ids for tokenization tests, written from the rules of BERT's original tokenizer.

Rules (BERT's BasicTokenizer, uncased, as the bundled model's tokenizer is configured: lower-case, strip accents,
split CJK ideographs):
  1. clean: drop U+0000, U+FFFD and every character of a category starting with C (control, format, private use,
     unassigned) except tab, LF and CR; map tab, LF, CR and every Zs character to a space;
  2. put spaces around each CJK ideograph;
  3. split on whitespace; lower-case each word, decompose it (NFD) and drop non-spacing marks (Mn);
  4. split each word into punctuation characters (ASCII 33-47, 58-64, 91-96, 123-126, or a category starting with
     P) and runs of other characters;
  5. WordPiece: greedy longest match first, continuations prefixed with ##; a word of more than 100 characters, or
     with a piece not in the vocabulary, is [UNK].
Then [CLS] ... [SEP].

Usage: bert_reference.py VOCAB.txt CASES.json > tokenization-reference.json
(CASES.json: a JSON list of strings). Python's own unicodedata is the character database.
"""
import json
import sys
import unicodedata


def is_cjk(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0x2A700 <= cp <= 0x2B73F
            or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def is_space(ch):
    return ch in " \t\n\r" or unicodedata.category(ch) == "Zs"


def is_control(ch):
    return ch not in "\t\n\r" and unicodedata.category(ch).startswith("C")


def is_punct(ch):
    cp = ord(ch)
    return 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126 or unicodedata.category(ch).startswith("P")


def basic(text):
    cleaned = []
    for ch in text:
        if ord(ch) in (0, 0xFFFD) or is_control(ch):
            continue
        cleaned.append(" " if is_space(ch) else ch)
    spaced = "".join(f" {ch} " if is_cjk(ord(ch)) else ch for ch in cleaned)
    words = []
    for word in spaced.split():
        word = "".join(c for c in unicodedata.normalize("NFD", word.lower()) if unicodedata.category(c) != "Mn")
        current = ""
        for ch in word:
            if is_punct(ch):
                if current:
                    words.append(current)
                words.append(ch)
                current = ""
            else:
                current += ch
        if current:
            words.append(current)
    return words


def wordpiece(word, vocab):
    if len(word) > 100:
        return ["[UNK]"]
    pieces, start = [], 0
    while start < len(word):
        end, found = len(word), None
        while start < end:
            piece = ("##" if start > 0 else "") + word[start:end]
            if piece in vocab:
                found = piece
                break
            end -= 1
        if found is None:
            return ["[UNK]"]
        pieces.append(found)
        start = end
    return pieces


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        vocab = {line.rstrip("\r\n"): i for i, line in enumerate(f)}
    with open(sys.argv[2], encoding="utf-8") as f:
        cases = json.load(f)
    out = []
    for text in cases:
        tokens = ["[CLS]"] + [p for w in basic(text) for p in wordpiece(w, vocab)] + ["[SEP]"]
        out.append({"text": text, "tokens": tokens, "ids": [vocab[t] for t in tokens]})
    json.dump({"unicode": unicodedata.unidata_version, "cases": out}, sys.stdout, ensure_ascii=True, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
