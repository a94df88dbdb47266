-- Vigil schema v2 (SQLite). Same tables, columns and order as postgres/0002_compact_drv_graph.sql.
-- The derivation graph with compact edges: each drv gets an integer id and its inputs are a blob of
-- those ids (DrvInputs: LEB128 ids, or 0 + length + UTF-8 path for an input with no row), so that a
-- rescan loads the known part of a closure by id instead of matching store-path text. v1's rows are
-- dropped, not converted: drvs only caches what the .drv files say (FOD records, revisions and
-- everything else stay), so the next scan simply reads those files once more.
DROP TABLE drvs;
CREATE TABLE drvs (
    id     INTEGER NOT NULL PRIMARY KEY,
    path   TEXT    NOT NULL UNIQUE,
    is_fod INTEGER NOT NULL,
    inputs BLOB    NOT NULL
);
