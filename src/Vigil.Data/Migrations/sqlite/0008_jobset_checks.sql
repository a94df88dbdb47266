-- Vigil schema v8 (SQLite): periodic evaluation. Same columns and order as postgres/0008_jobset_checks.sql.
-- check_interval is Hydra's checkinterval: seconds between evaluations by the server, 0 = only on
-- demand ('vigil eval'). last_checked_at is when the jobset was last evaluated, whatever came of it
-- (new builds, unchanged, failed), so a failing or unchanged jobset waits a whole interval too.
-- jobs_hash (SHA-256 of the sorted job -> drv path pairs) tells an unchanged evaluation from a
-- changed one; revision names the scan revision holding the evaluation's FODs.
-- Times are microseconds since the Unix epoch, UTC.

ALTER TABLE jobsets ADD COLUMN check_interval INTEGER NOT NULL DEFAULT 0 CHECK (check_interval >= 0);
ALTER TABLE jobsets ADD COLUMN last_checked_at INTEGER;
ALTER TABLE evaluations ADD COLUMN jobs_hash TEXT;
ALTER TABLE evaluations ADD COLUMN revision TEXT;
