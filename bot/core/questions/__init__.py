"""Questions: from free text to the knowledge a person is asking about.

`bot.core.matching` holds the lexical matcher (word analysis, abbreviations, rapidfuzz);
this package adds the sentence encoder (`encoder`), the vector index over the knowledge with its
disk cache (`semantic`), the guards kept as data (`guards`, `guards.yaml`) and the hybrid
matcher that ranks topics and entries and decides what to reply (`hybrid`).
"""
