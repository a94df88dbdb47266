-- Vigil schema v1 (PostgreSQL). Same tables, columns and order as sqlite/0001_initial.sql.
-- Lists (inputs, urls, attrs) are TextList-encoded: newline-joined, '\' escapes.
-- Text is COLLATE "C": byte order of UTF-8, as SQLite's BINARY, so both list in the same order.

-- Every derivation walked once: immutable, shared by all revisions.
CREATE TABLE drvs (
    path   text COLLATE "C" NOT NULL PRIMARY KEY,
    is_fod boolean          NOT NULL,
    inputs text COLLATE "C" NOT NULL
);

-- The FOD record of each fixed-output derivation: immutable, keyed by its .drv path.
CREATE TABLE fods (
    drv_path      text COLLATE "C" NOT NULL PRIMARY KEY,
    output_path   text COLLATE "C" NOT NULL,
    name          text COLLATE "C" NOT NULL,
    algorithm     text COLLATE "C" NOT NULL,
    hash_mode     text COLLATE "C" NOT NULL,
    hash_sri      text COLLATE "C" NOT NULL,
    original_hash text COLLATE "C" NOT NULL,
    fetcher       text COLLATE "C" NOT NULL,
    urls          text COLLATE "C" NOT NULL,
    rev           text COLLATE "C",
    recipe        text COLLATE "C" NOT NULL,
    recipe_hash   text COLLATE "C" NOT NULL
);
CREATE INDEX fods_output_path ON fods (output_path);
CREATE INDEX fods_hash_sri ON fods (hash_sri);
CREATE INDEX fods_recipe_hash ON fods (recipe_hash);

CREATE TABLE revisions (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name             text COLLATE "C" NOT NULL UNIQUE,
    target           text COLLATE "C" NOT NULL,
    scanned_at       timestamptz      NOT NULL,
    root_count       integer          NOT NULL,
    fod_count        integer          NOT NULL,
    eval_error_count integer          NOT NULL
);

CREATE TABLE revision_roots (
    revision_id bigint           NOT NULL REFERENCES revisions (id) ON DELETE CASCADE,
    attr        text COLLATE "C" NOT NULL,
    drv_path    text COLLATE "C" NOT NULL,
    PRIMARY KEY (revision_id, attr)
);

-- A revision may only name FODs whose records are stored.
CREATE TABLE revision_fods (
    revision_id bigint           NOT NULL REFERENCES revisions (id) ON DELETE CASCADE,
    drv_path    text COLLATE "C" NOT NULL REFERENCES fods (drv_path),
    attrs       text COLLATE "C" NOT NULL,
    attr_count  integer          NOT NULL,
    PRIMARY KEY (revision_id, drv_path)
);
CREATE INDEX revision_fods_drv_path ON revision_fods (drv_path);

CREATE TABLE eval_errors (
    revision_id bigint           NOT NULL REFERENCES revisions (id) ON DELETE CASCADE,
    attr        text COLLATE "C" NOT NULL,
    message     text COLLATE "C" NOT NULL
);
CREATE INDEX eval_errors_revision_id ON eval_errors (revision_id);
