"""Reminders: deadlines per person, /remind settings, and the outbox that delivers them.

- calendar: which deadlines concern a person, days left in their zone, .ics files, reminder text;
- settings: parsing and describing /remind changes;
- outbox: the delivery policy (retry, dead letter, blocked chats) behind a `Sender` an adapter
  implements;
- room: the /deadlines, /calendar and /remind conversation and the planning sweep.
"""
