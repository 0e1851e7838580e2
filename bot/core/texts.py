"""User-facing text that is not knowledge: the words of the replies, buttons, dialog questions,
profile labels, the plan's advice and the command menus the core shows, in sections by room.

Kept in one place so wording can be reviewed (and later translated) without reading code.
Plain text: adapters escape and format it. This module holds only strings (a test checks it,
and others that no Reply or Button in the core, nor the plan's code, writes its words inline);
`{name}` marks a value filled in by the code, which `str.format` fills. Not here: the messages
of `imgbot validate` (knowledge/, plan/path.py), for curators and developers, not for users.

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

ENGLISH_ONLY = (
    "Sorry, I could not understand this one: I read questions in English. Please ask again in "
    "English, even simple English, for example: how much is the Step 1 fee? Short forms like "
    "CK, LoR or YOG are fine, and so are words like kab, kitna or magkano."
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
# A menu that offers an entry first shows that entry's fact before its buttons (`answers`).
SUGGEST_GUESS = "Maybe this ({question}): {answer}"
SUGGEST_AFTER_GUESS = "I am not sure this is what you mean, though. Tap one:"
# An overview whose topic has an entry that fits the question well starts with that entry's fact.
IN_SHORT = "In short ({question}): {answer}"
REPORTED_SHORT = "reported by applicants, not an official rule"

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
HELPFUL_BUTTON = "👍 Helpful"
NOT_HELPFUL_BUTTON = "👎 Not helpful"
HELLO = "Hello!"
FULL_ANSWER_IN_PRIVATE = "Full answer in private"
MORE_IN_PRIVATE = "More in private"
ALL_ABOUT_BUTTON = "📖 All about {title}"

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
DEADLINES_FOR = (
    "These are the deadlines of the {cycle} Match. Applying in another year's Match? "
    "Change it with /profile set target_match_year YEAR."
)
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
NO_EARLIER_TYPED = "There is no earlier question: this is the first one."
STILL_ASKING = "Your /next question is still open: tap an answer, or type it."
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
# {fields}: the labels of the cleared answers, e.g. "ERAS application submitted, Match result"
PROFILE_APPLICATION_CLEARED = (
    "Your answers about the {old} Match's application are cleared, because they do not carry "
    "over to the {new} Match: {fields}."
)
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

# -- cohorts: groups and channels of one Match year (cohorts.py) --
COHORT_USAGE = (
    "Cohort commands:\n"
    "• In your group (admins): /cohort create NAME YEAR, for example /cohort create Lahore 2027\n"
    "• In your group (admins): /cohort reminders 30 7 1, or /cohort reminders off\n"
    "• In your group: /cohort shows the cohort, its deadlines and anonymous progress\n"
    "• In private: /cohort, /cohort share on, /cohort share off, /cohort leave"
)
COHORT_NOT_ADMIN = "Sorry, only this group's admins can change the cohort."
COHORT_NONE_HERE = (
    "This group is not a cohort yet. A group admin can make it one with "
    "/cohort create NAME YEAR, for example /cohort create Lahore 2027."
)
COHORT_NOT_IN = (
    "You are not in a cohort. Ask your group's admin for the join link, or create a cohort in "
    "your group with /cohort create NAME YEAR."
)
COHORT_BAD_LINK = (
    "This join link is not valid: it may be mistyped or out of date. Ask your group's admin "
    "for the current link (/cohort in the group shows it)."
)
COHORT_PRIVATE_ONLY = "That is personal: talk to me in a private chat and type /cohort there."
COHORT_IN_THE_GROUP = "Type that in your cohort's group, where I can check you are an admin."
COHORT_CREATE_USAGE = "Usage: /cohort create NAME YEAR, for example /cohort create Lahore 2027."
COHORT_NAME_LENGTH = "The name must be 1 to {limit} characters. Nothing was created."
COHORT_YEAR_RANGE = "The Match year must be between {first} and {last}. Nothing was created."
COHORT_EXISTS = "This group is already the cohort {name} (Match {year})."
COHORT_JUST_CREATED = "This group already has a cohort: type /cohort to see it."
COHORT_CREATED_TITLE = "Cohort created"
COHORT_CREATED = (
    "Cohort {name} (Match {year}) is set up for this group.\n\n"
    "Members: open this link to join in a private chat with me: {link}\n"
    "Joining sets your target Match year to {year} if you have none.\n\n"
    "I will post the {year} cycle's deadlines here {leads} days before each. "
    "Admins can change that with /cohort reminders 30 7 1, or /cohort reminders off."
)
COHORT_JOIN_NAMED_BUTTON = "Join {name}"
COHORT_JOIN_BUTTON = "Join this cohort"
COHORT_JOIN_IN_PRIVATE = "Open the join link in a private chat with me to join the cohort."
COHORT_JOINED_TITLE = "You joined a cohort"
# {note} is empty or one of the two sentences after it (each starts with a space).
COHORT_JOINED = (
    "Welcome to the cohort {name} (Match {year})!{note}\n\n"
    "Would you like to share your progress with the group? Only anonymous counts are "
    'shown (like "5 passed Step 1"), never your name, and only once at least '
    "{minimum} members share. You can change this any time with /cohort."
)
COHORT_YEAR_SET = " I set your target Match year to {year}."
COHORT_YEAR_KEPT = (
    " Your own target year stays {own}; change it with /profile set target_match_year {year}."
)
COHORT_TITLE = "Cohort {name}"
COHORT_MEMBERS = "Match {year} · {members} members"
COHORT_ONE_MEMBER = "Match {year} · 1 member"
COHORT_NO_DEADLINES = "No upcoming deadlines of the {year} cycle in my calendar."
COHORT_DEADLINES = "Next deadlines of the {year} cycle:"
COHORT_DEADLINE = "• {title}: {when}, in {left} days"
COHORT_DEADLINE_ESTIMATED = "• {title}: {when}, in {left} days (estimated: check the official page)"
COHORT_REMINDERS = "Group reminders: {leads}"
COHORT_LEADS = "{days} days before each deadline."
COHORT_LEADS_OFF = "off."
# The anonymous counts: "Of 5 members who share progress: 3 passed Step 1, 1 matched."
COHORT_FEW_SHARE = (
    "Progress: fewer than {minimum} members share their progress, so I show no "
    "numbers (they could point at one person). Members can opt in privately with "
    "/cohort share on."
)
COHORT_COUNTS = "Of {members} members who share progress: {counts}."
COHORT_COUNT = "{count} {milestone}"
COHORT_STEP1 = "passed Step 1"
COHORT_STEP2CK = "passed Step 2 CK"
COHORT_OET = "passed OET"
COHORT_CERTIFIED = "are ECFMG-certified"
COHORT_STEP3 = "passed Step 3"
COHORT_ERAS = "submitted ERAS"
COHORT_MATCHED = "matched"
COHORT_YOURS_TITLE = "Your cohort"
COHORT_YOURS = "You are in {name} (Match {year}), {members} members."
COHORT_SHARING = "You share your progress: it counts, anonymously, in the group's numbers."
COHORT_NOT_SHARING = "You do not share your progress: the group's numbers leave you out."
STOP_SHARING_BUTTON = "🙈 Stop sharing"
SHARE_BUTTON = "📊 Share anonymously"
LEAVE_COHORT_BUTTON = "🚪 Leave the cohort"
SHARING_ON = "Sharing on ✅"
SHARING_OFF = "Sharing off ✅"
COHORT_LEFT = "You left {name}. Your own profile and reminders are unchanged."
COHORT_LEFT_NOTICE = "Left ✅"
COHORT_REMINDERS_BAD = (
    "{error} Nothing was changed.\n\nUsage: /cohort reminders 30 7 1, or /cohort reminders off."
)
COHORT_REMINDERS_SAVED = "Saved ✅ Group reminders: {leads}"
CHANNEL_NAMELESS = "your channel"
CHANNEL_ADDED_NO_COHORT = (
    "You added me to {channel}. I can post a cohort's deadline reminders and a weekly "
    "digest there: first create the cohort in your group (/cohort create NAME YEAR), "
    "then add me to the channel again."
)
CHANNEL_ADDED = (
    "You added me to {channel}. Link it to the cohort {name} (Match {year})? "
    "The channel will get the cohort's deadline reminders and a weekly \"what's ahead\" "
    "digest. Only an admin of both the cohort's group and the channel can confirm."
)
LINK_BUTTON = "✅ Link it"
NO_LINK_BUTTON = "No"
CHANNEL_SKIPPED = "OK, I will not post to that channel."
CHANNEL_SKIPPED_NOTICE = "Not linked"
LINK_NOT_IN_COHORT = "You are not in a cohort, so there is nothing to link."
LINK_NOT_GROUP_ADMIN = "Only an admin of the cohort's group can link a channel."
LINK_NOT_CHANNEL_ADMIN = "Only an admin of that channel can link it."
# {leads} is COHORT_LEADS without its full stop.
CHANNEL_LINKED = (
    "Linked ✅ The channel now gets {name}'s deadline reminders ({leads}) "
    "and a weekly digest of what is ahead."
)
CHANNEL_LINKED_NOTICE = "Channel linked"
DIGEST = (
    "What's ahead for {name} (Match {year})\n\n{deadlines}\n\n"
    "Dates marked estimated must be checked on the official page."
)

# -- the /next dialog's questions and answer buttons (profile/dialog.py) --
ASK_STAGE = "Are you still in medical school, or have you graduated?"
ASK_SCHOOL_YEAR = "Which year of medical school are you in?"
ASK_GRADUATION_YEAR = "Which year did you graduate?"
ASK_STEP1 = "Where are you with USMLE Step 1?"
ASK_STEP2CK = "Where are you with USMLE Step 2 CK?"
ASK_ENGLISH = "Have you passed OET Medicine (the English test ECFMG requires)?"
ASK_PATHWAY = "Where are you with your ECFMG clinical-skills Pathway?"
ASK_ECFMG_REGISTERED = "Do you have an ECFMG/USMLE ID (MyIntealth account)?"
ASK_USCE_MONTHS = "How many months of US clinical experience do you have?"
ASK_US_LORS = "How many letters of recommendation from US doctors do you have?"
ASK_TARGET_MATCH_YEAR = (
    "Which Match do you aim for? (The 2028 Match means applying in 2027 and starting "
    "residency in July 2028.)"
)
ASK_NEEDS_VISA = "Will you need a US visa for residency?"
ASK_ERAS_SUBMITTED = "Have you submitted your ERAS application?"
ASK_NRMP_REGISTERED = "Have you registered for the NRMP Match?"
ASK_ROL_CERTIFIED = "Have you certified your rank order list?"
ASK_MATCH_RESULT = "Did you match?"
ASK_STEP3 = "Where are you with USMLE Step 3?"
ASK_ECFMG_CERTIFIED = "Are you ECFMG certified?"
OPTION_YES = "Yes"
OPTION_NO = "No"
OPTION_STUDENT = "Student"
OPTION_GRADUATE = "Graduate"
OPTION_SCHOOL_YEAR = "Year {year}"
OPTION_NOT_STARTED = "Not started"
OPTION_PREPARING = "Preparing"
OPTION_BOOKED = "Exam booked"
OPTION_PASSED = "Passed"
OPTION_FAILED = "Failed"
OPTION_NOT_YET = "Not yet"
OPTION_NONE = "None"
OPTION_WAITING = "Waiting"
OPTION_MATCHED = "Matched"
OPTION_UNMATCHED = "Did not match"
OPTION_APPLIED = "Applied, waiting"
OPTION_ACCEPTED = "Accepted"

# -- /profile: each answer's name and how its value reads (profile/fields.py) --
LABEL_STAGE = "Stage"
LABEL_SCHOOL_YEAR = "Year of medical school"
LABEL_GRADUATION_YEAR = "Graduation year"
LABEL_STEP1 = "USMLE Step 1"
LABEL_STEP2CK = "USMLE Step 2 CK"
LABEL_STEP3 = "USMLE Step 3"
LABEL_ENGLISH = "English test (OET Medicine)"
LABEL_PATHWAY = "Clinical-skills Pathway"
LABEL_ECFMG_REGISTERED = "ECFMG registration (USMLE ID)"
LABEL_ECFMG_CERTIFIED = "ECFMG certified"
LABEL_USCE_MONTHS = "US clinical experience (months)"
LABEL_US_LORS = "US letters of recommendation"
LABEL_TARGET_MATCH_YEAR = "Target Match year"
LABEL_NEEDS_VISA = "Needs a US visa"
LABEL_ERAS_SUBMITTED = "ERAS application submitted"
LABEL_NRMP_REGISTERED = "Registered for the NRMP Match"
LABEL_ROL_CERTIFIED = "Rank order list certified"
LABEL_MATCH_RESULT = "Match result"
VALUE_NOT_STARTED = "not started"
VALUE_PREPARING = "preparing"
VALUE_SCHEDULED = "exam booked"
VALUE_PASSED = "passed"
VALUE_FAILED = "failed"
VALUE_PENDING = "waiting for results"
VALUE_MATCHED = "matched"
VALUE_UNMATCHED = "did not match"
VALUE_APPLIED = "applied, waiting for ECFMG"
VALUE_ACCEPTED = "accepted"
VALUE_YES = "yes"
VALUE_NO = "no"

# -- the welcome's buttons (service.py) and the reminder settings' (reminders/room.py) --
WELCOME_NEXT_BUTTON = "🧭 What should I do next?"
WELCOME_TOPICS_BUTTON = "📚 Browse topics"
REMINDERS_OFF_BUTTON = "🔕 Turn off"
REMINDERS_ON_BUTTON = "🔔 Turn on"
CALENDAR_NAME = "IMG Pathway deadlines"

# -- reminder settings and reminder messages (reminders/settings.py, reminders/calendar.py) --
REMIND_USAGE = (
    "Change them by typing:\n"
    "• /remind on or /remind off\n"
    "• /remind leads 30 7 1 (days before each deadline)\n"
    "• /remind tz Europe/Rome (your time zone)\n"
    "• /remind quiet 22-07 (no messages between these hours), or /remind quiet off"
)
REMIND_SETTINGS = (
    "Reminders are {state}.\n• Before each deadline: {leads}\n"
    "• Time zone: {tz}\n• Quiet hours: {quiet}"
)
REMIND_ON = "on"
REMIND_OFF = "off"
REMIND_DAYS = "{days} days"
REMIND_ONE_DAY = "1 day"
REMIND_NO_QUIET = "none"
REMINDER = "Reminder: {title}\nWhen: {when}\n{left}"
REMINDER_SOURCE = "Official page: {source}"
ESTIMATED_DATE = "(estimated date — confirm on the official page)"
TODAY_LEFT = "That is today."
ONE_DAY_LEFT = "1 day left."
DAYS_LEFT = "{days} days left."
WHEN_ALL_DAY = "{day} (all day, US date)"
WHEN_EASTERN = "{day}, {time} US Eastern"
WHEN_LOCAL = " = {day}, {time} your time ({tz})"

# -- the plan's advice: each action's title and its reason (plan/rules.py) --
# A title is named by what it says; its reason is the same name with _WHY. The dates filled in
# ({eras_submit}, {rol_deadline}, ...) are the calendar's, as "1 Sep 2027 (estimated)".
PLAN_STEP1 = "Step 1"
PLAN_STEP2CK = "Step 2 CK"
PLAN_STEP3 = "Step 3"
PLAN_OET = "OET"
PLAN_ECFMG_REGISTRATION = "ECFMG registration"
PLAN_AND = " and "
PLAN_FIND_PROGRAMS_FOR_YOUR_YEAR = "Find programs that accept your year of graduation"
PLAN_FIND_PROGRAMS_FOR_YOUR_YEAR_WHY = (
    "You graduated in {year}. Many programs only take graduates of the last 3-5 years; "
    "check each program's policy before you pay to apply."
)
PLAN_CHECK_FEASIBILITY = "Check the US path is feasible for you"
PLAN_CHECK_FEASIBILITY_WHY = (
    "It takes years and costs thousands of dollars: talk to people who did it and check time, "
    "money, family and visa before you pay for anything."
)
PLAN_REGISTER_WITH_ECFMG = "Register with ECFMG and get your USMLE ID"
PLAN_REGISTER_WITH_ECFMG_WHY = (
    "You need it before you can apply for Step 1 or Step 2 CK. First check that your school is "
    "listed in WDOMS with an ECFMG Sponsor Note. Students can register while enrolled."
)
PLAN_RETAKE_WITHIN_LIMITS = "Plan your retake within the attempt limits"
PLAN_RETAKE_WITHIN_LIMITS_WHY = (
    "You have at most {attempts} attempts per Step, and programs see every attempt. Retake only "
    "when your practice scores are safely above the pass mark."
)
# One USMLE Step ({step} is PLAN_STEP1 or PLAN_STEP2CK), titled by where the person is with it.
PLAN_RETAKE_USMLE = "Retake USMLE {step}"
PLAN_SIT_USMLE = "Sit USMLE {step} (you have a date)"
PLAN_FINISH_AND_BOOK_USMLE = "Finish preparing and book USMLE {step}"
PLAN_PREPARE_FOR_USMLE = "Prepare for USMLE {step}"
# {score} is one of the two sentences after it; {other} the other Step.
PLAN_USMLE_WHY = (
    "{score} You can take it before or after {other}. Pass it before you submit ERAS: "
    "submission opens {eras_submit}. ECFMG must confirm it by the rank-list deadline, "
    "{rol_deadline}."
)
PLAN_STEP1_IS_PASS_FAIL = "Step 1 is pass/fail."
PLAN_STEP2CK_SCORE_WEIGHS = "Its three-digit score weighs most with programs."
PLAN_PASS_OET = "Pass OET Medicine"
PLAN_PASS_OET_WHY = (
    "ECFMG requires it of everyone, native speakers too: 350 in Listening, Reading and Speaking "
    "and 300 in Writing in one sitting. Each cycle only accepts recent results, so time it for "
    "your target year."
)
PLAN_CHOOSE_PATHWAY = "Choose your clinical-skills Pathway (you apply once eligible)"
PLAN_APPLY_FOR_PATHWAY = "Apply for an ECFMG clinical-skills Pathway"
PLAN_PATHWAY_WHY = (
    "Step 2 CS is gone; a Pathway plus OET now shows your clinical and communication skills. "
    "{year} Pathways application deadline: {pathways_deadline}."
)
PLAN_CONFIRM_REQUIREMENTS = "Have ECFMG confirm your requirements"
PLAN_CONFIRM_REQUIREMENTS_WHY = (
    "Step 1, Step 2 CK, OET and a Pathway must be confirmed by the rank-list deadline, "
    "{rol_deadline}, or NRMP withdraws you from the Match. Check your status in MyIntealth."
)
PLAN_REGISTER_FOR_NRMP = "Register for the NRMP Match"
PLAN_REGISTER_FOR_NRMP_WHY = (
    "Registration opens {opens}. Register by {late_fee} to avoid the late fee; after that you "
    "can still register until the rank-list deadline."
)
PLAN_PREPARE_FOR_INTERVIEWS = "Prepare for interviews"
PLAN_PREPARE_FOR_INTERVIEWS_WHY = (
    "Interviews run from about October to January, mostly online; answer invitations fast."
)
PLAN_GET_USCE = "Get US clinical experience"
PLAN_GET_USCE_WHY = (
    "Common advice, not a rule: aim for 2-3 months of hands-on US experience before you apply; "
    "it is also where your US letters come from."
)
PLAN_COLLECT_US_LETTERS = "Collect US letters of recommendation"
PLAN_COLLECT_US_LETTERS_WHY = (
    "Common advice: 2-3 letters from US physicians who supervised you. From the 2027 ERAS "
    "season writers upload them through the AAMC Letter Writer Portal; you request them in "
    "MyERAS."
)
PLAN_APPLY_TO_VISA_SPONSORS = "Apply only to programs that sponsor your visa"
PLAN_APPLY_TO_VISA_SPONSORS_WHY = (
    "A program's visa policy (J-1, H-1B or none) is the first filter for your list."
)
PLAN_SUBMIT_ERAS = "Prepare and submit your ERAS application"
PLAN_SUBMIT_ERAS_WHY = (
    "ERAS opens {opens}; you can submit from {submit} and programs start reviewing {review}. "
    "Submit early. OB/GYN and emergency medicine use ResidencyCAS instead."
)
PLAN_STEP3_FOR_H1B = "Pass Step 3 before the rank-list deadline if you want an H-1B"
PLAN_STEP3_FOR_H1B_WHY = (
    "An H-1B for residency needs Steps 1, 2 CK and 3; Step 3 is taken in the US after your "
    "ECFMG certificate is issued. A J-1 does not need it."
)
PLAN_CERTIFY_RANK_LIST = "Certify your rank order list"
PLAN_CERTIFY_RANK_LIST_WHY = (
    "Ranking opens {opens}. Rank every program you would really attend, in your true order; "
    "an uncertified list does not enter the Match."
)
PLAN_MATCH_WEEK = "Match Week: learn whether you matched"
PLAN_MATCH_WEEK_WHY = (
    "On Monday you learn whether you matched; if not, SOAP runs Monday to Thursday. "
    "Match Day: {match_day}."
)
PLAN_HOLD_CERTIFICATE = "Hold your ECFMG certificate before residency starts"
PLAN_HOLD_CERTIFICATE_WHY = (
    "The full certificate (including your verified diploma) is needed by the start of training "
    "on {program_start}."
)
PLAN_CERTIFICATE_BEFORE_VISA = (
    "Your visa waits on it: ECFMG sponsors a J-1, and a program files an H-1B, only once you "
    "are certified."
)
PLAN_GET_VISA = "Get your visa: usually a J-1 sponsored by ECFMG"
PLAN_GET_VISA_WHY = (
    "The J-1 needs a Statement of Need from your health ministry and carries a two-year "
    "home-residence rule; an H-1B needs Step 3 and a sponsoring program."
)
PLAN_STEP3_IN_RESIDENCY = "Take Step 3 during residency"
PLAN_STEP3_IN_RESIDENCY_WHY = (
    "Most residents take it in their first or second year; you need it for a full licence "
    "(and for an H-1B)."
)
PLAN_STEP3_FOR_H1B_SOON = "If your program sponsors an H-1B, pass Step 3 as soon as you can"
PLAN_STEP3_FOR_H1B_SOON_WHY = (
    "The H-1B petition needs Step 3; with a J-1 you can take it during residency."
)
PLAN_GET_READY_FOR_RESIDENCY = "Get ready to start residency"
PLAN_GET_READY_FOR_RESIDENCY_WHY = (
    "Programs start on {program_start}: finish your paperwork, licence or permit, and travel early."
)
PLAN_TAKE_PART_IN_SOAP = "Take part in SOAP this Match Week"
PLAN_TAKE_PART_IN_SOAP_WHY = (
    "SOAP runs Monday to Thursday of Match Week: apply through ERAS to unfilled programs only "
    "and do not contact programs first. You must be eligible to start on 1 July."
)
PLAN_NEXT_MATCH = "Plan the {year} Match"
PLAN_NEXT_MATCH_WHY = (
    "Find out what held your application back (scores, US experience, letters, program list) "
    "and strengthen it before the next ERAS season."
)

# -- the plan's warnings (plan/rules.py, plan/planner.py) --
PLAN_GRADUATED_LONG_AGO = (
    "You graduated {years} years ago: many programs have a year-of-graduation cutoff "
    "(often 3-5 years). Recent US clinical experience helps."
)
# {steps}: "Step 1, Step 2 CK".
PLAN_FAILED_STEPS = (
    "You failed {steps}: each Step allows at most {attempts} attempts in total (at most 3 in "
    "12 months), a fail stays on your transcript, and four fails at any Step bar you from all "
    "Steps."
)
# {steps}: "Step 1" (ONE_STEP) or "Step 1 and Step 2 CK" (STEPS).
PLAN_ERAS_OPENED_ONE_STEP_MISSING = (
    "The {year} Match is probably out of reach: ERAS submission opened on {eras_submit} and "
    "{steps} is not passed yet."
)
PLAN_ERAS_OPENED_STEPS_MISSING = (
    "The {year} Match is probably out of reach: ERAS submission opened on {eras_submit} and "
    "{steps} are not passed yet."
)
PLAN_RANK_LIST_DEADLINE_MISSED = (
    "The rank-list deadline, {rol_deadline}, has passed without your ECFMG requirements met, "
    "so the {year} Match is out of reach."
)
PLAN_MATCH_DAY_PASSED = (
    "Match Day of the {year} Match, {match_day}, has passed: tell me your result with "
    "/profile set match_result matched (or unmatched)."
)
PLAN_ERAS_SUBMISSION_OPENED = (
    "ERAS submission for the {year} Match opened on {eras_submit} and programs are already "
    "reviewing. Submit now, or aim for the {next_year} Match."
)
PLAN_PATHWAYS_DEADLINE_PASSED = (
    "The {year} Pathways deadline, {pathways_deadline}, has passed and OET is not passed: "
    "unless your Pathway application is already in, ask ECFMG whether the {year} Match is "
    "still possible."
)
# {graduation}: the year the person gave, or PLAN_ABOUT_YEAR when guessed from their school year.
PLAN_GRADUATES_TOO_LATE = (
    "You expect to graduate in {graduation}, but residency from the {year} Match starts on "
    "1 July {year}: you must have graduated by then."
)
PLAN_ABOUT_YEAR = "about {year}"
PLAN_MATCH_OVER = "The {year} Match is over."
# {names}: "Step 2 CK and OET"; {takes}: PLAN_MONTHS, PLAN_WEEKS, PLAN_DAYS or PLAN_ONE_DAY.
PLAN_TOO_LATE = (
    "The {year} Match is out of reach: ECFMG must confirm {names} by the rank-list deadline, "
    "{rol_deadline}, and that takes about {takes} from now. To make it you would have had to "
    "start by {start_by}."
)
# {reason}: why the target Match cannot be reached (one of the sentences above).
PLAN_REASON_AIM_FOR_NEXT = "{reason} Aim for the {year} Match."
PLAN_REASON_KEPT_TARGET = (
    "{reason} You kept it as your target: this plan shows what it would still take."
)
PLAN_REASON_PLAN_IS_FOR = "{reason} This plan is for the {year} Match."

# -- the timing sentence that leads each action's reason (plan/planner.py) --
# {verb} is the step's `verb` from knowledge/path.yaml ("Pass it by"), or PLAN_DEFAULT_VERB.
PLAN_DEFAULT_VERB = "do it by"
PLAN_START_NOW_OTHERS_WAIT = "Start now: the next steps wait on it."
PLAN_START_BY_OTHERS_WAIT = "Start by about {start}: the next steps wait on it."
PLAN_OVERDUE = "{verb} {when}: that was {ago} ago, so do it now."  # {ago}: PLAN_DAYS / PLAN_ONE_DAY
PLAN_DUE = "{verb} {when}: {left}."
PLAN_LAST_DAY = "today is the last day"
PLAN_ONE_DAY_LEFT = "1 day left"
PLAN_DAYS_LEFT = "{days} days left"
PLAN_TAKES_START_NOW = "It takes about {takes}, so start now."
PLAN_TAKES_START_BY = "It takes about {takes}, so start by {start}."
PLAN_MONTHS = "{months} months"
PLAN_WEEKS = "{weeks} weeks"
PLAN_DAYS = "{days} days"
PLAN_ONE_DAY = "1 day"

# -- dates in the plan's reasons (plan/cycle.py) --
PLAN_DATE_NOT_PUBLISHED = "(date not published yet)"
PLAN_ESTIMATED = "{date} (estimated)"
PLAN_DATE_AT = "{date}, {time}"
PLAN_TIME_AM = "{hour}{minutes} a.m. US Eastern"
PLAN_TIME_PM = "{hour}{minutes} p.m. US Eastern"

# -- /help and the command menus (commands.py, the one command table) --
UNKNOWN_COMMAND = "I don't know that command. Type /help to see what I can do."
HELP_INTRO = "How to use me:\n\n• Type a question, for example: how many attempts for step 1?"
HELP_LINE = "• /{name}: {text}"
GROUP_HELP_INTRO = (
    "In a group I answer only when you call me: a command such as /ask is step 1 pass fail, "
    "a mention of my name, or a reply to one of my messages."
)
GROUP_HELP_PERSONAL = (
    "Your own plan, profile, progress and data ({commands}) stay private: talk to me in a "
    "private chat for those."
)

# -- the command table's wording (commands.py) --
# CMD_NAME is /NAME's menu line (Telegram allows 1-256 characters); _HELP its /help and README
# line (the menu line when absent), _GROUP the /help line in a group, _CHAT_ADMIN the menu line a
# group's admins see, _EMPTY the answer when it is typed with nothing after it.
CMD_START = "Welcome and what I store"
CMD_START_HELP = "welcome and what I store; /start join-CODE joins a cohort"
CMD_HELP = "How to use the bot"
CMD_HELP_HELP = "how to use me (in a group: what I do there)"
CMD_HELP_GROUP = "what I do in a group"
CMD_ASK = "Ask a question"
CMD_ASK_HELP = "ask a question (the way to ask in a group), e.g. /ask is step 1 pass fail"
CMD_ASK_EMPTY = "Type your question after /ask, for example: /ask is step 1 pass fail"
CMD_NEXT = "What should I do next? Your plan"
CMD_NEXT_HELP = (
    "your personal plan, ordered and dated, and the road picture (I ask a few questions first)"
)
CMD_PROFILE = "Your answers (change with /profile set)"
CMD_PROFILE_HELP = (
    "your answers; /profile set FIELD VALUE changes one (e.g. /profile set step1 passed)"
)
CMD_PROGRESS = "The whole path as a checklist"
CMD_PROGRESS_HELP = "the road as a picture (where you are, dated next steps) and a checklist"
CMD_TOPICS = "Browse all topics"
CMD_TOPICS_HELP = "browse all topics by stage"
CMD_DEADLINES = "Deadlines ahead of you"
CMD_DEADLINES_HELP = "deadlines ahead of you, days left in your time zone, status and source"
CMD_DEADLINES_GROUP = "deadlines ahead of this group"
CMD_CALENDAR = "Your deadlines as a calendar file"
CMD_CALENDAR_HELP = "your deadlines as an .ics file for Google or Apple Calendar"
CMD_CALENDAR_GROUP = "this group's deadlines as a calendar file"
CMD_REMIND = "Deadline reminders"
CMD_REMIND_HELP = (
    "deadline reminders: /remind on, /remind off, /remind leads 30 7 1, "
    "/remind tz Europe/Rome, /remind quiet 22-07"
)
CMD_REMIND_GROUP = "this group's deadline reminders (its admins change them)"
CMD_REMIND_CHAT_ADMIN = "This group's deadline reminders: change them"
CMD_COHORT = "Your study group"
CMD_COHORT_HELP = "your study group (cohort): see it, /cohort share on (or off), /cohort leave"
CMD_COHORT_GROUP = "this group's cohort"
CMD_COHORT_CHAT_ADMIN = "This group's cohort: /cohort create NAME YEAR"
CMD_EXPORT = "Get all your data"
CMD_EXPORT_HELP = "everything stored about you, as a JSON file"
CMD_FORGET = "Delete all your data"
CMD_FORGET_HELP = "delete everything stored about you (asks for confirmation)"
CMD_STATS = "Usage statistics"
CMD_STATS_HELP = "users, questions per day, answer rate, unanswered questions, outbox"
CMD_BROADCAST = "Message everyone"
CMD_BROADCAST_HELP = "/broadcast TEXT: a preview first, then a message to every active user"
CMD_RELOAD = "Reload the knowledge"
CMD_RELOAD_HELP = "read the knowledge files again; a broken file keeps the old knowledge serving"
