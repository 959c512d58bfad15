-- The inventory and information classification (PostgreSQL). Dates are ISO 8601 text
-- (YYYY-MM-DD), which sorts and compares as dates.

CREATE TABLE classification_models (
    id          UUID PRIMARY KEY,
    model_key   TEXT NOT NULL,
    version     BIGINT NOT NULL,
    -- The whole model as JSON; never changed once stored (classifications are frozen to it).
    content     TEXT NOT NULL,
    imported_at BIGINT NOT NULL,
    UNIQUE (model_key, version)
);

CREATE TABLE assets (
    id                UUID PRIMARY KEY,
    unit_id           UUID NOT NULL REFERENCES units (id),
    kind              TEXT NOT NULL,
    name              TEXT NOT NULL,
    -- Lower-cased name: uniqueness and ordering without regard to case.
    name_key          TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    lifecycle         TEXT NOT NULL,
    hosting           TEXT NOT NULL,
    nis2_covered      BOOLEAN NOT NULL DEFAULT FALSE,
    criticality       TEXT,
    supplier          TEXT,
    system_owner      TEXT,
    object_leader     TEXT,
    information_owner TEXT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    UNIQUE (unit_id, kind, name_key)
);
CREATE INDEX assets_unit_name ON assets (unit_id, name_key, id);
CREATE INDEX assets_name ON assets (name_key, id);

CREATE TABLE asset_links (
    from_id UUID NOT NULL REFERENCES assets (id),
    to_id   UUID NOT NULL REFERENCES assets (id),
    kind    TEXT NOT NULL,
    PRIMARY KEY (from_id, to_id, kind)
);
CREATE INDEX asset_links_to ON asset_links (to_id);

CREATE TABLE classifications (
    id                UUID PRIMARY KEY,
    asset_id          UUID NOT NULL REFERENCES assets (id),
    unit_id           UUID NOT NULL REFERENCES units (id),
    model_id          UUID NOT NULL REFERENCES classification_models (id),
    status            TEXT NOT NULL,
    answers           TEXT NOT NULL,
    decisions         TEXT NOT NULL,
    participants      TEXT NOT NULL DEFAULT '',
    performed_on      TEXT,
    review_due        TEXT,
    separate_analysis BOOLEAN NOT NULL DEFAULT FALSE,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX classifications_asset ON classifications (asset_id, status);
CREATE INDEX classifications_unit_due ON classifications (unit_id, status, review_due);
-- At most one completed classification per asset: completing a new one supersedes the old.
CREATE UNIQUE INDEX classifications_one_completed ON classifications (asset_id) WHERE status = 'completed';

CREATE TABLE action_items (
    classification_id UUID NOT NULL REFERENCES classifications (id),
    requirement_id    TEXT NOT NULL,
    status            TEXT NOT NULL,
    owner             TEXT,
    due               TEXT,
    comment           TEXT NOT NULL DEFAULT '',
    updated_at        BIGINT NOT NULL,
    PRIMARY KEY (classification_id, requirement_id)
);
CREATE INDEX action_items_status ON action_items (status, due);
