-- Reason: earlier versions stored id 0 (the adapter's stand-in for an update without a person:
-- an admin posting anonymously as the group, a channel post) as if it were a person, so /stats
-- counted a user 0 and broadcasts tried to reach chat 0. Nothing stores it any more; this
-- removes what was stored, as a /forget by user 0 would. Rows of groups and channels (negative
-- ids) are untouched, and so are questions asked in a group, which belong to no person and
-- still show what the knowledge base is missing.
DELETE FROM users WHERE id = 0;
DELETE FROM chats WHERE chat_id = 0;
DELETE FROM profiles WHERE user_id = 0;
DELETE FROM dialogs WHERE user_id = 0;
DELETE FROM feedback WHERE user_id = 0;
DELETE FROM reminders WHERE chat_id = 0;
DELETE FROM outbox WHERE chat_id = 0;
DELETE FROM cohort_members WHERE user_id = 0;
DELETE FROM cohort_leads WHERE user_id = 0;
DELETE FROM questions WHERE chat_id = 0;
UPDATE cohorts SET created_by = NULL WHERE created_by = 0;
UPDATE broadcasts SET admin_id = NULL WHERE admin_id = 0;
