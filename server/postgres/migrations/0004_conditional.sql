-- Writes that must not race: a token made with an API token records it, so
-- that revoking a leaked token ends the tokens it made; backup codes carry
-- a generation, so that of two concurrent regenerations one wins and the
-- other is told, instead of both handing out codes of which only the last
-- set works.

-- +goose Up
ALTER TABLE tokens ADD COLUMN parent_id TEXT NOT NULL DEFAULT '';
CREATE INDEX tokens_parent ON tokens (parent_id) WHERE parent_id <> '';
ALTER TABLE users ADD COLUMN backup_gen BIGINT NOT NULL DEFAULT 0;
