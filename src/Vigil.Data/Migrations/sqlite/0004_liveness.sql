-- Vigil schema v4 (SQLite): liveness. Same table, columns and order as postgres/0004_liveness.sql.

-- The state of each FOD identity (recipe, hash, mode) as of its latest verification, so "what is
-- broken now" and "what is due for a re-check" are a table read, not an aggregate over the history.
-- Skipped verifications say nothing of the source and leave it alone.
-- broken_since: the first failure after the last ok (null while the latest is ok); times in
-- microseconds since the Unix epoch, UTC.
CREATE TABLE fod_liveness (
    recipe_hash     TEXT    NOT NULL,
    hash_sri        TEXT    NOT NULL,
    hash_mode       TEXT    NOT NULL,
    drv_path        TEXT    NOT NULL,
    last_status     TEXT    NOT NULL,
    last_checked_at INTEGER NOT NULL,
    last_ok_at      INTEGER,
    broken_since    INTEGER,
    actual          TEXT,
    url             TEXT,
    detail          TEXT,
    PRIMARY KEY (recipe_hash, hash_sri, hash_mode)
) WITHOUT ROWID;
CREATE INDEX fod_liveness_broken ON fod_liveness (last_status, broken_since);

-- A database verified before v4 starts with the liveness its history implies: the latest row (by
-- time, then id) that was not skipped; the last ok; the first failure after it.
INSERT INTO fod_liveness
SELECT v.recipe_hash, v.expected, v.hash_mode, v.drv_path, v.status, v.verified_at, ok.at,
       CASE WHEN v.status = 'ok' THEN NULL ELSE
       (SELECT min(b.verified_at) FROM verifications b
         WHERE b.recipe_hash = v.recipe_hash AND b.expected = v.expected AND b.hash_mode = v.hash_mode
           AND b.status NOT IN ('ok', 'skipped') AND (ok.at IS NULL OR b.verified_at > ok.at)) END,
       v.actual, v.url, v.detail
FROM verifications v
LEFT JOIN (SELECT recipe_hash, expected, hash_mode, max(verified_at) AS at FROM verifications WHERE status = 'ok'
           GROUP BY recipe_hash, expected, hash_mode) ok
       ON ok.recipe_hash = v.recipe_hash AND ok.expected = v.expected AND ok.hash_mode = v.hash_mode
WHERE v.status <> 'skipped'
  AND NOT EXISTS (SELECT 1 FROM verifications l
                   WHERE l.recipe_hash = v.recipe_hash AND l.expected = v.expected AND l.hash_mode = v.hash_mode AND l.status <> 'skipped'
                     AND (l.verified_at > v.verified_at OR (l.verified_at = v.verified_at AND l.id > v.id)));
