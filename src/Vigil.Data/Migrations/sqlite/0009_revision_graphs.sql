-- Vigil schema v9 (SQLite). Same tables, columns and order as postgres/0009_revision_graphs.sql.
-- The derivation graph moves from a row per derivation (drvs) to one blob per revision
-- (RevisionGraph: paths, FOD flags, inputs as node numbers): a rescan loads the last revision's
-- graph in one read instead of tens of thousands of rows by id, and a scan writes one blob instead
-- of a row and an index entry per derivation. drvs only cached what the .drv files say, so it is
-- dropped, not converted: the next scan reads those files once more.
DROP TABLE drvs;
CREATE TABLE revision_graphs (
    revision_id INTEGER NOT NULL PRIMARY KEY REFERENCES revisions (id) ON DELETE CASCADE,
    node_count  INTEGER NOT NULL,
    graph       BLOB    NOT NULL
);
