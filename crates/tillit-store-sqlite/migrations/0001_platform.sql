-- Tillit platform schema (SQLite). Ids are UUID v7 as 16-byte blobs; times are UTC
-- microseconds since the Unix epoch, the same representation as on PostgreSQL's side so the
-- audit chain hashes identically on both.

CREATE TABLE units (
    id          BLOB PRIMARY KEY NOT NULL,
    parent_id   BLOB REFERENCES units (id),
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    merged_into BLOB REFERENCES units (id),
    created_at  INTEGER NOT NULL,
    closed_at   INTEGER
);
CREATE INDEX units_parent ON units (parent_id);

-- Every (ancestor, descendant) pair, the unit itself included at depth 0: a role on a unit
-- applies to its subtree through one join instead of a recursive walk per query.
CREATE TABLE unit_closure (
    ancestor   BLOB NOT NULL REFERENCES units (id),
    descendant BLOB NOT NULL REFERENCES units (id),
    depth      INTEGER NOT NULL,
    PRIMARY KEY (ancestor, descendant)
);
CREATE INDEX unit_closure_descendant ON unit_closure (descendant, ancestor);

CREATE TABLE unit_merges (
    source_id BLOB NOT NULL REFERENCES units (id),
    target_id BLOB NOT NULL REFERENCES units (id),
    merged_at INTEGER NOT NULL,
    PRIMARY KEY (source_id)
);

CREATE TABLE users (
    id            BLOB PRIMARY KEY NOT NULL,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    email         TEXT,
    locale        TEXT NOT NULL DEFAULT 'sv',
    is_active     INTEGER NOT NULL DEFAULT 1,
    password_hash TEXT,
    oidc_issuer   TEXT,
    oidc_subject  TEXT,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  INTEGER,
    created_at    INTEGER NOT NULL,
    UNIQUE (oidc_issuer, oidc_subject)
);

CREATE TABLE role_assignments (
    user_id    BLOB NOT NULL REFERENCES users (id),
    unit_id    BLOB NOT NULL REFERENCES units (id),
    role       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, unit_id, role)
);
CREATE INDEX role_assignments_unit ON role_assignments (unit_id);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY NOT NULL,
    user_id      BLOB NOT NULL REFERENCES users (id),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           BLOB PRIMARY KEY NOT NULL,
    user_id      BLOB NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY NOT NULL,
    at          INTEGER NOT NULL,
    actor_id    BLOB,
    actor_label TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    unit_id     BLOB,
    before      TEXT,
    after       TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_log_unit ON audit_log (unit_id, seq);
CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id, seq);

-- The newest record's hash, kept apart so that cutting rows off the end is detected.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);

-- Append-only: the application never updates or deletes audit records.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE jobs (
    id           BLOB PRIMARY KEY NOT NULL,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    unique_key   TEXT UNIQUE,
    run_at       INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    locked_by    TEXT,
    locked_until INTEGER,
    done_at      INTEGER,
    last_error   TEXT,
    created_at   INTEGER NOT NULL
);
CREATE INDEX jobs_due ON jobs (done_at, run_at);
