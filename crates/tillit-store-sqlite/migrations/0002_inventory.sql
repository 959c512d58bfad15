-- The inventory and information classification (SQLite). Dates are ISO 8601 text
-- (YYYY-MM-DD), which sorts and compares as dates.

CREATE TABLE classification_models (
    id          BLOB PRIMARY KEY NOT NULL,
    model_key   TEXT NOT NULL,
    version     INTEGER NOT NULL,
    -- The whole model as JSON; never changed once stored (classifications are frozen to it).
    content     TEXT NOT NULL,
    imported_at INTEGER NOT NULL,
    UNIQUE (model_key, version)
);

CREATE TABLE assets (
    id                BLOB PRIMARY KEY NOT NULL,
    unit_id           BLOB NOT NULL REFERENCES units (id),
    kind              TEXT NOT NULL,
    name              TEXT NOT NULL,
    -- Lower-cased name: uniqueness and ordering without regard to case.
    name_key          TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    lifecycle         TEXT NOT NULL,
    hosting           TEXT NOT NULL,
    nis2_covered      INTEGER NOT NULL DEFAULT 0,
    criticality       TEXT,
    supplier          TEXT,
    system_owner      TEXT,
    object_leader     TEXT,
    information_owner TEXT,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    UNIQUE (unit_id, kind, name_key)
);
CREATE INDEX assets_unit_name ON assets (unit_id, name_key, id);
CREATE INDEX assets_name ON assets (name_key, id);

CREATE TABLE asset_links (
    from_id BLOB NOT NULL REFERENCES assets (id),
    to_id   BLOB NOT NULL REFERENCES assets (id),
    kind    TEXT NOT NULL,
    PRIMARY KEY (from_id, to_id, kind)
);
CREATE INDEX asset_links_to ON asset_links (to_id);

CREATE TABLE classifications (
    id                BLOB PRIMARY KEY NOT NULL,
    asset_id          BLOB NOT NULL REFERENCES assets (id),
    unit_id           BLOB NOT NULL REFERENCES units (id),
    model_id          BLOB NOT NULL REFERENCES classification_models (id),
    status            TEXT NOT NULL,
    answers           TEXT NOT NULL,
    decisions         TEXT NOT NULL,
    participants      TEXT NOT NULL DEFAULT '',
    performed_on      TEXT,
    review_due        TEXT,
    separate_analysis INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
CREATE INDEX classifications_asset ON classifications (asset_id, status);
CREATE INDEX classifications_unit_due ON classifications (unit_id, status, review_due);
-- At most one completed classification per asset: completing a new one supersedes the old.
CREATE UNIQUE INDEX classifications_one_completed ON classifications (asset_id) WHERE status = 'completed';

CREATE TABLE action_items (
    classification_id BLOB NOT NULL REFERENCES classifications (id),
    requirement_id    TEXT NOT NULL,
    status            TEXT NOT NULL,
    owner             TEXT,
    due               TEXT,
    comment           TEXT NOT NULL DEFAULT '',
    updated_at        INTEGER NOT NULL,
    PRIMARY KEY (classification_id, requirement_id)
);
CREATE INDEX action_items_status ON action_items (status, due);
