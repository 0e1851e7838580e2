-- Reason: the first schema. SQLite holds the truth for users, profiles, dialogs, reminders and
-- the outbox, so nothing a user did is lost on a restart. Times are ISO-8601 UTC strings with
-- microseconds ("2025-01-01T09:00:00.000000+00:00"), so they compare correctly as text.

-- People we have talked to. `share` is the cohort opt-in for anonymous progress sharing.
CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL DEFAULT '',
    language    TEXT,
    first_seen  TEXT,
    last_seen   TEXT,
    share       INTEGER NOT NULL DEFAULT 0
);

-- Delivery state per chat (private chat id == user id; groups are negative). A chat without a
-- row is active: we only learn that a chat is gone from a 403 or a `kicked` update.
CREATE TABLE chats (
    chat_id  INTEGER PRIMARY KEY,
    active   INTEGER NOT NULL DEFAULT 1
);

-- Profile fields as JSON of Profile.to_dict(): new optional fields need no migration.
CREATE TABLE profiles (
    user_id  INTEGER PRIMARY KEY,
    data     TEXT    NOT NULL,
    updated  TEXT    NOT NULL
);

-- The /next guided dialog, kept here so a restart does not lose the user's place.
CREATE TABLE dialogs (
    user_id  INTEGER PRIMARY KEY,
    data     TEXT    NOT NULL
);

-- Every question, so we learn what the knowledge base is missing (`norm` groups variants).
CREATE TABLE questions (
    id        INTEGER PRIMARY KEY,
    user_id   INTEGER NOT NULL,
    chat_id   INTEGER NOT NULL,
    text      TEXT    NOT NULL,
    norm      TEXT    NOT NULL,
    topic     TEXT,
    score     REAL    NOT NULL,
    answered  INTEGER NOT NULL,
    asked_at  TEXT    NOT NULL
);
CREATE INDEX questions_user ON questions (user_id);
CREATE INDEX questions_chat ON questions (chat_id);
CREATE INDEX questions_asked ON questions (asked_at);
CREATE INDEX questions_unanswered ON questions (norm) WHERE answered = 0;

-- "Was this helpful?": one vote per user and topic, the latest wins.
CREATE TABLE feedback (
    user_id  INTEGER NOT NULL,
    topic    TEXT    NOT NULL,
    helpful  INTEGER NOT NULL,
    at       TEXT    NOT NULL,
    PRIMARY KEY (user_id, topic)
);

-- Reminder settings per chat; `leads` is "30,7,1" (days before a deadline).
CREATE TABLE reminders (
    chat_id      INTEGER PRIMARY KEY,
    enabled      INTEGER NOT NULL,
    leads        TEXT    NOT NULL,
    tz           TEXT    NOT NULL,
    quiet_start  INTEGER,
    quiet_end    INTEGER,
    send_hour    INTEGER NOT NULL
);

-- Durable outbox: messages are planned here first and delivered from here, so a crash between
-- planning and sending neither loses nor (thanks to the unique key) duplicates a reminder.
CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY,
    chat_id       INTEGER NOT NULL,
    key           TEXT    NOT NULL UNIQUE,
    text          TEXT    NOT NULL,
    meta          TEXT    NOT NULL DEFAULT '{}',
    attempts      INTEGER NOT NULL DEFAULT 0,
    created       TEXT    NOT NULL,
    next_attempt  TEXT    NOT NULL,
    sent_at       TEXT,
    dead          INTEGER NOT NULL DEFAULT 0,
    error         TEXT
);
CREATE INDEX outbox_chat ON outbox (chat_id);
CREATE INDEX outbox_pending ON outbox (next_attempt) WHERE sent_at IS NULL AND dead = 0;

-- Cohorts: a group chat of people applying in the same Match year.
CREATE TABLE cohorts (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    year        INTEGER NOT NULL,
    chat_id     INTEGER NOT NULL UNIQUE,
    code        TEXT    NOT NULL UNIQUE,
    channel_id  INTEGER,
    created_by  INTEGER,
    created     TEXT    NOT NULL
);

-- A person belongs to at most one cohort.
CREATE TABLE cohort_members (
    user_id    INTEGER PRIMARY KEY,
    cohort_id  INTEGER NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    joined     TEXT    NOT NULL
);
CREATE INDEX cohort_members_cohort ON cohort_members (cohort_id);

-- Cohort leads as rows (not a list in a column) so /forget can delete them like any other row.
CREATE TABLE cohort_leads (
    cohort_id  INTEGER NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    position   INTEGER NOT NULL,
    PRIMARY KEY (cohort_id, user_id)
);
CREATE INDEX cohort_leads_user ON cohort_leads (user_id);

-- Admin broadcasts: drafted, confirmed, then fanned out through the outbox.
CREATE TABLE broadcasts (
    id        INTEGER PRIMARY KEY,
    admin_id  INTEGER,
    text      TEXT    NOT NULL,
    status    TEXT    NOT NULL,
    created   TEXT    NOT NULL
);
