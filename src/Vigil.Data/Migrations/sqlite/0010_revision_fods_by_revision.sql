-- Vigil schema v10 (SQLite). Same as postgres/0010_revision_fods_by_revision.sql.
-- revision_fods is read by revision (its primary key) everywhere but in one place: the first
-- revision that holds an FOD found by hash, which now probes the primary key revision by revision.
-- The index by drv_path made every rescan insert its whole membership at random places in an index
-- that grows with every revision kept: on the 41k-drv bench set, saving a rescanned revision's
-- 22,903 memberships took twice as long as the first scan's.
DROP INDEX revision_fods_drv_path;
