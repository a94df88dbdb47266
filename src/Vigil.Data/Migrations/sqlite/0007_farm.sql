-- Vigil schema v7 (SQLite): the build farm. Same tables, columns and order as postgres/0007_farm.sql.
-- Numbered 7: versions 4-6 are taken by other branches; the tables here are independent of theirs.
-- Status codes are Hydra's (docs/farm.md, Vigil.Data.Farm.BuildStatus) so results read the same.
-- Times are microseconds since the Unix epoch, UTC.

CREATE TABLE projects (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    description TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);

-- A jobset: a Nix expression file (and optional attribute) whose jobs are built. scheduling_shares
-- is its share of build time under contention; priority is the default priority of its builds.
CREATE TABLE jobsets (
    id                INTEGER PRIMARY KEY,
    project_id        INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name              TEXT    NOT NULL,
    expr_file         TEXT    NOT NULL,
    attr              TEXT,
    scheduling_shares INTEGER NOT NULL CHECK (scheduling_shares > 0),
    priority          INTEGER NOT NULL,
    enabled           INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    UNIQUE (project_id, name)
);

CREATE TABLE evaluations (
    id          INTEGER PRIMARY KEY,
    jobset_id   INTEGER NOT NULL REFERENCES jobsets (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    build_count INTEGER NOT NULL,
    error       TEXT
);
CREATE INDEX evaluations_jobset ON evaluations (jobset_id, id);

-- One build per job of an evaluation. finished 0 = queued; build_status is Hydra's code once finished.
CREATE TABLE builds (
    id              INTEGER PRIMARY KEY,
    evaluation_id   INTEGER NOT NULL REFERENCES evaluations (id) ON DELETE CASCADE,
    jobset_id       INTEGER NOT NULL REFERENCES jobsets (id) ON DELETE CASCADE,
    job             TEXT    NOT NULL,
    drv_path        TEXT    NOT NULL,
    system          TEXT    NOT NULL,
    priority        INTEGER NOT NULL,
    global_priority INTEGER NOT NULL,
    max_silent      INTEGER NOT NULL,
    timeout         INTEGER NOT NULL,
    finished        INTEGER NOT NULL,
    build_status    INTEGER,
    is_cached_build INTEGER NOT NULL,
    queued_at       INTEGER NOT NULL,
    start_time      INTEGER,
    stop_time       INTEGER
);
-- The queue monitor reads unfinished builds by id, from the last id it has seen.
CREATE INDEX builds_unfinished ON builds (id) WHERE finished = 0;
CREATE INDEX builds_drv_path ON builds (drv_path);
CREATE INDEX builds_evaluation ON builds (evaluation_id, id);

CREATE TABLE build_outputs (
    build_id INTEGER NOT NULL REFERENCES builds (id) ON DELETE CASCADE,
    name     TEXT    NOT NULL,
    path     TEXT,
    PRIMARY KEY (build_id, name)
);

-- One row per attempt of a step, filed under the build it was run for (Hydra's BuildSteps):
-- busy is Hydra's phase code (0 = done), status null while busy, attempt counts from 1.
-- propagated_from: the build whose step really failed, on rows recording a propagated failure.
CREATE TABLE build_steps (
    build_id        INTEGER NOT NULL REFERENCES builds (id) ON DELETE CASCADE,
    step_nr         INTEGER NOT NULL,
    type            INTEGER NOT NULL,
    drv_path        TEXT    NOT NULL,
    system          TEXT    NOT NULL,
    machine         TEXT    NOT NULL,
    busy            INTEGER NOT NULL,
    status          INTEGER,
    error_msg       TEXT,
    start_time      INTEGER,
    stop_time       INTEGER,
    attempt         INTEGER NOT NULL,
    propagated_from INTEGER REFERENCES builds (id) ON DELETE SET NULL,
    PRIMARY KEY (build_id, step_nr)
);
CREATE INDEX build_steps_busy ON build_steps (busy) WHERE busy <> 0;
CREATE INDEX build_steps_drv_path ON build_steps (drv_path);
CREATE INDEX build_steps_stop_time ON build_steps (stop_time);

-- Outputs of derivations that failed permanently: not rebuilt until the row is deleted (a restart).
CREATE TABLE failed_paths (
    path      TEXT    NOT NULL PRIMARY KEY,
    drv_path  TEXT    NOT NULL,
    status    INTEGER NOT NULL,
    failed_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Builders as last seen (the live state is in the queue runner's memory). Lists are TextList-joined.
CREATE TABLE machines (
    name               TEXT    NOT NULL PRIMARY KEY,
    systems            TEXT    NOT NULL,
    supported_features TEXT    NOT NULL,
    mandatory_features TEXT    NOT NULL,
    max_jobs           INTEGER NOT NULL,
    speed_factor       REAL    NOT NULL,
    enabled            INTEGER NOT NULL,
    last_seen_at       INTEGER
) WITHOUT ROWID;

-- Where each step attempt's log is kept (a file under the server's log directory, or a URL).
CREATE TABLE build_logs (
    build_id    INTEGER NOT NULL,
    step_nr     INTEGER NOT NULL,
    drv_path    TEXT    NOT NULL,
    location    TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    compression TEXT    NOT NULL,
    PRIMARY KEY (build_id, step_nr),
    FOREIGN KEY (build_id, step_nr) REFERENCES build_steps (build_id, step_nr) ON DELETE CASCADE
);
CREATE INDEX build_logs_drv_path ON build_logs (drv_path);
