-- Reason: long polling confirms an update to Telegram only once it is journaled here, so one
-- slow chat (a hung send) no longer holds the polling offset, and with it every update after
-- the first 100, while a crash still loses nothing: unfinished updates are handled at the next
-- start. `body` is the update's JSON, erased (NULL) as soon as it was handled; erased rows are
-- kept only until the next batch, to recognise an update Telegram sends again because the bot
-- died before confirming it.
CREATE TABLE update_inbox (
    update_id  INTEGER PRIMARY KEY,
    body       TEXT
);
