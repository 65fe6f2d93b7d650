-- The current project a user chose where no config file of theirs keeps
-- it (the console and commands over SSH): on the server, so it survives
-- restarts and every instance reads the same. One row per user; it goes
-- with the user or the project.

-- +goose Up
CREATE TABLE current_projects (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE
);
