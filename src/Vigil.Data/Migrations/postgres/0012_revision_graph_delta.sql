-- Vigil schema v12 (PostgreSQL). Same as sqlite/0012_revision_graph_delta.sql.
-- A revision's derivation graph may be stored as the difference from the graph of a base revision
-- (base_id), which is always stored whole: the blob (RevisionGraph format 2) then names the base's
-- nodes the revision lacks and holds the nodes it adds. On the 41k-drv bench set a rescan after
-- bumping 1% of the packages stored the whole 3.2 MB graph again, of which 16% of the nodes differ.
-- stamp is a random number given to each graph stored: a graph decoded earlier in the process is
-- reused as a base only while its row still holds the same stamp.
ALTER TABLE revision_graphs ADD COLUMN base_id bigint REFERENCES revision_graphs (revision_id);
ALTER TABLE revision_graphs ADD COLUMN stamp bigint NOT NULL DEFAULT 0;
