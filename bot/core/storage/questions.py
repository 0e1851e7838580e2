"""Questions asked (for /stats and `imgbot unanswered`) and 👍/👎 feedback."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from bot.core.storage.base import SqliteBase, _ts


def normalise_question(text: str) -> str:
    """Lower-case, trimmed, single-spaced: how repeated questions are grouped."""
    return " ".join(text.lower().split())


class QuestionLog(Protocol):
    """The questions people asked and how they voted on answers."""

    # questions and feedback
    async def log_question(
        self,
        user_id: int,
        chat_id: int,
        text: str,
        topic: str | None,
        score: float,
        answered: bool,
        now: datetime,
    ) -> None: ...
    async def top_unanswered(self, limit: int = 20) -> list[tuple[str, int]]: ...
    async def question_stats(self, since: datetime) -> dict[str, Any]: ...
    async def add_feedback(
        self, user_id: int, topic: str, helpful: bool, now: datetime
    ) -> None: ...
    async def feedback_counts(self) -> dict[str, tuple[int, int]]: ...


class QuestionLogSql(SqliteBase):
    """`QuestionLog` on SQLite."""

    async def log_question(
        self,
        user_id: int,
        chat_id: int,
        text: str,
        topic: str | None,
        score: float,
        answered: bool,
        now: datetime,
    ) -> None:
        """Kept so admins see what people ask that the knowledge base cannot answer."""
        await self._write(
            "INSERT INTO questions (user_id, chat_id, text, norm, topic, score, answered, asked_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                user_id,
                chat_id,
                text,
                normalise_question(text),
                topic,
                float(score),
                int(answered),
                _ts(now),
            ),
        )

    async def top_unanswered(self, limit: int = 20) -> list[tuple[str, int]]:
        """Most frequent unanswered questions; ties go to the most recently asked."""
        rows = await self._rows(
            "SELECT norm, count(*) AS n FROM questions WHERE answered = 0"
            " GROUP BY norm ORDER BY n DESC, max(asked_at) DESC, max(id) DESC LIMIT ?",
            (limit,),
        )
        return [(row[0], row[1]) for row in rows]

    async def question_stats(self, since: datetime) -> dict[str, Any]:
        """{"questions", "answered", "per_day": {"YYYY-MM-DD" (UTC): count}} since `since`."""
        rows = await self._rows(
            "SELECT substr(asked_at, 1, 10), count(*), sum(answered) FROM questions"
            " WHERE asked_at >= ? GROUP BY 1 ORDER BY 1",
            (_ts(since),),
        )
        return {
            "questions": sum(row[1] for row in rows),
            "answered": sum(row[2] for row in rows),
            "per_day": {row[0]: row[1] for row in rows},
        }

    async def add_feedback(self, user_id: int, topic: str, helpful: bool, now: datetime) -> None:
        """One vote per user and topic, so repeated taps cannot skew the counts."""
        await self._write(
            "INSERT INTO feedback (user_id, topic, helpful, at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (user_id, topic) DO UPDATE SET helpful = excluded.helpful,"
            " at = excluded.at",
            (user_id, topic, int(helpful), _ts(now)),
        )

    async def feedback_counts(self) -> dict[str, tuple[int, int]]:
        """{topic: (helpful votes, not helpful votes)}."""
        rows = await self._rows(
            "SELECT topic, sum(helpful), count(*) - sum(helpful) FROM feedback"
            " GROUP BY topic ORDER BY topic"
        )
        return {row[0]: (row[1], row[2]) for row in rows}

    async def _export_questions(self, user_id: int) -> list[dict[str, Any]]:
        rows = await self._rows(
            "SELECT text, topic, score, answered, asked_at FROM questions"
            " WHERE user_id = ? ORDER BY id",
            (user_id,),
        )
        return [
            {"text": t, "topic": topic, "score": score, "answered": bool(a), "asked_at": at}
            for t, topic, score, a, at in rows
        ]

    async def _export_feedback(self, user_id: int) -> list[dict[str, Any]]:
        rows = await self._rows(
            "SELECT topic, helpful, at FROM feedback WHERE user_id = ? ORDER BY at", (user_id,)
        )
        return [{"topic": t, "helpful": bool(h), "at": at} for t, h, at in rows]
