-- Vigil schema v9 (PostgreSQL). Same tables, columns and order as sqlite/0009_revision_graphs.sql,
-- which says why: one graph blob per revision instead of a drvs row per derivation.
DROP TABLE drvs;
CREATE TABLE revision_graphs (
    revision_id bigint  NOT NULL PRIMARY KEY REFERENCES revisions (id) ON DELETE CASCADE,
    node_count  integer NOT NULL,
    graph       bytea   NOT NULL
);
