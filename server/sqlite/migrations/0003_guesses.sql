-- Throttling of guesses as leaky buckets (GCRA): each bucket keeps the time
-- at which it is empty again; a guess is charged before it is checked, in
-- one transaction with the check, so concurrent guesses are judged as
-- sequential ones. Addresses that signed in to an account keep a budget of
-- their own. The old counters never decayed.

-- +goose Up
DROP TABLE login_failures;
CREATE TABLE guess_buckets (
    key      TEXT PRIMARY KEY,
    empty_at TEXT NOT NULL
);
CREATE TABLE known_addresses (
    key          TEXT PRIMARY KEY,
    last_success TEXT NOT NULL
);
