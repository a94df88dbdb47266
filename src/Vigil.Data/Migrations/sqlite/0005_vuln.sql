-- Vigil schema v5 (SQLite): vulnerability tracking. Same tables, columns and order as postgres/0005_vuln.sql.
-- Numbered 5, not 4: v4 is taken on another branch; these tables are independent of it.

-- One row per imported feed record (a CVE 5 record, an NVD CVE item, an OSV entry), keyed by its
-- source and id. content_hash is the SHA-256 of the record's JSON as read: a re-import rewrites
-- only records whose hash changed. affected is Vigil.Vuln's normalised form (JSON), what matching
-- reads; aliases are TextList-encoded (newline-joined) ids of the same vulnerability (CVE ids).
CREATE TABLE vuln_records (
    source       TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    aliases      TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    summary      TEXT,
    modified     TEXT,
    affected     TEXT NOT NULL,
    PRIMARY KEY (source, record_id)
) WITHOUT ROWID;

-- Triage decisions, kept across revisions: keyed by CVE (or '*' for every CVE) and normalised
-- package name, optionally one version ('' = every version). status is affected / patched /
-- not-affected / ignored; until (YYYY-MM-DD, inclusive) makes a rule expire; origin says where it
-- came from ('cli', 'vulnix:FILE'). created_at: microseconds since the Unix epoch, UTC.
CREATE TABLE vuln_triage (
    cve        TEXT    NOT NULL,
    pname      TEXT    NOT NULL,
    version    TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    reason     TEXT    NOT NULL,
    until      TEXT,
    issue_url  TEXT,
    origin     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (cve, pname, version)
) WITHOUT ROWID;
