-- Initial schema. Times are TEXT, UTC, fixed-width RFC 3339 with nanoseconds
-- (2006-01-02T15:04:05.000000000Z), so they sort as text; NULL is the zero
-- time. Durations are BIGINT nanoseconds, booleans INTEGER 0/1.

-- +goose Up

CREATE TABLE orgs (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    name           TEXT    NOT NULL UNIQUE,
    auto_logout_ns BIGINT  NOT NULL DEFAULT 0,
    require_2fa    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    username            TEXT    NOT NULL UNIQUE,
    full_name           TEXT    NOT NULL DEFAULT '',
    email               TEXT    NOT NULL DEFAULT '',
    password_hash       TEXT    NOT NULL DEFAULT '',
    org_id              INTEGER REFERENCES orgs (id),
    two_factor          TEXT    NOT NULL DEFAULT 'off',
    totp_secret         TEXT,
    pending_totp_secret TEXT,
    last_totp_step      BIGINT  NOT NULL DEFAULT 0,
    created_at          TEXT
);
CREATE INDEX users_org ON users (org_id);

CREATE TABLE projects (
    id         TEXT    PRIMARY KEY,
    name       TEXT    NOT NULL,
    public     INTEGER NOT NULL DEFAULT 0,
    phi        INTEGER NOT NULL DEFAULT 0,
    created_at TEXT
);
CREATE INDEX projects_name ON projects (name, id);

CREATE TABLE project_members (
    project_id TEXT    NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    level      INTEGER NOT NULL,
    PRIMARY KEY (project_id, user_id)
);
CREATE INDEX project_members_user ON project_members (user_id);

CREATE TABLE tokens (
    id              TEXT    PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name            TEXT    NOT NULL DEFAULT '',
    kind            TEXT    NOT NULL,
    secret_hash     TEXT    NOT NULL UNIQUE,
    scope           TEXT,
    created_at      TEXT,
    expires_at      TEXT,
    idle_timeout_ns BIGINT  NOT NULL DEFAULT 0,
    last_used_at    TEXT,
    last_used_addr  TEXT    NOT NULL DEFAULT '',
    revoked_at      TEXT,
    revoke_reason   TEXT    NOT NULL DEFAULT '',
    auth_method     TEXT    NOT NULL DEFAULT '',
    enroll_only     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tokens_user ON tokens (user_id, created_at);

-- No foreign key on user_id: the audit log keeps every record.
CREATE TABLE events (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    time     TEXT,
    user_id  INTEGER,
    username TEXT NOT NULL DEFAULT '',
    type     TEXT NOT NULL,
    addr     TEXT NOT NULL DEFAULT '',
    method   TEXT NOT NULL DEFAULT '',
    detail   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_user ON events (user_id, id);

CREATE TABLE login_failures (
    key          TEXT    PRIMARY KEY,
    count        INTEGER NOT NULL,
    locked_until TEXT
);

CREATE TABLE backup_codes (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash    TEXT    NOT NULL,
    used_at TEXT,
    PRIMARY KEY (user_id, hash)
);

CREATE TABLE ssh_keys (
    fingerprint TEXT    PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    public_key  TEXT    NOT NULL,
    comment     TEXT    NOT NULL DEFAULT '',
    created_at  TEXT
);
CREATE INDEX ssh_keys_user ON ssh_keys (user_id);
