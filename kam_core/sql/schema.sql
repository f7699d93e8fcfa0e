-- KA Cockpit store. Idempotent: run at every open. Money is DECIMAL(18,4).

CREATE TABLE IF NOT EXISTS meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR
);

CREATE SEQUENCE IF NOT EXISTS dataset_seq START 1;
CREATE TABLE IF NOT EXISTS datasets (
    dataset_id     INTEGER PRIMARY KEY,
    kind           VARCHAR NOT NULL,          -- orders | clients | targets | contacts
    file_name      VARCHAR NOT NULL,
    sheet          VARCHAR,
    sha256         VARCHAR NOT NULL,
    imported_at    TIMESTAMP NOT NULL,
    rows_read      BIGINT NOT NULL,
    rows_loaded    BIGINT NOT NULL,
    rows_rejected  BIGINT NOT NULL,
    rows_skipped   BIGINT NOT NULL,
    skipped_blank  BIGINT NOT NULL DEFAULT 0,
    skipped_header BIGINT NOT NULL DEFAULT 0,
    skipped_totals BIGINT NOT NULL DEFAULT 0,
    rows_replaced  BIGINT NOT NULL DEFAULT 0,   -- lines later replaced by an overlapping import
    header_row     INTEGER,                     -- 1-based Excel row of the header
    mapping        VARCHAR NOT NULL,            -- JSON role -> source column header
    warnings       VARCHAR,                     -- JSON list of {column, count, rows}
    date_min       DATE,
    date_max       DATE,
    data_through   DATE,
    is_demo        BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE IF NOT EXISTS transactions (
    dataset_id  INTEGER NOT NULL,
    source_row  BIGINT NOT NULL,
    client_key  VARCHAR NOT NULL,
    client_name VARCHAR NOT NULL,
    client_id   VARCHAR,
    order_date  DATE NOT NULL,
    amount      DECIMAL(18,4) NOT NULL,
    profit      DECIMAL(18,4),
    quantity    DOUBLE,
    unit_price  DECIMAL(18,4),
    order_id    VARCHAR,
    category    VARCHAR,
    region      VARCHAR,
    city        VARCHAR,
    chain_scope VARCHAR,
    store_count INTEGER,
    owner       VARCHAR,
    channel     VARCHAR,
    group_name  VARCHAR
);

-- Order lines an import with on-overlap replace took out: kept, so that deleting that import brings
-- them back. A line stays here while a later import still standing replaces its date (datasets.replace_*).
CREATE TABLE IF NOT EXISTS replaced_lines AS SELECT * FROM transactions LIMIT 0;   -- the same columns
-- The dates an import replaced in the imports before it (NULL: it kept them).
ALTER TABLE datasets ADD COLUMN IF NOT EXISTS replace_lo DATE;
ALTER TABLE datasets ADD COLUMN IF NOT EXISTS replace_hi DATE;

CREATE TABLE IF NOT EXISTS rejects (
    dataset_id  INTEGER NOT NULL,
    source_row  BIGINT NOT NULL,
    code        VARCHAR NOT NULL,
    column_name VARCHAR,
    value       VARCHAR,
    raw         VARCHAR
);

-- Confirmed column mappings, keyed by the header layout, so next month's export maps itself.
CREATE TABLE IF NOT EXISTS mappings (
    signature  VARCHAR PRIMARY KEY,
    kind       VARCHAR NOT NULL,
    mapping    VARCHAR NOT NULL,   -- JSON role -> header text
    headers    VARCHAR NOT NULL,   -- JSON list of header texts
    updated_at TIMESTAMP NOT NULL
);

-- The KA archive (大客户档案): one row per client; wins over order lines where they disagree.
CREATE TABLE IF NOT EXISTS clients (
    client_key    VARCHAR PRIMARY KEY,
    client_name   VARCHAR NOT NULL,
    client_id     VARCHAR,
    group_name    VARCHAR,
    chain_scope   VARCHAR,
    store_count   INTEGER,
    owner         VARCHAR,
    region        VARCHAR,
    city          VARCHAR,
    service_level VARCHAR,
    potential     DECIMAL(18,4),
    note          VARCHAR,
    dataset_id    INTEGER,
    updated_at    TIMESTAMP NOT NULL,
    updated_by    VARCHAR
);

CREATE TABLE IF NOT EXISTS targets (
    level      VARCHAR NOT NULL,   -- client | owner
    name_key   VARCHAR NOT NULL,
    name       VARCHAR NOT NULL,
    period     VARCHAR NOT NULL,   -- 2024 | 2024Q3 | 2024-07
    target     DECIMAL(18,4) NOT NULL,
    dataset_id INTEGER,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (level, name_key, period)
);

-- Targets a later import of the same (level, name, period) replaced: deleting that import brings
-- back the version of the latest import still standing.
CREATE TABLE IF NOT EXISTS replaced_targets AS SELECT * FROM targets LIMIT 0;   -- the same columns

-- Every archive row as an import or an edit in the app wrote it, in order (seq), with the fields it
-- carried (has_*). `clients` is their fold: each field from the latest layer that carries it. So
-- deleting an import leaves each client as the imports and edits before and after it made it.
CREATE SEQUENCE IF NOT EXISTS client_layer_seq START 1;
CREATE TABLE IF NOT EXISTS client_layers (
    seq               BIGINT NOT NULL,
    dataset_id        INTEGER,           -- NULL: an edit in the app
    client_key        VARCHAR NOT NULL,
    client_name       VARCHAR NOT NULL,
    client_id         VARCHAR,
    group_name        VARCHAR,
    chain_scope       VARCHAR,
    store_count       INTEGER,
    owner             VARCHAR,
    region            VARCHAR,
    city              VARCHAR,
    service_level     VARCHAR,
    potential         DECIMAL(18,4),
    note              VARCHAR,
    has_client_name   BOOLEAN NOT NULL,
    has_client_id     BOOLEAN NOT NULL,
    has_group_name    BOOLEAN NOT NULL,
    has_chain_scope   BOOLEAN NOT NULL,
    has_store_count   BOOLEAN NOT NULL,
    has_owner         BOOLEAN NOT NULL,
    has_region        BOOLEAN NOT NULL,
    has_city          BOOLEAN NOT NULL,
    has_service_level BOOLEAN NOT NULL,
    has_potential     BOOLEAN NOT NULL,
    has_note          BOOLEAN NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    updated_by        VARCHAR
);
-- An archive row written before layers were kept is its client's first layer.
INSERT INTO client_layers
SELECT nextval('client_layer_seq'), dataset_id, client_key, client_name, client_id, group_name, chain_scope,
       store_count, owner, region, city, service_level, potential, note,
       true, true, true, true, true, true, true, true, true, true, true, updated_at, updated_by
FROM clients c
WHERE NOT EXISTS (SELECT 1 FROM client_layers l WHERE l.client_key = c.client_key);

CREATE SEQUENCE IF NOT EXISTS contact_seq START 1;
CREATE TABLE IF NOT EXISTS contacts (
    contact_id   BIGINT PRIMARY KEY,
    client_key   VARCHAR NOT NULL,
    client_name  VARCHAR NOT NULL,
    contact_date DATE NOT NULL,
    kind         VARCHAR,          -- visit | call | meeting | review, or as imported
    who          VARCHAR,
    note         VARCHAR,
    source       VARCHAR NOT NULL, -- import | app | meeting | followup
    dataset_id   INTEGER,
    created_at   TIMESTAMP NOT NULL
);

CREATE SEQUENCE IF NOT EXISTS advance_seq START 1;
CREATE TABLE IF NOT EXISTS advances (
    advance_id   INTEGER PRIMARY KEY,
    client_key   VARCHAR NOT NULL,
    client_name  VARCHAR NOT NULL,
    amount       DECIMAL(18,4) NOT NULL,
    start_date   DATE NOT NULL,
    term_months  INTEGER NOT NULL,
    rule         VARCHAR NOT NULL,   -- refund | extend
    recoup_rate  DOUBLE NOT NULL DEFAULT 1,
    scenario_id  INTEGER,
    note         VARCHAR,
    created_at   TIMESTAMP NOT NULL,
    created_by   VARCHAR
);

-- Strategic tier pins: one client, one tier, in every period.
CREATE TABLE IF NOT EXISTS tier_overrides (
    client_key VARCHAR PRIMARY KEY,
    tier       VARCHAR NOT NULL,     -- key | important | general | maintenance
    reason     VARCHAR NOT NULL,
    created_by VARCHAR,
    created_at TIMESTAMP NOT NULL
);

-- Churn follow-up log.
CREATE TABLE IF NOT EXISTS followups (
    client_key VARCHAR PRIMARY KEY,
    status     VARCHAR NOT NULL,     -- open | contacted | recovering | saved | lost
    owner      VARCHAR,
    next_step  VARCHAR,
    updated_at TIMESTAMP NOT NULL
);
CREATE SEQUENCE IF NOT EXISTS followup_note_seq START 1;
CREATE TABLE IF NOT EXISTS followup_notes (
    note_id    BIGINT PRIMARY KEY,
    client_key VARCHAR NOT NULL,
    note_date  DATE NOT NULL,
    author     VARCHAR,
    text       VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL
);
-- A note's contact kind (visit | call | meeting | review) and the contact it recorded.
ALTER TABLE followup_notes ADD COLUMN IF NOT EXISTS kind VARCHAR;
ALTER TABLE followup_notes ADD COLUMN IF NOT EXISTS contact_id BIGINT;

CREATE SEQUENCE IF NOT EXISTS scenario_seq START 1;
CREATE TABLE IF NOT EXISTS prepay_scenarios (
    scenario_id  INTEGER PRIMARY KEY,
    name         VARCHAR NOT NULL,
    client_key   VARCHAR,
    inputs       VARCHAR NOT NULL,   -- JSON of the model inputs
    results      VARCHAR NOT NULL,   -- JSON of the headline figures and the fan
    data_version BIGINT,
    created_at   TIMESTAMP NOT NULL
);

CREATE SEQUENCE IF NOT EXISTS stakeholder_seq START 1;
CREATE TABLE IF NOT EXISTS stakeholders (
    stakeholder_id BIGINT PRIMARY KEY,
    client_key     VARCHAR NOT NULL,
    name           VARCHAR NOT NULL,
    title          VARCHAR,          -- their job title
    decision_role  VARCHAR,          -- decision_maker | influencer | user | gatekeeper
    attitude       INTEGER,          -- +5 .. -10, the scale sales teams use
    note           VARCHAR,
    updated_at     TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS profile_notes (
    client_key  VARCHAR PRIMARY KEY,
    needs       VARCHAR,
    pain_points VARCHAR,
    competitors VARCHAR,
    updated_at  TIMESTAMP NOT NULL
);

-- Saved user settings (tier cuts, cadences, churn weights), JSON values.
CREATE TABLE IF NOT EXISTS settings (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

-- Group names to their identity keys (NFKC, casefold, no whitespace), kept by the Python side.
CREATE TABLE IF NOT EXISTS group_keys (
    group_name VARCHAR PRIMARY KEY,
    group_key  VARCHAR NOT NULL
);
