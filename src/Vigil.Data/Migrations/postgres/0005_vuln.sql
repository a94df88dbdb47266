-- Vigil schema v5 (PostgreSQL): vulnerability tracking. Same tables, columns and order as sqlite/0005_vuln.sql.
-- Numbered 5, not 4: v4 is taken on another branch; these tables are independent of it.

-- One row per imported feed record (a CVE 5 record, an NVD CVE item, an OSV entry), keyed by its
-- source and id. content_hash is the SHA-256 of the record's JSON as read: a re-import rewrites
-- only records whose hash changed. affected is Vigil.Vuln's normalised form (JSON), what matching
-- reads; aliases are TextList-encoded (newline-joined) ids of the same vulnerability (CVE ids).
CREATE TABLE vuln_records (
    source       text NOT NULL,
    record_id    text NOT NULL,
    aliases      text NOT NULL,
    content_hash text NOT NULL,
    summary      text,
    modified     text,
    affected     text NOT NULL,
    PRIMARY KEY (source, record_id)
);

-- Triage decisions, kept across revisions: keyed by CVE (or '*' for every CVE) and normalised
-- package name, optionally one version ('' = every version). status is affected / patched /
-- not-affected / ignored; until (YYYY-MM-DD, inclusive) makes a rule expire; origin says where it
-- came from ('cli', 'vulnix:FILE').
CREATE TABLE vuln_triage (
    cve        text        NOT NULL,
    pname      text        NOT NULL,
    version    text        NOT NULL,
    status     text        NOT NULL,
    reason     text        NOT NULL,
    until      text,
    issue_url  text,
    origin     text        NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (cve, pname, version)
);
