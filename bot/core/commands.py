"""The one command table: every slash command, where it is offered, and what serves it.

Adapters build everything command-shaped from `COMMANDS`: the Telegram handlers and the scoped
command menus (bot.tg.commands), the terminal chat's dispatch (bot.console), `/help` (here, for
bot.core.texts) and the README's command table (a test keeps it equal to `markdown_table()`).
Adding a command is one row here, its wording in bot.core.texts (CMD_NAME and CMD_NAME_HELP:
the table lists the commands, texts.py says them) plus, if it needs one, a public Service method.

Scopes say where a command is offered (menus and /help), not where it is refused: every command
is registered for every chat, and the Service answers a personal command typed in a group with a
button into the private chat, and an admin command typed by anyone else with a refusal.
- "private": a private chat with the bot;
- "group": groups and supergroups (the group's admins see the same commands, some described
  by what they alone may do there);
- "admin": the bot's administrators (IMGBOT_ADMINS), in their private chat only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from bot.core import texts
from bot.core.models import Chat, Reply, User

if TYPE_CHECKING:
    from bot.core.service import Service

Scope = Literal["private", "group", "admin"]
SCOPES: tuple[Scope, ...] = ("private", "group", "admin")

# How a Service method takes what was typed after the command, e.g. for "/remind leads 30 7":
#   "chat"            method(user, chat)
#   "chat_words"      method(user, chat, ["leads", "30", "7"])
#   "chat_payload"    method(user, chat, "leads")        (the first word, or None)
#   "chat_text"       method(user, chat, "leads 30 7")    (the whole rest, line breaks kept)
#   "chat_words_bot"  method(user, chat, words, bot_username)  (builds t.me deep links)
#   "user"            method(user)                        (admin commands: no chat involved)
#   "user_text"       method(user, text)
#   "user_dir"        method(user, knowledge_dir)
ArgStyle = Literal[
    "chat", "chat_words", "chat_payload", "chat_text", "chat_words_bot", "user", "user_text",
    "user_dir",
]  # fmt: skip


@dataclass(frozen=True)
class Command:
    """One slash command. `description` is the menu line (Telegram allows 1-256 characters);
    `help` the /help and README line, `group_help` its group version; `chat_admin` is the menu
    line a group's admins see instead, where they may do more than the others."""

    name: str
    description: str
    scopes: frozenset[Scope]
    method: str  # the Service method that serves it, e.g. "next" or "cohort"
    args: ArgStyle = "chat"
    help: str = ""
    personal: bool = False  # about one person: in a group only a button into the private chat
    group_help: str | None = None
    chat_admin: str | None = None
    empty: str | None = None  # the answer when typed with nothing after it, if that is wrong

    def help_line(self, scope: Scope = "private") -> str:
        text = self.group_help if scope == "group" and self.group_help else self.help
        return text or self.description

    def menu_line(self, scope: Scope = "private", chat_admin: bool = False) -> str:
        if scope == "group" and chat_admin and self.chat_admin:
            return self.chat_admin
        return self.description


def _scopes(*names: Scope) -> frozenset[Scope]:
    return frozenset(names)


PRIVATE, BOTH, ADMIN = _scopes("private"), _scopes("private", "group"), _scopes("admin")

# Order is menu and /help order: the first steps first, data rights last, admin tools apart.
COMMANDS: tuple[Command, ...] = (
    Command(
        "start", texts.CMD_START, PRIVATE, "start", "chat_payload", help=texts.CMD_START_HELP,
    ),
    Command(
        "help", texts.CMD_HELP, BOTH, "help",
        help=texts.CMD_HELP_HELP, group_help=texts.CMD_HELP_GROUP,
    ),
    Command(
        "ask", texts.CMD_ASK, BOTH, "ask", "chat_text",
        help=texts.CMD_ASK_HELP, empty=texts.CMD_ASK_EMPTY,
    ),
    Command(
        "next", texts.CMD_NEXT, PRIVATE, "next", personal=True, help=texts.CMD_NEXT_HELP,
    ),
    Command(
        "profile", texts.CMD_PROFILE, PRIVATE, "profile", "chat_words",
        personal=True, help=texts.CMD_PROFILE_HELP,
    ),
    Command(
        "progress", texts.CMD_PROGRESS, PRIVATE, "progress",
        personal=True, help=texts.CMD_PROGRESS_HELP,
    ),
    Command(
        "topics", texts.CMD_TOPICS, BOTH, "topics", help=texts.CMD_TOPICS_HELP,
    ),
    Command(
        "deadlines", texts.CMD_DEADLINES, BOTH, "deadlines",
        help=texts.CMD_DEADLINES_HELP, group_help=texts.CMD_DEADLINES_GROUP,
    ),
    Command(
        "calendar", texts.CMD_CALENDAR, BOTH, "calendar",
        help=texts.CMD_CALENDAR_HELP, group_help=texts.CMD_CALENDAR_GROUP,
    ),
    Command(
        "remind", texts.CMD_REMIND, BOTH, "remind", "chat_words",
        help=texts.CMD_REMIND_HELP, group_help=texts.CMD_REMIND_GROUP,
        chat_admin=texts.CMD_REMIND_CHAT_ADMIN,
    ),
    Command(
        "cohort", texts.CMD_COHORT, BOTH, "cohort", "chat_words_bot",
        help=texts.CMD_COHORT_HELP, group_help=texts.CMD_COHORT_GROUP,
        chat_admin=texts.CMD_COHORT_CHAT_ADMIN,
    ),
    Command(
        "export", texts.CMD_EXPORT, PRIVATE, "export", personal=True, help=texts.CMD_EXPORT_HELP,
    ),
    Command(
        "forget", texts.CMD_FORGET, PRIVATE, "forget", personal=True, help=texts.CMD_FORGET_HELP,
    ),
    Command(
        "stats", texts.CMD_STATS, ADMIN, "stats", "user", help=texts.CMD_STATS_HELP,
    ),
    Command(
        "broadcast", texts.CMD_BROADCAST, ADMIN, "broadcast", "user_text",
        help=texts.CMD_BROADCAST_HELP,
    ),
    Command(
        "reload", texts.CMD_RELOAD, ADMIN, "reload_knowledge", "user_dir",
        help=texts.CMD_RELOAD_HELP,
    ),
)  # fmt: skip

BY_NAME = {command.name: command for command in COMMANDS}


def in_scope(scope: Scope) -> tuple[Command, ...]:
    """The commands offered in `scope`, in table order."""
    return tuple(c for c in COMMANDS if scope in c.scopes)


def find(name: str) -> Command | None:
    """The command typed as `name` (any case, a "@botname" suffix ignored), or None."""
    return BY_NAME.get(name.split("@", 1)[0].lower())


@dataclass(frozen=True)
class Invocation:
    """One typed command, as any adapter reads it."""

    user: User
    chat: Chat
    words: tuple[str, ...] = ()  # what follows the command, split on white space
    text: str = ""  # what follows the command, line breaks kept
    bot_username: str = ""
    knowledge_dir: Path | None = None


def _method(service: Service, path: str) -> Callable[..., Awaitable[Reply | list[Reply]]]:
    """The Service method a row names, e.g. "cohort"."""
    target: Any = service
    for part in path.split("."):
        target = getattr(target, part)
    method: Callable[..., Awaitable[Reply | list[Reply]]] = target
    return method


async def run(service: Service, command: Command, call: Invocation) -> list[Reply]:
    """Serve one command through its Service method, whatever the adapter."""
    if command.empty and not call.text.strip():
        return [Reply(command.empty)]
    method = _method(service, command.method)
    words = list(call.words)
    result: Reply | list[Reply]
    match command.args:
        case "chat":
            result = await method(call.user, call.chat)
        case "chat_words":
            result = await method(call.user, call.chat, words)
        case "chat_payload":
            result = await method(call.user, call.chat, words[0] if words else None)
        case "chat_text":
            result = await method(call.user, call.chat, call.text)
        case "chat_words_bot":
            result = await method(call.user, call.chat, words, call.bot_username)
        case "user":
            result = await method(call.user)
        case "user_text":
            result = await method(call.user, call.text)
        case "user_dir":
            result = await method(call.user, call.knowledge_dir)
    return result if isinstance(result, list) else [result]


UNKNOWN = texts.UNKNOWN_COMMAND  # the answer to a command not in the table, in every adapter


# -- /help and the README, generated from the table ---------------------------------------------
def _bullets(commands: Iterable[Command], scope: Scope) -> str:
    lines = (texts.HELP_LINE.format(name=c.name, text=c.help_line(scope)) for c in commands)
    return "\n".join(lines)


def help_text(scope: Scope) -> str:
    """/help for a private chat, or for a group ("group"): exactly the commands of that scope."""
    if scope != "group":
        return f"{texts.HELP_INTRO}\n{_bullets(in_scope(scope), scope)}"
    personal = ", ".join(f"/{c.name}" for c in COMMANDS if c.personal)
    return (
        f"{texts.GROUP_HELP_INTRO}\n\n{_bullets(in_scope('group'), 'group')}\n\n"
        + texts.GROUP_HELP_PERSONAL.format(commands=personal)
    )


def markdown_table() -> str:
    """The README's command table: every command, admin ones marked."""
    rows = ["| command | where | what it does |", "|---|---|---|"]
    for c in COMMANDS:
        where = ", ".join(s for s in SCOPES if s in c.scopes)
        rows.append(f"| `/{c.name}` | {where} | {c.help_line()} |")
    return "\n".join(rows)
