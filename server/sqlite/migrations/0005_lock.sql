-- An operator can lock an account (a compromised one): no sign-in by any
-- factor, and its tokens stop working until it is unlocked.

-- +goose Up
ALTER TABLE users ADD COLUMN locked_at TEXT;
