"""IMG Pathway Bot: core (plain Python), the Telegram adapter (bot.tg) and the terminal chat.

Set before anything imports numpy, so it applies to every entry point (CLI, bot, tests):
numpy's OpenBLAS runs one thread. The bot's BLAS calls are small products per question (its
vector against ~3,800 text vectors, `SemanticIndex.similarities_to`, and against the scope
intents, `ScopeGuard.gap`), where waking a second thread costs more than it saves: 0.5 ms
with one thread, 1.7-8.8 ms with two on a busy 2-core machine (the reply path shares the cores
with the encoder and other processes). An operator's own setting wins.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
