-- Vigil schema v3 (SQLite): verification. Same tables, columns and order as postgres/0003_verification.sql.
-- Numbered 3, not 2: schema v2 (the compact drv graph) is added on another branch; these tables are
-- independent of it, so the two apply in either order.

-- Every verification attempt of an FOD: what was expected, what was found, how and where.
-- verified_at: microseconds since the Unix epoch, UTC.
CREATE TABLE verifications (
    id          INTEGER NOT NULL PRIMARY KEY,
    drv_path    TEXT    NOT NULL,
    output_path TEXT    NOT NULL,
    recipe_hash TEXT    NOT NULL,
    hash_mode   TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    expected    TEXT    NOT NULL,
    actual      TEXT,
    method      TEXT    NOT NULL,
    url         TEXT,
    detail      TEXT,
    verified_at INTEGER NOT NULL
);
CREATE INDEX verifications_drv_path ON verifications (drv_path, verified_at);

-- The trust database: (recipe, hash, mode) pairs a fresh fetch or rebuild confirmed, with when,
-- how and from where. A pair here need not be fetched again until its liveness check is due.
CREATE TABLE trusted_pairs (
    recipe_hash      TEXT    NOT NULL,
    hash_sri         TEXT    NOT NULL,
    hash_mode        TEXT    NOT NULL,
    drv_path         TEXT    NOT NULL,
    method           TEXT    NOT NULL,
    url              TEXT,
    first_verified_at INTEGER NOT NULL,
    last_verified_at INTEGER NOT NULL,
    PRIMARY KEY (recipe_hash, hash_sri, hash_mode)
) WITHOUT ROWID;
