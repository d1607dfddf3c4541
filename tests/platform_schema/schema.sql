-- The platform's tables as its Alembic migrations (001..155) leave them on an empty database,
-- with its row-level security (migration 019): the fixture every test also runs on.
--
-- Written from the platform's facts (amitcjmu/Stock-Analysis at 1fe93b54c): the tables Flowgate
-- reads column for column (nullability, defaults, constraints, indexes, RLS), the tables that hang
-- off them, and stubs of the tables they reference.  Flowgate's own indexes and NOTIFY triggers are
-- NOT here: the platform does not have them.  `migration` is replaced by the test schema's name.
CREATE SCHEMA migration;

-- ---------------------------------------------------------------------
-- Stubs of referenced tables (NOT complete; see header)
-- ---------------------------------------------------------------------

CREATE TABLE migration.client_accounts (
    id          uuid PRIMARY KEY,
    name        varchar(255)
);

CREATE TABLE migration.engagements (
    id                  uuid PRIMARY KEY,
    client_account_id   uuid NOT NULL REFERENCES migration.client_accounts (id),
    name                varchar(255),
    -- added by 150_security_and_data_integrity so that every tenant table can
    -- carry a composite (client_account_id, engagement_id) foreign key
    CONSTRAINT uq_engagements_client_account_id UNIQUE (client_account_id, id)
);

CREATE TABLE migration.users (
    id      uuid PRIMARY KEY,
    email   varchar(255)
);

-- ---------------------------------------------------------------------
-- 1. crewai_flow_state_extensions  -- the master flow ("MFO") table
--    001_comprehensive_initial_schema, 003 (collection columns),
--    008 (flow_type check), 055 (execution_metadata), 150 (tenant FK)
-- ---------------------------------------------------------------------

CREATE TABLE migration.crewai_flow_state_extensions (
    id                          uuid         NOT NULL,   -- no DB default; app uses uuid4()
    flow_id                     uuid         NOT NULL,   -- THE master flow ID
    client_account_id           uuid         NOT NULL,
    engagement_id               uuid         NOT NULL,
    user_id                     varchar(255) NOT NULL,
    flow_type                   varchar(50)  NOT NULL,
    flow_name                   varchar(255),
    flow_status                 varchar(50)  NOT NULL DEFAULT 'initialized',
    flow_configuration          jsonb        NOT NULL DEFAULT '{}'::jsonb,
    flow_persistence_data       jsonb        NOT NULL DEFAULT '{}'::jsonb,
    agent_collaboration_log     jsonb                 DEFAULT '[]'::jsonb,
    memory_usage_metrics        jsonb                 DEFAULT '{}'::jsonb,
    knowledge_base_analytics    jsonb                 DEFAULT '{}'::jsonb,
    phase_execution_times       jsonb                 DEFAULT '{}'::jsonb,
    agent_performance_metrics   jsonb                 DEFAULT '{}'::jsonb,
    crew_coordination_analytics jsonb                 DEFAULT '{}'::jsonb,
    learning_patterns           jsonb                 DEFAULT '[]'::jsonb,
    user_feedback_history       jsonb                 DEFAULT '[]'::jsonb,
    adaptation_metrics          jsonb                 DEFAULT '{}'::jsonb,
    phase_transitions           jsonb                 DEFAULT '[]'::jsonb,
    error_history               jsonb                 DEFAULT '[]'::jsonb,
    retry_count                 integer      NOT NULL DEFAULT 0,
    parent_flow_id              uuid,
    child_flow_ids              jsonb                 DEFAULT '[]'::jsonb,
    flow_metadata               jsonb                 DEFAULT '{}'::jsonb,   -- nullable in the DB
    created_at                  timestamptz           DEFAULT now(),         -- nullable in the DB
    updated_at                  timestamptz           DEFAULT now(),         -- nullable in the DB
    -- added by 003_add_collection_flow_tables (070 re-checks, finds them present)
    collection_flow_id          uuid,
    automation_tier             varchar(20),          -- 003 says 20; model/070 say 50
    collection_quality_score    double precision,
    data_collection_metadata    jsonb                 DEFAULT '{}'::jsonb,
    -- added by 055_add_execution_metadata
    execution_metadata          jsonb                 DEFAULT '{}'::jsonb,

    CONSTRAINT pk_crewai_flow_state_extensions PRIMARY KEY (id),
    CONSTRAINT uq_crewai_flow_state_extensions_flow_id UNIQUE (flow_id),
    CONSTRAINT fk_crewai_flow_state_extensions_client_account_id_client_accounts
        FOREIGN KEY (client_account_id) REFERENCES migration.client_accounts (id),
    CONSTRAINT fk_crewai_flow_state_extensions_engagement_id_engagements
        FOREIGN KEY (engagement_id) REFERENCES migration.engagements (id),
    -- 001 creates this without ON DELETE (the model claims SET NULL)
    CONSTRAINT fk_crewai_flow_state_parent
        FOREIGN KEY (parent_flow_id) REFERENCES migration.crewai_flow_state_extensions (flow_id),
    CONSTRAINT chk_valid_flow_type CHECK (flow_type IN (
        'discovery', 'assessment', 'collection', 'planning', 'execution',
        'modernize', 'finops', 'observability', 'decommission'))
);

CREATE INDEX ix_crewai_flow_state_extensions_collection_flow_id
    ON migration.crewai_flow_state_extensions (collection_flow_id);
CREATE INDEX ix_crewai_flow_state_extensions_automation_tier
    ON migration.crewai_flow_state_extensions (automation_tier);
-- NOTE: no index on parent_flow_id, none on (tenant, created_at|updated_at, flow_id).
-- The model's index=True on flow_id/client_account_id/engagement_id is not in any migration.

-- ---------------------------------------------------------------------
-- 2. data_imports
--    001, 023 (deferrable master flow FK), 135 (category + config), 150
-- ---------------------------------------------------------------------

CREATE TABLE migration.data_imports (
    id                  uuid         NOT NULL,   -- model: server_default gen_random_uuid(); no migration adds it
    client_account_id   uuid,                    -- NULLABLE in the platform
    engagement_id       uuid,                    -- NULLABLE in the platform
    master_flow_id      uuid,                    -- denormalised; often NULL or stale
    import_name         varchar(255) NOT NULL,
    import_type         varchar(50)  NOT NULL,   -- free text: 'cmdb', 'app-discovery', 'infrastructure', 'sensitive', 'direct_raw_data', 'discovery_flow', ...
    description         text,
    filename            varchar(255) NOT NULL,
    file_size           integer,                 -- integer, not bigint
    mime_type           varchar(100),
    source_system       varchar(100),
    status              varchar(20)  NOT NULL DEFAULT 'pending',
    progress_percentage double precision      DEFAULT 0,
    total_records       integer,                 -- no default
    processed_records   integer               DEFAULT 0,
    failed_records      integer               DEFAULT 0,
    imported_by         uuid         NOT NULL,
    error_message       text,
    error_details       json,
    started_at          timestamptz           DEFAULT now(),
    completed_at        timestamptz,
    created_at          timestamptz           DEFAULT now(),   -- nullable
    updated_at          timestamptz,                           -- nullable, NO default (ORM onupdate only)
    -- added by 135_add_import_category_to_data_imports
    import_category     varchar(50),
    processing_config   jsonb        NOT NULL DEFAULT '{}'::jsonb,

    CONSTRAINT pk_data_imports PRIMARY KEY (id),
    CONSTRAINT fk_data_imports_client_account_id_client_accounts
        FOREIGN KEY (client_account_id) REFERENCES migration.client_accounts (id),
    CONSTRAINT fk_data_imports_engagement_id_engagements
        FOREIGN KEY (engagement_id) REFERENCES migration.engagements (id),
    CONSTRAINT fk_data_imports_imported_by_users
        FOREIGN KEY (imported_by) REFERENCES migration.users (id),
    -- 023 recreates it DEFERRABLE INITIALLY DEFERRED, no ON DELETE (model claims CASCADE)
    CONSTRAINT fk_data_imports_master_flow_id_crewai_flow_state_extensions
        FOREIGN KEY (master_flow_id) REFERENCES migration.crewai_flow_state_extensions (flow_id)
        DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT ck_data_imports_import_category_valid CHECK (
        import_category IS NULL
        OR import_category IN ('cmdb_export', 'app_discovery', 'infrastructure', 'sensitive_data'))
);

CREATE INDEX ix_data_imports_import_category ON migration.data_imports (import_category);
-- NOTE: no index on master_flow_id.

-- ---------------------------------------------------------------------
-- 3. discovery_flows  -- the bridge / child flow
--    001, 068/069 (no-ops on a fresh DB), 091 (comments), 093, 150
-- ---------------------------------------------------------------------

CREATE TABLE migration.discovery_flows (
    id                              uuid         NOT NULL,
    flow_id                         uuid         NOT NULL,   -- in practice == master_flow_id (two-table pattern)
    master_flow_id                  uuid,                    -- NULLABLE, not unique
    client_account_id               uuid         NOT NULL,
    engagement_id                   uuid         NOT NULL,
    user_id                         varchar      NOT NULL,
    data_import_id                  uuid,                    -- NULLABLE, not unique (several flows may share an import)
    flow_name                       varchar(255) NOT NULL,
    status                          varchar(20)  NOT NULL DEFAULT 'active',
    progress_percentage             double precision NOT NULL DEFAULT 0.0,
    data_import_completed           boolean      NOT NULL DEFAULT false,
    field_mapping_completed         boolean      NOT NULL DEFAULT false,
    data_cleansing_completed        boolean      NOT NULL DEFAULT false,
    asset_inventory_completed       boolean      NOT NULL DEFAULT false,
    dependency_analysis_completed   boolean      NOT NULL DEFAULT false,
    tech_debt_assessment_completed  boolean      NOT NULL DEFAULT false,
    learning_scope                  varchar(50)  NOT NULL DEFAULT 'engagement',
    memory_isolation_level          varchar(20)  NOT NULL DEFAULT 'strict',
    assessment_ready                boolean      NOT NULL DEFAULT false,
    phase_state                     jsonb        NOT NULL DEFAULT '{}'::jsonb,
    agent_state                     jsonb        NOT NULL DEFAULT '{}'::jsonb,
    flow_type                       varchar(100),
    current_phase                   varchar(100),
    phases_completed                json,
    flow_state                      json                  DEFAULT '{}'::json,
    crew_outputs                    json,
    field_mappings                  json,
    discovered_assets               json,
    dependencies                    json,
    tech_debt_analysis              json,
    crewai_persistence_id           uuid,
    crewai_state_data               jsonb        NOT NULL DEFAULT '{}'::jsonb,
    error_message                   text,
    error_phase                     varchar(100),
    error_details                   json,
    created_at                      timestamptz  NOT NULL DEFAULT now(),
    updated_at                      timestamptz  NOT NULL DEFAULT now(),
    completed_at                    timestamptz,
    -- added by 093_add_data_validation_completed
    data_validation_completed       boolean      NOT NULL DEFAULT false,

    CONSTRAINT pk_discovery_flows PRIMARY KEY (id),
    CONSTRAINT uq_discovery_flows_flow_id UNIQUE (flow_id),
    -- on long-lived databases 069 may have renamed this fk_discovery_master_flow_new
    CONSTRAINT fk_discovery_flows_master_flow_id_crewai_flow_state_extensions
        FOREIGN KEY (master_flow_id) REFERENCES migration.crewai_flow_state_extensions (flow_id)
        ON DELETE CASCADE,
    -- no ON DELETE in 001
    CONSTRAINT fk_discovery_flows_data_import_id_data_imports
        FOREIGN KEY (data_import_id) REFERENCES migration.data_imports (id)
);

CREATE INDEX ix_discovery_flows_id                ON migration.discovery_flows (id);
CREATE INDEX ix_discovery_flows_flow_id           ON migration.discovery_flows (flow_id);
CREATE INDEX ix_discovery_flows_master_flow_id    ON migration.discovery_flows (master_flow_id);
CREATE INDEX ix_discovery_flows_client_account_id ON migration.discovery_flows (client_account_id);
CREATE INDEX ix_discovery_flows_engagement_id     ON migration.discovery_flows (engagement_id);
CREATE INDEX ix_discovery_flows_data_import_id    ON migration.discovery_flows (data_import_id);
CREATE INDEX ix_discovery_flows_status            ON migration.discovery_flows (status);

COMMENT ON COLUMN migration.discovery_flows.dependency_analysis_completed IS
    'DEPRECATED (ADR-027): phase moved to the assessment flow; kept for legacy rows.';
COMMENT ON COLUMN migration.discovery_flows.tech_debt_assessment_completed IS
    'DEPRECATED (ADR-027): phase moved to the assessment flow; kept for legacy rows.';
COMMENT ON COLUMN migration.discovery_flows.tech_debt_analysis IS
    'DEPRECATED (ADR-027): retained for backward compatibility only.';

-- ---------------------------------------------------------------------
-- 4. raw_import_records
--    001, 150.  No RLS (not in 019's list).
-- ---------------------------------------------------------------------

CREATE TABLE migration.raw_import_records (
    id                  uuid        NOT NULL,
    data_import_id      uuid        NOT NULL,
    client_account_id   uuid,                   -- nullable, denormalised
    engagement_id       uuid,                   -- nullable, denormalised
    master_flow_id      uuid,                   -- nullable, denormalised (mostly NULL)
    row_number          integer     NOT NULL,   -- 1-based by convention; NOT unique, gaps possible
    raw_data            json        NOT NULL,   -- json, not jsonb
    cleansed_data       json,
    validation_errors   json,
    processing_notes    text,
    is_processed        boolean              DEFAULT false,   -- nullable in the DB
    is_valid            boolean              DEFAULT true,    -- nullable in the DB
    asset_id            uuid,                   -- model has an FK to assets.id; no migration creates it
    created_at          timestamptz          DEFAULT now(),   -- nullable
    processed_at        timestamptz,

    CONSTRAINT pk_raw_import_records PRIMARY KEY (id),
    -- no ON DELETE in 001 (the model claims CASCADE; the ORM cascades instead)
    CONSTRAINT fk_raw_import_records_data_import_id_data_imports
        FOREIGN KEY (data_import_id) REFERENCES migration.data_imports (id),
    CONSTRAINT fk_raw_import_records_client_account_id_client_accounts
        FOREIGN KEY (client_account_id) REFERENCES migration.client_accounts (id),
    CONSTRAINT fk_raw_import_records_engagement_id_engagements
        FOREIGN KEY (engagement_id) REFERENCES migration.engagements (id),
    CONSTRAINT fk_raw_import_records_master_flow_id_crewai_flow_state_extensions
        FOREIGN KEY (master_flow_id) REFERENCES migration.crewai_flow_state_extensions (flow_id)
);
-- NOTE: the platform has NO index on data_import_id and NO unique (data_import_id, row_number).
-- The only secondary index is ix_raw_import_records_tenant_composite (below).

-- ---------------------------------------------------------------------
-- 5. import_field_mappings  (child of data_imports)
--    001, 021 (id default), 040 (field_type, agent_reasoning), 071 (engagement_id), 150
-- ---------------------------------------------------------------------

CREATE TABLE migration.import_field_mappings (
    id                   uuid         NOT NULL DEFAULT gen_random_uuid(),
    data_import_id       uuid         NOT NULL,
    client_account_id    uuid         NOT NULL,
    master_flow_id       uuid,
    source_field         varchar(255) NOT NULL,
    target_field         varchar(255) NOT NULL,
    match_type           varchar(50)  NOT NULL DEFAULT 'direct',
    confidence_score     double precision,
    status               varchar(20)           DEFAULT 'suggested',  -- suggested|approved|rejected|pending|unmapped
    suggested_by         varchar(50)           DEFAULT 'ai_mapper',
    approved_by          varchar(255),
    approved_at          timestamptz,
    transformation_rules json,
    created_at           timestamptz           DEFAULT now(),
    updated_at           timestamptz           DEFAULT now(),
    field_type           varchar(50),          -- 040
    agent_reasoning      text,                 -- 040
    engagement_id        uuid,                 -- 071: nullable in the DB (model: NOT NULL)

    CONSTRAINT pk_import_field_mappings PRIMARY KEY (id),
    CONSTRAINT fk_import_field_mappings_data_import_id_data_imports
        FOREIGN KEY (data_import_id) REFERENCES migration.data_imports (id),
    CONSTRAINT fk_import_field_mappings_client_account_id_client_accounts
        FOREIGN KEY (client_account_id) REFERENCES migration.client_accounts (id),
    -- the migration points at flow_id; the model (mapping.py) says crewai_flow_state_extensions.id
    CONSTRAINT fk_import_field_mappings_master_flow_id_crewai_flow_state_extensions
        FOREIGN KEY (master_flow_id) REFERENCES migration.crewai_flow_state_extensions (flow_id),
    CONSTRAINT fk_import_field_mappings_engagement_id_engagements
        FOREIGN KEY (engagement_id) REFERENCES migration.engagements (id) ON DELETE CASCADE
);
CREATE INDEX ix_import_field_mappings_engagement_id ON migration.import_field_mappings (engagement_id);

-- ---------------------------------------------------------------------
-- Stub: assets (the inventory the discovery flow produces; ~150 real columns).
--    001 for the columns here (those the inventory page shows and those that
--    link it), 124 (soft delete).  The rest of its columns are left out.
-- ---------------------------------------------------------------------

CREATE TABLE migration.assets (
    id                      uuid         NOT NULL,
    client_account_id       uuid         NOT NULL,
    engagement_id           uuid         NOT NULL,
    flow_id                 uuid,        -- legacy; model FK to discovery_flows.flow_id, not in migrations
    master_flow_id          uuid,        -- no FK
    discovery_flow_id       uuid,        -- no FK
    name                    varchar(255) NOT NULL,
    asset_name              varchar(255),
    hostname                varchar(255),
    asset_type              varchar(50)  NOT NULL,
    description             text,
    ip_address              varchar(45),
    fqdn                    varchar(255),
    mac_address             varchar(17),
    environment             varchar(50),
    location                varchar(100),
    operating_system        varchar(100),
    os_version              varchar(50),
    cpu_cores               integer,
    memory_gb               double precision,
    storage_gb              double precision,
    business_owner          varchar(255),
    technical_owner         varchar(255),
    application_name        varchar(255),
    criticality             varchar(20),
    business_criticality    varchar(20),
    custom_attributes       json,
    status                  varchar(50),
    dependencies            json,         -- other assets' IDs
    raw_import_records_id   uuid,
    created_at              timestamptz  DEFAULT now(),   -- nullable
    updated_at              timestamptz,
    created_by              uuid,
    updated_by              uuid,
    -- added by 124_add_soft_delete_to_assets
    deleted_at              timestamptz  DEFAULT NULL,
    deleted_by              uuid,
    CONSTRAINT pk_assets PRIMARY KEY (id),
    CONSTRAINT fk_assets_client_account_id_client_accounts
        FOREIGN KEY (client_account_id) REFERENCES migration.client_accounts (id),
    CONSTRAINT fk_assets_engagement_id_engagements
        FOREIGN KEY (engagement_id) REFERENCES migration.engagements (id),
    CONSTRAINT fk_assets_raw_import_records_id_raw_import_records
        FOREIGN KEY (raw_import_records_id) REFERENCES migration.raw_import_records (id)
);
-- NOTE: no index on raw_import_records_id.

-- ---------------------------------------------------------------------
-- Stub: collection_flows (003) -- another child flow type of the master flow
-- ---------------------------------------------------------------------

CREATE TABLE migration.collection_flows (
    id                  uuid PRIMARY KEY,
    flow_id             uuid NOT NULL UNIQUE,
    master_flow_id      uuid REFERENCES migration.crewai_flow_state_extensions (flow_id) ON DELETE CASCADE,
    discovery_flow_id   uuid REFERENCES migration.discovery_flows (id) ON DELETE SET NULL,
    client_account_id   uuid NOT NULL,
    engagement_id       uuid NOT NULL,
    status              varchar(50),
    created_at          timestamptz DEFAULT now(),
    updated_at          timestamptz DEFAULT now()
);

ALTER TABLE migration.crewai_flow_state_extensions
    ADD CONSTRAINT fk_crewai_flow_ext_collection_flow_id
    FOREIGN KEY (collection_flow_id) REFERENCES migration.collection_flows (id) ON DELETE SET NULL;

-- ---------------------------------------------------------------------
-- 6. data_cleansing_recommendations (137) -- keyed by discovery_flows.flow_id
-- ---------------------------------------------------------------------

CREATE TABLE migration.data_cleansing_recommendations (
    id                  uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    flow_id             uuid         NOT NULL
                        REFERENCES migration.discovery_flows (flow_id) ON DELETE CASCADE,
    category            varchar(100) NOT NULL,  -- standardization|validation|enrichment|deduplication
    title               varchar(255) NOT NULL,
    description         text         NOT NULL,
    priority            varchar(20)  NOT NULL,
    impact              text,
    effort_estimate     varchar(100),
    fields_affected     jsonb,
    status              varchar(20)  NOT NULL DEFAULT 'pending',  -- pending|applied|rejected
    action_notes        text,
    applied_by_user_id  varchar(255),
    applied_at          timestamptz,
    client_account_id   uuid         NOT NULL,
    engagement_id       uuid         NOT NULL,
    created_at          timestamptz  NOT NULL DEFAULT now(),
    updated_at          timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX ix_data_cleansing_recommendations_id                ON migration.data_cleansing_recommendations (id);
CREATE INDEX ix_data_cleansing_recommendations_flow_id           ON migration.data_cleansing_recommendations (flow_id);
CREATE INDEX ix_data_cleansing_recommendations_status            ON migration.data_cleansing_recommendations (status);
CREATE INDEX ix_data_cleansing_recommendations_client_account_id ON migration.data_cleansing_recommendations (client_account_id);
CREATE INDEX ix_data_cleansing_recommendations_engagement_id     ON migration.data_cleansing_recommendations (engagement_id);

CREATE FUNCTION migration.update_data_cleansing_recommendations_updated_at_column()
RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$fn$;
CREATE TRIGGER update_data_cleansing_recommendations_updated_at
    BEFORE UPDATE ON migration.data_cleansing_recommendations
    FOR EACH ROW EXECUTE FUNCTION migration.update_data_cleansing_recommendations_updated_at_column();

-- ---------------------------------------------------------------------
-- 7. asset_conflict_resolutions (089, 090, 142) -- discovery dedup decisions
-- ---------------------------------------------------------------------

CREATE TABLE migration.asset_conflict_resolutions (
    id                       uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    client_account_id        uuid         NOT NULL,
    engagement_id            uuid         NOT NULL,
    discovery_flow_id        uuid         NOT NULL,   -- discovery_flows.id (PK, not flow_id)
    master_flow_id           uuid,                    -- deliberately no FK
    data_import_id           uuid,
    conflict_type            varchar(50)  NOT NULL,
    conflict_key             varchar(255) NOT NULL,
    existing_asset_id        uuid         NOT NULL,
    existing_asset_snapshot  jsonb        NOT NULL,
    new_asset_data           jsonb        NOT NULL,
    resolution_status        varchar(20)  NOT NULL DEFAULT 'pending',
    resolution_action        varchar(20),
    merge_field_selections   jsonb,
    resolved_by              uuid,
    resolved_at              timestamptz,
    resolution_notes         text,
    created_at               timestamptz  NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at               timestamptz  NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT fk_asset_conflicts_client FOREIGN KEY (client_account_id) REFERENCES migration.client_accounts (id),
    CONSTRAINT fk_asset_conflicts_engagement FOREIGN KEY (engagement_id) REFERENCES migration.engagements (id),
    CONSTRAINT fk_asset_conflicts_discovery_flow FOREIGN KEY (discovery_flow_id) REFERENCES migration.discovery_flows (id),
    CONSTRAINT fk_asset_conflicts_import FOREIGN KEY (data_import_id) REFERENCES migration.data_imports (id),
    CONSTRAINT fk_asset_conflicts_existing_asset FOREIGN KEY (existing_asset_id) REFERENCES migration.assets (id),
    CONSTRAINT fk_asset_conflicts_resolved_by FOREIGN KEY (resolved_by) REFERENCES migration.users (id),
    CONSTRAINT ck_asset_conflicts_type CHECK (conflict_type IN ('hostname', 'ip_address', 'name', 'environment')),
    CONSTRAINT ck_asset_conflicts_status CHECK (resolution_status IN ('pending', 'resolved', 'skipped', 'system_merged')),
    CONSTRAINT ck_asset_conflicts_action CHECK (
        resolution_action IN ('keep_existing', 'replace_with_new', 'merge') OR resolution_action IS NULL),
    CONSTRAINT ck_asset_conflicts_resolution_consistency CHECK (
        (resolution_status = 'pending' AND resolution_action IS NULL
             AND resolved_by IS NULL AND resolved_at IS NULL)
        OR (resolution_status <> 'pending' AND resolution_action IS NOT NULL))
);
CREATE INDEX ix_asset_conflicts_pending_by_flow
    ON migration.asset_conflict_resolutions (discovery_flow_id, resolution_status)
    WHERE resolution_status = 'pending';
CREATE INDEX ix_asset_conflicts_tenant_scope
    ON migration.asset_conflict_resolutions (client_account_id, engagement_id, discovery_flow_id);
CREATE INDEX ix_asset_conflicts_master_flow
    ON migration.asset_conflict_resolutions (master_flow_id);
CREATE INDEX ix_asset_conflicts_existing_asset
    ON migration.asset_conflict_resolutions (existing_asset_id);
CREATE INDEX ix_asset_conflicts_dedup_key
    ON migration.asset_conflict_resolutions (client_account_id, engagement_id, conflict_type, conflict_key);

-- ---------------------------------------------------------------------
-- 150_security_and_data_integrity: composite tenant FK + tenant index on
-- every tenant-scoped table (ON DELETE CASCADE from the engagement).
-- MATCH SIMPLE: rows with a NULL tenant column are not checked.
-- ---------------------------------------------------------------------

DO $tenant$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'crewai_flow_state_extensions', 'data_imports', 'discovery_flows',
        'raw_import_records', 'import_field_mappings', 'assets', 'collection_flows',
        'data_cleansing_recommendations', 'asset_conflict_resolutions']
    LOOP
        EXECUTE format(
            'ALTER TABLE migration.%I ADD CONSTRAINT %I FOREIGN KEY (client_account_id, engagement_id) '
            'REFERENCES migration.engagements (client_account_id, id) ON DELETE CASCADE',
            t, 'fk_' || t || '_engagement_hierarchy');
        EXECUTE format(
            'CREATE INDEX %I ON migration.%I (client_account_id, engagement_id)',
            'ix_' || t || '_tenant_composite', t);
    END LOOP;
END
$tenant$;


-- user_account_associations: the platform's multi-tenancy authorization table (which user may
-- act for which client account). models/client_account/associations.py.
CREATE TABLE IF NOT EXISTS migration.user_account_associations (
    id                  uuid PRIMARY KEY,
    user_id             uuid NOT NULL REFERENCES migration.users (id) ON DELETE CASCADE,
    client_account_id   uuid NOT NULL REFERENCES migration.client_accounts (id) ON DELETE CASCADE,
    role                varchar(50) NOT NULL DEFAULT 'member',
    created_at          timestamptz DEFAULT now(),
    created_by          uuid REFERENCES migration.users (id)
);

-- Row-level security as the platform's migration 019 sets it up: ENABLED (not FORCED) on
-- crewai_flow_state_extensions, data_imports, discovery_flows and import_field_mappings
-- (raw_import_records has none). The policies name only application_role and postgres, so any
-- other role that is neither the owner nor BYPASSRLS reads ZERO rows from those tables.
DO $rls$
DECLARE t text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'application_role') THEN
        CREATE ROLE application_role;
    END IF;
    FOREACH t IN ARRAY ARRAY['crewai_flow_state_extensions', 'data_imports',
                             'discovery_flows', 'import_field_mappings']
    LOOP
        EXECUTE format('ALTER TABLE migration.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY %I ON migration.%I FOR ALL TO application_role '
            'USING (client_account_id = current_setting(''app.client_id'', true)::uuid)',
            'rls_' || t || '_tenant_isolation', t);
        -- 019 grants this bypass to the role named postgres; change the name if
        -- your superuser is called something else (superusers bypass RLS anyway).
        EXECUTE format('CREATE POLICY %I ON migration.%I FOR ALL TO postgres USING (true)',
                       'rls_' || t || '_superuser_bypass', t);
    END LOOP;
END
$rls$;
CREATE FUNCTION migration.set_tenant_context(p_client_id uuid) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER AS $$
    BEGIN PERFORM set_config('app.client_id', p_client_id::text, false); END $$;
