-- Pilotoversikt's store. Every import adds a version of a submission; nothing is overwritten,
-- so each submission's history stays readable. The *_current views (views.sql) pick the latest.

CREATE SEQUENCE IF NOT EXISTS file_id_seq START 1;
CREATE SEQUENCE IF NOT EXISTS submission_id_seq START 1;

-- Every file that was imported, with its original bytes, so the same bytes are recognised
-- and any version can be downloaded again as it was sent. The bytes are stored as they are:
-- an .xlsx is already a zip, and trying to compress it made every import's checkpoint slow.
CREATE TABLE IF NOT EXISTS source_files (
    file_id      INTEGER PRIMARY KEY DEFAULT nextval('file_id_seq'),
    file_name    VARCHAR NOT NULL,
    sha256       VARCHAR NOT NULL UNIQUE,
    content      BLOB NOT NULL USING COMPRESSION uncompressed,
    size_bytes   BIGINT NOT NULL,
    file_kind    VARCHAR NOT NULL,          -- xlsx | csv
    table_kind   VARCHAR NOT NULL,          -- workbook | pilots | milestones | budget
    imported_at  TIMESTAMP NOT NULL,
    warnings     VARCHAR[] NOT NULL
);

-- One row per version of an agency's report for one round (Oppstartsår).
CREATE TABLE IF NOT EXISTS submissions (
    submission_id     INTEGER PRIMARY KEY DEFAULT nextval('submission_id_seq'),
    agency            VARCHAR NOT NULL,
    start_year        INTEGER NOT NULL,
    version           INTEGER NOT NULL,
    file_id           INTEGER NOT NULL,     -- the file that made this version
    replaced_tables   VARCHAR NOT NULL,     -- what that file replaced: Piloter, Milepæler, Budsjett
    submitted_on      DATE NOT NULL,
    contact_person    VARCHAR,
    email             VARCHAR,
    has_plans         BOOLEAN NOT NULL,
    assessment        VARCHAR,
    union_involvement VARCHAR,
    imported_at       TIMESTAMP NOT NULL,
    UNIQUE (agency, start_year, version)
);

-- The Piloter sheet. Column names are the keys of loaders/contract.py.
CREATE TABLE IF NOT EXISTS pilots (
    submission_id       INTEGER NOT NULL,
    position            INTEGER NOT NULL,
    pilot_ref           VARCHAR,
    pilot_name          VARCHAR NOT NULL,
    status              VARCHAR NOT NULL,
    trust_relation      VARCHAR,
    problem             VARCHAR,
    goals               VARCHAR,
    themes              VARCHAR[],
    learning_goals      VARCHAR,
    what_to_test        VARCHAR,
    needs_exemption     BOOLEAN NOT NULL,
    exemption_rules     VARCHAR,
    service_scope       VARCHAR,
    org_scope           VARCHAR,
    processes           VARCHAR,
    scope_will_expand   BOOLEAN,
    partner_agencies    VARCHAR[],
    start_date          DATE NOT NULL,
    end_date            DATE NOT NULL,
    users               VARCHAR,
    units_and_staff     VARCHAR,
    third_parties       VARCHAR,
    budget_total_nok    DOUBLE NOT NULL,
    within_budget_frame VARCHAR NOT NULL,
    resources           VARCHAR,
    person_years        DOUBLE,
    follow_up_covered   BOOLEAN,
    admin_consequences  VARCHAR,
    documentation       VARCHAR,
    evaluation          VARCHAR,
    covers_e1           BOOLEAN NOT NULL,
    covers_e2           BOOLEAN NOT NULL,
    covers_e3           BOOLEAN NOT NULL,
    covers_e4           BOOLEAN NOT NULL,
    covers_e5           BOOLEAN NOT NULL,
    covers_e6           BOOLEAN NOT NULL
);

CREATE TABLE IF NOT EXISTS milestones (
    submission_id INTEGER NOT NULL,
    position      INTEGER NOT NULL,
    pilot_name    VARCHAR NOT NULL,
    name          VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,
    from_date     DATE NOT NULL,
    to_date       DATE,
    status        VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS budget_lines (
    submission_id INTEGER NOT NULL,
    position      INTEGER NOT NULL,
    pilot_name    VARCHAR NOT NULL,
    year          INTEGER NOT NULL,
    amount_nok    DOUBLE NOT NULL,
    category      VARCHAR NOT NULL,
    financing     VARCHAR NOT NULL
);

-- Reference data, copied from data/*.csv and data/settings.toml by sync_reference().
CREATE TABLE IF NOT EXISTS agencies (
    name                VARCHAR PRIMARY KEY,
    short_name          VARCHAR,
    aliases             VARCHAR[],
    ministry            VARCHAR NOT NULL,
    previous_ministry   VARCHAR,
    ministry_changed_on DATE
);
CREATE TABLE IF NOT EXISTS ministries (short_name VARCHAR PRIMARY KEY, name VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS rounds (start_year INTEGER PRIMARY KEY, deadline DATE NOT NULL, description VARCHAR);
CREATE TABLE IF NOT EXISTS requests (
    start_year  INTEGER NOT NULL,
    agency      VARCHAR NOT NULL,
    letter_date DATE,
    letter_ref  VARCHAR,
    note        VARCHAR
);
CREATE TABLE IF NOT EXISTS settings (
    ambition_min      INTEGER NOT NULL,
    ambition_max      INTEGER NOT NULL,
    counting_statuses VARCHAR[] NOT NULL,
    reform_start      DATE NOT NULL,
    reform_end        DATE NOT NULL
);
CREATE TABLE IF NOT EXISTS events (label VARCHAR, start_date DATE, end_date DATE, note VARCHAR);
-- The fingerprint of the reference data last copied in: sync_reference() skips data it already holds.
CREATE TABLE IF NOT EXISTS reference_version (fingerprint VARCHAR NOT NULL);
