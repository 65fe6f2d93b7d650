-- Secrets at rest: the server key ring lives in a file, never here; this
-- table keeps, for each key id, a check value (an HMAC of a fixed text
-- under that key, which reveals nothing of it), so an instance started
-- with another key file refuses to start instead of failing on every 2FA
-- login. TOTP secrets become sealed values ("aes1:<key id>:…") and backup
-- codes keyed hashes ("hmac1:<key id>:…"); the TOTP secrets stored before
-- are sealed in place by the store when it opens with the key (it needs
-- the key, so it is Go, not SQL), and older backup codes stay as they are,
-- verified the old way until used or replaced. Once this version is
-- applied, older binaries refuse the database (its schema is newer), so
-- none writes a plain secret again.

-- +goose Up
CREATE TABLE secret_keys (
    id          TEXT COLLATE "C" PRIMARY KEY,
    check_value TEXT COLLATE "C" NOT NULL,
    added_at    TEXT COLLATE "C" NOT NULL
);
CREATE TRIGGER secret_keys_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON secret_keys
    FOR EACH STATEMENT EXECUTE FUNCTION bump_change_version();
