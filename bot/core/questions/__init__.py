"""Questions: from free text to the knowledge a person is asking about, and the reply.

`words` reads a message word by word (normalisation, abbreviations, the word guards) and
`matching` holds the lexical matcher over those words (IDF coverage, typo correction, rapidfuzz);
this package adds the sentence encoder (`encoder`), the vector index over the knowledge with its
disk cache (`semantic`), the out-of-scope descriptions compared by meaning (`scope`, `scope.yaml`),
the hybrid matcher that ranks topics and entries (`hybrid`, reading a long post's asking
sentences with `asking`) and the decision on what to reply (`decision`). The word guards are
data in `vocabulary.yaml`.
"""

import os

# One question is a handful of small matrix products: BLAS threads cost more than they gain
# (on 2 shared cores a 20-token question took 70 ms with OpenBLAS's default threads, 12 ms with
# one; its waiting threads spin, so the cost shows as CPU time too), and the bar is one core.
# OpenBLAS reads this when numpy loads, so it is set here, before any module of this package
# imports numpy: set in `encoder` it came too late (`hybrid` imported numpy first), and the
# benchmark's p99 was 195-365 ms CPU against 27 ms in a process that loaded the encoder first.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
