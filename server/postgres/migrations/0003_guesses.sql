-- Throttling of guesses as leaky buckets (GCRA): each bucket keeps the time
-- at which it is empty again; a guess is charged before it is checked, in
-- one transaction with the check, so concurrent guesses are judged as
-- sequential ones. Addresses that signed in to an account keep a budget of
-- their own. The old counters never decayed.

-- +goose Up
DROP TABLE login_failures;
CREATE TABLE guess_buckets (
    key      TEXT COLLATE "C" PRIMARY KEY,
    empty_at TEXT COLLATE "C" NOT NULL
);
CREATE TABLE known_addresses (
    key          TEXT COLLATE "C" PRIMARY KEY,
    last_success TEXT COLLATE "C" NOT NULL
);
CREATE TRIGGER guess_buckets_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON guess_buckets
    FOR EACH STATEMENT EXECUTE FUNCTION bump_change_version();
CREATE TRIGGER known_addresses_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON known_addresses
    FOR EACH STATEMENT EXECUTE FUNCTION bump_change_version();
