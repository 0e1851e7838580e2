"""User-facing text that is not knowledge: welcome, help, privacy, and fixed replies.

Kept in one place so wording can be reviewed (and later translated) without reading code.
Plain text: adapters escape and format it. This module holds only strings (a test checks it);
`{name}` marks a value filled in by the code, which `str.format` fills.

Why a Python module of constants and not a YAML file: a misspelt name fails at import and in
ruff and mypy, not when a person first reaches that reply; the text is as easy to edit here as
in YAML (a quoted string per name, nothing else in the file); and there is no loader to test.
"""

from __future__ import annotations

WELCOME = (
    "Hello! I help international medical graduates (IMGs) on the road to a US residency: "
    "ECFMG, USMLE, the English and clinical-skills requirements, US clinical experience, ERAS, "
    "the NRMP Match, SOAP, visas and residency itself.\n\n"
    "• Ask me anything in your own words, for example: is step 1 pass fail?\n"
    "• /next asks a few questions about you and gives you an ordered, dated plan.\n"
    "• /topics shows the whole path, step by step.\n"
    "• /deadlines and /remind keep you on time.\n\n"
    "Every answer cites the official source. Rules, dates and fees change: always check the "
    "official page before you pay or plan."
)

PRIVACY = (
    "What I store and why: your Telegram id and first name (to talk to you), the answers you "
    "give in /next (to make your plan), your reminder settings, the questions you ask (to find "
    "gaps in my knowledge) and your 👍/👎 votes. Nothing is shared with anyone. "
    "/export sends you all of it; /forget deletes all of it."
)

OUT_OF_SCOPE = (
    "Sorry, I don't know this one. I only know the road from medical school to a US residency "
    "for international medical graduates, and I don't want to guess.\n\n"
    "Where to look:\n"
    "• ECFMG / Intealth (certification, Pathways, J-1): https://www.ecfmg.org\n"
    "• USMLE (the exams): https://www.usmle.org\n"
    "• AAMC ERAS (applications): https://students-residents.aamc.org\n"
    "• NRMP (the Match and SOAP): https://www.nrmp.org\n"
    "• US State Department (visas): https://travel.state.gov\n\n"
    "Or see everything I know with /topics."
)

EMPTY_QUESTION = (
    "I could not find any words in your message. Please type your question in words, "
    "for example: when does ERAS open?"
)

TOO_LONG = (
    "Your message is very long ({length} characters). Please ask one short question "
    "(under {limit} characters) and I will answer it. Nothing was changed."
)

SUGGEST = "I am not sure which of these you mean. Tap one:"

STALE_BUTTON = "This button is out of date. Type /next or /help to start again."

SOURCES_FOOTER = "Reviewed {reviewed}. Rules, dates and fees change: check the official page."

GROUP_REMINDERS_ADMINS = (
    "Sorry, only this group's admins can change the group's reminders. Nothing was changed. "
    "For your own reminders, talk to me in a private chat and type /remind."
)
GROUP_REMINDERS_NOTICE = "Only this group's admins can change its reminders. Nothing was changed."
ADMINS_ONLY = "Sorry, only the bot's administrators can do that."
RELOAD_FAILED = "The reload failed; the previous knowledge is still serving."
NOT_YOURS = "This button belongs to the person who asked. Type the command yourself to get yours."
ANONYMOUS = (
    "You are posting anonymously as the group, so I cannot tell who you are. "
    'Turn off "Remain anonymous" in your admin rights, or talk to me in a private chat.'
)
PRIVATE_BUTTON = "🔒 Open a private chat"
# The group answer to a personal command, {what} being e.g. "I show your plan".
PRIVATE_ONLY = (
    "{what} only in our private chat, never in a group. Tap the button to continue there."
)


# -- browsing and answer buttons (the questions room) --
STAGE_LIST = "The road to a US residency, stage by stage. Tap a stage:"
STAGE_TOPICS = "{stage}: tap a topic."
ALL_STAGES_BUTTON = "⬅️ All stages"
TOPIC_GONE = "That topic no longer exists. Type /topics to see all topics."
ENTRY_GONE = "That answer no longer exists. Type /topics to see all topics."
FEEDBACK_THANKS = "Thank you! Your feedback helps us improve the answers."

# -- admins (admin.py) --
STATS_TITLE = "Bot statistics"
STATS = (
    "Users: {users} ({active} active)\n"
    "Questions per day (last 7 days): {per_day}\n"
    "Answer rate (7 days): {rate}\n"
    "Reminders and broadcasts sent: {sent}\n"
    "Outbox: {outbox}\n"
    "Top unanswered:\n{unanswered}"
)
BROADCAST_USAGE = "Usage: /broadcast TEXT. You will see a preview before anything is sent."
BROADCAST_PREVIEW = "Preview of your broadcast"
BROADCAST_SEND = "Send to {count} people"
BROADCAST_CANCEL = "Cancel"
BROADCAST_DONE = "This broadcast was already sent or cancelled."
BROADCAST_CANCELLED = "Broadcast cancelled. Nothing was sent."
BROADCAST_QUEUED = "Broadcast queued for {count} people."
RELOADED = (
    "Reloaded: {topics} topics, {deadlines} deadlines. "
    "{planned} new reminders planned; pending ones will use the new dates."
)

# -- deadlines and reminders (reminders/room.py) --
NO_DEADLINES = "I have no upcoming deadlines for you. Set your target year with /next."
DEADLINES_TITLE = "Your deadlines"
DEADLINE_LINE = "• {title}\n  {when}: {left} days left ({mark})\n  {why}\n  {source}"
ESTIMATED = "estimated: confirm on the official page"
CONFIRMED = "confirmed"
DAYS_IN_ZONE = "Days are counted in your time zone ({tz})."
CALENDAR_FILE = (
    "Your deadlines as a calendar file: open it to add them to Google or Apple Calendar. "
    "Estimated dates are marked [estimated]."
)
REMINDERS_TITLE = "Deadline reminders"
NOTHING_CHANGED = "Nothing was changed."
SAVED = "Saved ✅"

# -- the plan, the dialog and personal data (profile/room.py) --
# The group answers to personal commands ({what} of PRIVATE_ONLY).
PRIVATE_PLAN = "I show your plan"
PRIVATE_PROFILE = "I show your profile"
PRIVATE_PROGRESS = "I show your progress"
PRIVATE_EXPORT = "I send your data"
PRIVATE_FORGET = "I delete your data"
SKIP_BUTTON = "Skip ⏭"
BACK_BUTTON = "⬅️ Back"
TYPE_THE_NUMBER = "You can also type the number."
TRY_AGAIN = "{error} Please try again, or tap Skip."
NO_EARLIER_QUESTION = "There is no earlier question. Type /next to continue."
PLAN_TITLE = "Your plan, most urgent first"
PLAN_ACTION = "{number}. {title}"
PLAN_ACTION_DUE = "{number}. {title} (by {due})"
PLAN_REASON = "   {why}"
PLAN_LATER = "Later:"
PLAN_ALL_DONE = "You have done every step I know about. Well done!"
PLAN_WARNING = "⚠️ {warning}"
PLAN_ESTIMATES = "Dates marked as estimates must be confirmed on the official pages."
TOPIC_BUTTON = "📖 {title}"
PROGRESS_BUTTON = "📋 Progress"
MY_PLAN_BUTTON = "🧭 My plan"
TARGET_MOVE_BUTTON = "➡️ Aim for the {year} Match"
TARGET_KEEP_BUTTON = "Keep {year}: what would it take?"
TARGET_MOVED = "Your target is now the {year} Match."
PROFILE_TITLE = "Your profile"
PROFILE_LINE = "• {label}: {value}"
PROFILE_EMPTY = "No answers yet."
PROFILE_HOW_TO_CHANGE = (
    "Change one with /profile set FIELD VALUE, for example /profile set step1 passed. "
    "Fields: {fields}."
)
PROFILE_USAGE = "Usage: /profile to see your answers, or /profile set FIELD VALUE."
PROFILE_SET_USAGE = "Usage: /profile set FIELD VALUE, for example /profile set step2ck passed."
NO_SUCH_FIELD = "There is no field {field}. Fields: {fields}."
NOT_CHANGED = "{error} Nothing was changed."
PROFILE_SAVED = "Saved: {field} = {value}. Type /next to see your updated plan."
PROGRESS_TITLE = "Your path"
PROGRESS_LINE = "{mark} {label}"
PROGRESS_LEGEND = "✅ done   ➡️ next   ⏳ later"
EXPORT_SENT = "Here is everything I store about you."
FORGET_ASK = (
    "Delete everything I store about you (profile, plan, reminders, questions, feedback, "
    "cohort membership)? This cannot be undone."
)
FORGET_YES_BUTTON = "Yes, delete everything"
FORGET_NO_BUTTON = "No, keep it"
FORGOTTEN = "Done: I deleted everything I stored about you."
NOT_FORGOTTEN = "OK, nothing was deleted."

# -- the road picture and its caption (plan/picture.py) --
ROAD_TITLE = "Your road to residency"
ROAD_SUBTITLE = "{done} of {total} steps done · planning for the {cycle} Match · {today}"
ROAD_HERE = "you are here"
ROAD_TODAY = "today"
ROAD_DATED = "Next dated steps"
ROAD_NO_DATED = "No dated step yet."
CAPTION_NEXT = "Next:"
