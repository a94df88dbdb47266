-- Vigil schema v1 (SQLite). Same tables, columns and order as postgres/0001_initial.sql.
-- Lists (inputs, urls, attrs) are TextList-encoded: newline-joined, '\' escapes.

-- Every derivation walked once: immutable, shared by all revisions.
CREATE TABLE drvs (
    path   TEXT    NOT NULL PRIMARY KEY,
    is_fod INTEGER NOT NULL,
    inputs TEXT    NOT NULL
) WITHOUT ROWID;

-- The FOD record of each fixed-output derivation: immutable, keyed by its .drv path.
CREATE TABLE fods (
    drv_path      TEXT NOT NULL PRIMARY KEY,
    output_path   TEXT NOT NULL,
    name          TEXT NOT NULL,
    algorithm     TEXT NOT NULL,
    hash_mode     TEXT NOT NULL,
    hash_sri      TEXT NOT NULL,
    original_hash TEXT NOT NULL,
    fetcher       TEXT NOT NULL,
    urls          TEXT NOT NULL,
    rev           TEXT,
    recipe        TEXT NOT NULL,
    recipe_hash   TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX fods_output_path ON fods (output_path);
CREATE INDEX fods_hash_sri ON fods (hash_sri);
CREATE INDEX fods_recipe_hash ON fods (recipe_hash);

-- scanned_at: microseconds since the Unix epoch, UTC.
CREATE TABLE revisions (
    id               INTEGER NOT NULL PRIMARY KEY,
    name             TEXT    NOT NULL UNIQUE,
    target           TEXT    NOT NULL,
    scanned_at       INTEGER NOT NULL,
    root_count       INTEGER NOT NULL,
    fod_count        INTEGER NOT NULL,
    eval_error_count INTEGER NOT NULL
);

CREATE TABLE revision_roots (
    revision_id INTEGER NOT NULL REFERENCES revisions (id) ON DELETE CASCADE,
    attr        TEXT    NOT NULL,
    drv_path    TEXT    NOT NULL,
    PRIMARY KEY (revision_id, attr)
) WITHOUT ROWID;

-- A revision may only name FODs whose records are stored.
CREATE TABLE revision_fods (
    revision_id INTEGER NOT NULL REFERENCES revisions (id) ON DELETE CASCADE,
    drv_path    TEXT    NOT NULL REFERENCES fods (drv_path),
    attrs       TEXT    NOT NULL,
    attr_count  INTEGER NOT NULL,
    PRIMARY KEY (revision_id, drv_path)
) WITHOUT ROWID;
CREATE INDEX revision_fods_drv_path ON revision_fods (drv_path);

CREATE TABLE eval_errors (
    revision_id INTEGER NOT NULL REFERENCES revisions (id) ON DELETE CASCADE,
    attr        TEXT    NOT NULL,
    message     TEXT    NOT NULL
);
CREATE INDEX eval_errors_revision_id ON eval_errors (revision_id);
