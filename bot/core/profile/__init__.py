"""The person: their profile (fields, parsing), the guided dialog that fills it, and the room
that serves /next, /profile, /progress and the privacy commands (/export, /forget)."""
