-- Activity: events say how the person signed in (auth: password,
-- password+totp, password+backup-code, ssh-key…, token), with which key,
-- and the client's User-Agent (escaped); tokens keep the client of their
-- last use, the addresses they were used from (a new one is an event), and
-- whether their expiry is on record (set once, by whichever instance's
-- sweep updates it first).

-- +goose Up
ALTER TABLE events ADD COLUMN auth TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN agent TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN ssh_key TEXT NOT NULL DEFAULT '';
CREATE INDEX events_user_type ON events (user_id, type, id);
ALTER TABLE tokens ADD COLUMN last_used_client TEXT NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN last_used_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN expiry_recorded TEXT COLLATE "C";
CREATE INDEX tokens_unrecorded_expiry ON tokens (expires_at) WHERE expiry_recorded IS NULL AND kind = 'api';
CREATE TABLE token_addrs (
    token_id TEXT NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
    addr     TEXT NOT NULL,
    first_at TEXT COLLATE "C",
    PRIMARY KEY (token_id, addr)
);
