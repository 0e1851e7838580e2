"""Questions: from free text to the knowledge a person is asking about, and the reply.

`matching` holds the lexical matcher (word analysis, abbreviations, rapidfuzz); `encoder` the
sentence encoder; `semantic` the vector index over the knowledge with its disk cache; `hybrid`
the matcher that ranks topics and entries and decides what to reply; the guards are data
(`vocabulary.yaml`). `answers` turns a match into a Reply (the room's front door for the CLI's
developer tools), and `room` is what the Service routes questions, topics and answer buttons to.
"""
