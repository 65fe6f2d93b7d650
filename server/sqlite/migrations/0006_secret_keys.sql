-- Secrets at rest: the server key ring lives in a file, never here; this
-- table keeps, for each key id, a check value (an HMAC of a fixed text
-- under that key, which reveals nothing of it), so a server started with
-- another key file refuses to start instead of failing on every 2FA login.
-- TOTP secrets become sealed values ("aes1:<key id>:…") and backup codes
-- keyed hashes ("hmac1:<key id>:…"); the TOTP secrets stored before are
-- sealed in place by the store when it opens with the key (it needs the
-- key, so it is Go, not SQL), and older backup codes stay as they are,
-- verified the old way until used or replaced. Once this version is
-- applied, older binaries refuse the database (its schema is newer), so
-- none writes a plain secret again.

-- +goose Up
CREATE TABLE secret_keys (
    id          TEXT PRIMARY KEY,
    check_value TEXT NOT NULL,
    added_at    TEXT NOT NULL
);
