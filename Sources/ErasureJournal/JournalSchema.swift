import ErasureHost
import GRDB

enum JournalSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE runs (
                    id TEXT PRIMARY KEY NOT NULL,
                    workflow TEXT NOT NULL,
                    input_path TEXT,
                    input_sha256 TEXT,
                    config_fingerprint TEXT NOT NULL,
                    dry_run INTEGER NOT NULL,
                    started_at TEXT NOT NULL,
                    ended_at TEXT,
                    argv TEXT NOT NULL
                );
                CREATE INDEX runs_by_workflow ON runs(workflow, started_at);
                CREATE TABLE steps (
                    id INTEGER PRIMARY KEY,
                    run_id TEXT NOT NULL REFERENCES runs(id),
                    person_key TEXT NOT NULL,
                    person_json TEXT NOT NULL,
                    vendor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'done')),
                    outcome TEXT,
                    message TEXT,
                    retryable INTEGER,
                    http_status INTEGER,
                    vendor_id TEXT,
                    updated_at TEXT NOT NULL,
                    receipt_seq INTEGER,
                    UNIQUE (run_id, person_key, vendor, action)
                );
                CREATE INDEX steps_by_state ON steps(run_id, state);
                CREATE TABLE receipts (
                    seq INTEGER PRIMARY KEY,
                    run_id TEXT NOT NULL,
                    step_id INTEGER NOT NULL,
                    person_key TEXT NOT NULL,
                    person_json TEXT NOT NULL,
                    vendor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    outcome TEXT NOT NULL,
                    message TEXT,
                    vendor_id TEXT,
                    time TEXT NOT NULL,
                    requests_json TEXT NOT NULL,
                    bodies_json TEXT,
                    prev_hash TEXT NOT NULL,
                    hash TEXT NOT NULL
                );
                CREATE INDEX receipts_by_run ON receipts(run_id);
                CREATE TABLE chain_head (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    seq INTEGER NOT NULL,
                    hash TEXT NOT NULL
                );
                INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, '\(ReceiptChain.genesis)');
                """)
        }
        // v2: no index on (run_id, state). Every state change (pending → sent → done) moved the
        // step's entry in it, a scattered page write per journal write; the only reader (listing
        // a run's steps in one state) scans the run's steps through the UNIQUE index instead.
        migrator.registerMigration("v2") { db in
            try db.execute(sql: "DROP INDEX IF EXISTS steps_by_state")
        }
        // v3: steps and runs carry a hash of their columns, and table_digests the count and sum of
        // those hashes per table (`RowHash`), so that verify reports an edit of any row.
        migrator.registerMigration("v3") { db in
            try db.execute(sql: """
                ALTER TABLE steps ADD COLUMN row_hash TEXT;
                ALTER TABLE runs ADD COLUMN row_hash TEXT;
                CREATE TABLE table_digests (
                    name TEXT PRIMARY KEY NOT NULL,
                    rows INTEGER NOT NULL,
                    digest TEXT NOT NULL
                );
                """)
        }
        // v4: identities are pseudonymised unless a run says otherwise (`identities`, and the id of
        // the pseudonym key); runs' final chain heads are signed (`signed_by`: the signing key's id,
        // so a signature removed is missed); receipts may be pruned.
        migrator.registerMigration("v4") { db in
            try db.execute(sql: """
                ALTER TABLE runs ADD COLUMN identities TEXT NOT NULL DEFAULT 'clear';
                ALTER TABLE runs ADD COLUMN key_id TEXT;
                ALTER TABLE runs ADD COLUMN signed_by TEXT;
                ALTER TABLE receipts ADD COLUMN pruned INTEGER;
                CREATE TABLE signatures (
                    run_id TEXT PRIMARY KEY NOT NULL,
                    head_seq INTEGER NOT NULL,
                    head_hash TEXT NOT NULL,
                    key_id TEXT NOT NULL,
                    public_key TEXT NOT NULL,
                    signature TEXT NOT NULL
                );
                """)
            try Journal.hashExistingRows(db)
        }
        // v5: what a plugin keeps for a person between the steps of a multi-step flow (ctx.state),
        // by vendor and the person's identity digest (`Journal.identityDigest`), so a later run
        // over the same journal finishes what an earlier one began.
        migrator.registerMigration("v5") { db in
            try db.execute(sql: """
                CREATE TABLE plugin_state (
                    vendor TEXT NOT NULL,
                    person TEXT NOT NULL,
                    key TEXT NOT NULL,
                    value TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    PRIMARY KEY (vendor, person, key)
                );
                """)
        }
        return migrator
    }
}
