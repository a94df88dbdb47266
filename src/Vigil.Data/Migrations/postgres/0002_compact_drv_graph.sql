-- Vigil schema v2 (PostgreSQL). Same tables, columns and order as sqlite/0002_compact_drv_graph.sql,
-- which says why: ids and a blob of input ids instead of newline-joined paths; v1's rows (a cache of
-- what the .drv files say) are dropped and read again by the next scan.
-- Ids are assigned by the writer under a table lock (children before parents, in one transaction),
-- so there is no sequence.
DROP TABLE drvs;
CREATE TABLE drvs (
    id     bigint           NOT NULL PRIMARY KEY,
    path   text COLLATE "C" NOT NULL UNIQUE,
    is_fod boolean          NOT NULL,
    inputs bytea            NOT NULL
);
