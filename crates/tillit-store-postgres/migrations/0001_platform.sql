-- Tillit platform schema (PostgreSQL). Times are UTC microseconds since the Unix epoch, the
-- same representation as on SQLite's side so the audit chain hashes identically on both.

CREATE TABLE units (
    id          UUID PRIMARY KEY,
    parent_id   UUID REFERENCES units (id),
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    merged_into UUID REFERENCES units (id),
    created_at  BIGINT NOT NULL,
    closed_at   BIGINT
);
CREATE INDEX units_parent ON units (parent_id);

-- Every (ancestor, descendant) pair, the unit itself included at depth 0: a role on a unit
-- applies to its subtree through one join instead of a recursive walk per query.
CREATE TABLE unit_closure (
    ancestor   UUID NOT NULL REFERENCES units (id),
    descendant UUID NOT NULL REFERENCES units (id),
    depth      BIGINT NOT NULL,
    PRIMARY KEY (ancestor, descendant)
);
CREATE INDEX unit_closure_descendant ON unit_closure (descendant, ancestor);

CREATE TABLE unit_merges (
    source_id UUID PRIMARY KEY REFERENCES units (id),
    target_id UUID NOT NULL REFERENCES units (id),
    merged_at BIGINT NOT NULL
);

CREATE TABLE users (
    id            UUID PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    email         TEXT,
    locale        TEXT NOT NULL DEFAULT 'sv',
    is_active     BOOLEAN NOT NULL DEFAULT TRUE,
    password_hash TEXT,
    oidc_issuer   TEXT,
    oidc_subject  TEXT,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until  BIGINT,
    created_at    BIGINT NOT NULL,
    UNIQUE (oidc_issuer, oidc_subject)
);

CREATE TABLE role_assignments (
    user_id    UUID NOT NULL REFERENCES users (id),
    unit_id    UUID NOT NULL REFERENCES units (id),
    role       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, unit_id, role)
);
CREATE INDEX role_assignments_unit ON role_assignments (unit_id);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      UUID NOT NULL REFERENCES users (id),
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           UUID PRIMARY KEY,
    user_id      UUID NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE audit_log (
    seq         BIGINT PRIMARY KEY,
    at          BIGINT NOT NULL,
    actor_id    UUID,
    actor_label TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    unit_id     UUID,
    before      TEXT,
    after       TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_log_unit ON audit_log (unit_id, seq);
CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id, seq);

-- The newest record's hash, kept apart so that cutting rows off the end is detected.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);

-- Append-only: the application never updates or deletes audit records.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

CREATE TABLE jobs (
    id           UUID PRIMARY KEY,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    unique_key   TEXT UNIQUE,
    run_at       BIGINT NOT NULL,
    attempts     BIGINT NOT NULL DEFAULT 0,
    locked_by    TEXT,
    locked_until BIGINT,
    done_at      BIGINT,
    last_error   TEXT,
    created_at   BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs (run_at) WHERE done_at IS NULL;
