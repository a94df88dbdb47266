-- Vigil schema v11 (PostgreSQL). Same as sqlite/0011_revision_fods_delta.sql.
-- A revision's FODs may be stored as the difference from a base revision (fods_base_id), which is
-- always stored whole: the revision's own revision_fods rows then hold the FODs that are new or
-- whose attributes changed, and a row with attr_count -1 for each FOD of the base it lacks. On the
-- 41k-drv bench set, a rescan after bumping 1% of the packages saved all 22,903 memberships again,
-- of which 126 differ. revision_members is what a revision holds, however it is stored: read
-- memberships from it, never from revision_fods.
ALTER TABLE revisions ADD COLUMN fods_base_id bigint REFERENCES revisions (id);

CREATE VIEW revision_members (revision_id, drv_path, attrs, attr_count) AS
SELECT revision_id, drv_path, attrs, attr_count FROM revision_fods WHERE attr_count >= 0
UNION ALL
SELECT r.id, b.drv_path, b.attrs, b.attr_count
FROM revisions r JOIN revision_fods b ON b.revision_id = r.fods_base_id
WHERE NOT EXISTS (SELECT 1 FROM revision_fods d WHERE d.revision_id = r.id AND d.drv_path = b.drv_path);
