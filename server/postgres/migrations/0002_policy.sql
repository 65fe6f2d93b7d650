-- The authorization policy reads org policy live and follows SSH keys:
-- when an org's require2FA was switched on and its grace period; the SSH
-- key a session was opened with (removing the key ends those sessions);
-- how each SSH key was added and when it was last used.

-- +goose Up
ALTER TABLE orgs ADD COLUMN require_2fa_since TEXT COLLATE "C";
ALTER TABLE orgs ADD COLUMN two_factor_grace_ns BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tokens ADD COLUMN ssh_key TEXT NOT NULL DEFAULT '';
CREATE INDEX tokens_ssh_key ON tokens (ssh_key) WHERE ssh_key <> '';
ALTER TABLE ssh_keys ADD COLUMN added_with TEXT NOT NULL DEFAULT '';
ALTER TABLE ssh_keys ADD COLUMN last_used_at TEXT COLLATE "C";
