import ErasureHost
import Foundation
import GRDB

/// The run journal: an SQLite file (WAL, `synchronous = FULL`) recording runs, the state of
/// every (person, vendor, action) step, and a hash-chained receipt per completed step.
///
/// How the run layer drives it (ErasureRun's `JournalHooks`):
///
///     let journal = try Journal.open(path: journalPath, redact: redactor.redact)
///     let run = resume
///         ? try await journal.runToResume(workflow: wf, inputSHA256: sha, dryRun: dryRun).id  // refuses a changed input
///         : try await journal.beginRun(RunInfo(workflow: wf, inputPath: csv, inputSHA256: sha,
///                                              configFingerprint: fp, dryRun: dryRun, argv: redactedArgv))
///     // per person (PersonRef(line:identity:)), per (vendor, action) the workflow reaches:
///     let key = StepKey(run: run, person: person, vendor: vendor, action: action)
///     switch try await journal.step(key)?.state {   // resuming: done → report the stored outcome;
///     ...                                           // sent → look the person up again first
///     }
///     try await journal.markSent(key)      // durable when it returns; ONLY THEN send the mutating request
///     ...send...
///     let pending = try journal.startComplete(key, result: StepResult(...), evidence: ReceiptEvidence(requests: ...))
///     try await pending.receipt()          // durable: only now does the step count as done
///     try await journal.endRun(run)
///
/// A step with no mutating request (not_found, skipped, planned, failed lookup) is only completed.
/// `complete` is `startComplete` awaited at once.
///
/// All methods are safe to call concurrently; writes are serialised and group-committed
/// (`GroupCommitWriter`: one fsync for every write queued meanwhile), reads run in parallel
/// on WAL snapshots.
public final class Journal: Sendable {
    public let path: String
    let pool: DatabasePool
    let redact: @Sendable (String) -> String
    /// Whether identities are stored as pseudonyms (the key) or in clear (nil).
    public let key: JournalKey?
    /// Signs each run's final chain head when it ends (nil: runs are not signed).
    public let signer: SigningKey?
    let writer: GroupCommitWriter
    /// Redacted (key, identity JSON) of the people written lately: every step of a person has the
    /// same, and redacting them (the longest texts of a step) on each write was measurable.
    private let redactedPeople = Locked<[PersonRef: (key: String, json: String, pseudonyms: Pseudonyms?)]>([:])

    private init(path: String, pool: DatabasePool, redact: @escaping @Sendable (String) -> String, key: JournalKey?,
                 signer: SigningKey?) {
        self.path = path
        self.pool = pool
        self.key = key
        self.signer = signer
        self.redact = { JournalText.storable(redact($0)) }
        self.writer = GroupCommitWriter(pool: pool)
    }

    /// Opens the journal at `path`, creating it (and migrating it) when needed.
    /// `redact` is applied to every caller-supplied text before it is written (and to the keys
    /// used to look steps up, so lookups stay consistent): a last defence against secrets. A NUL
    /// in a text is then stored as U+FFFD (`JournalText.storable`). With `pseudonymsUnder`, every
    /// identity value of a person is stored as its pseudonym under that key (`Pseudonyms`),
    /// wherever it occurs; without, in clear (recorded in each run row). With `signingWith`, each
    /// run's final chain head is signed when the run ends (`RunSignature`).
    public static func open(path: String, redact: @escaping @Sendable (String) -> String = { $0 },
                            pseudonymsUnder key: JournalKey? = nil, signingWith signer: SigningKey? = nil) throws -> Journal {
        var config = Configuration()
        config.maximumReaderCount = 8
        config.busyMode = .timeout(10)
        config.label = "erasure.journal"
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: config)
            // GRDB sets NORMAL in WAL mode; FULL syncs the WAL at every commit, so a committed
            // `sent` or outcome survives a power loss, not only a process crash.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            try JournalSchema.migrator.migrate(pool)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw JournalError.notAJournal(path: path, reason: "not an SQLite database")
        }
        return Journal(path: path, pool: pool, redact: redact, key: key, signer: signer)
    }

    /// Opens an existing journal; never creates a file. For commands that only read it
    /// (`erasure journal verify|show|export`).
    public static func openExisting(path: String, redact: @escaping @Sendable (String) -> String = { $0 },
                                    pseudonymsUnder key: JournalKey? = nil) throws -> Journal {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw JournalError.notFound(path: path)
        }
        // Refuse an SQLite file that is not a journal rather than adding tables to it.
        do {
            var config = Configuration()
            config.readonly = true
            let probe = try DatabaseQueue(path: path, configuration: config)
            let hasRuns = try probe.read { db in try db.tableExists("runs") && db.tableExists("receipts") }
            try probe.close()
            guard hasRuns else {
                throw JournalError.notAJournal(path: path, reason: "it has no runs/receipts tables")
            }
        } catch let error as DatabaseError {
            throw JournalError.notAJournal(path: path, reason: error.message ?? "\(error)")
        }
        return try open(path: path, redact: redact, pseudonymsUnder: key)
    }

    /// What stands for a person's identity where a digest of it is kept (a run's input): a keyed
    /// digest under the journal key (a plain SHA-256 of an e-mail address is a guess away from it),
    /// or the SHA-256 of the canonical identity JSON when identities are kept in clear.
    public func identityDigest(_ identity: [String: String]) -> String {
        let json = PersonRef.canonicalJSON(identity)
        return key?.digest(json) ?? Digest.sha256Hex(Array(json.utf8))
    }

    /// Closes the database connections. Later calls fail.
    public func close() throws {
        try pool.close()
    }

    // MARK: - runs

    /// Records a new run and returns its id.
    public func beginRun(_ info: RunInfo) async throws -> RunID {
        let id = RunID(UUID().uuidString.lowercased())
        let pseudonyms = key.map { Pseudonyms(identity: info.identity, key: $0) }
        let r: @Sendable (String) -> String = { [redact] s in pseudonyms?.apply(redact(s)) ?? redact(s) }
        let argvJSON = "[" + info.argv.map { JournalText.jsonQuoted(r($0)) }.joined(separator: ",") + "]"
        let (identities, keyID) = key.map { ("pseudonymised", $0.id) } ?? ("clear", nil)
        let signedBy = signer?.id
        let (workflow, inputPath, inputSHA256) = (r(info.workflow), info.inputPath.map(r), info.inputSHA256.map(r))
        let (fingerprint, startedAt) = (r(info.configFingerprint), JournalTime.string(info.startedAt))
        let hash = RowHash.run([.text(id.rawValue), .text(workflow), .init(inputPath), .init(inputSHA256),
                                .text(fingerprint), .init(info.dryRun), .text(startedAt), .null, .text(argvJSON),
                                .text(identities), .init(keyID), .init(signedBy)])
        try await writer.submit { db, tx in
            try db.execute(sql: """
                INSERT INTO runs (id, workflow, input_path, input_sha256, config_fingerprint, dry_run,
                                  started_at, ended_at, argv, identities, key_id, signed_by, row_hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?)
                """, arguments: [id.rawValue, workflow, inputPath, inputSHA256, fingerprint, info.dryRun, startedAt,
                                 argvJSON, identities, keyID, signedBy, Digest.hex(hash)])
            try tx.state.replaceRow(in: "runs", old: nil, new: hash, db)
        }
        return id
    }

    /// Marks the run as ended (now, or `at`) and, with a signer, signs its final chain head.
    public func endRun(_ run: RunID, at date: Date = Date()) async throws {
        let signer = self.signer
        try await writer.submit { db, tx in
            try db.execute(sql: "UPDATE runs SET ended_at = ?, signed_by = ? WHERE id = ?",
                           arguments: [JournalTime.string(date), signer?.id, run.rawValue])
            if db.changesCount == 0 { throw JournalError.unknownRun(run) }
            try Self.rehashRun(db, tx, id: run.rawValue)
            if let signer { try Self.sign(run: run.rawValue, with: signer, db, tx) }
        }
    }

    /// The run with that id, or nil.
    public func run(_ id: RunID) async throws -> RunRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE id = ?", arguments: [id.rawValue]).map(Self.runRecord)
        }
    }

    /// Every run, oldest first.
    public func runs() async throws -> [RunRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM runs ORDER BY started_at, rowid").map(Self.runRecord)
        }
    }

    /// The latest run of `workflow` with this dry-run flag (whatever its input), or nil.
    public func latestRun(workflow: String, dryRun: Bool) async throws -> RunRecord? {
        let workflow = redact(workflow)
        return try await pool.read { db in
            try Row.fetchOne(db, sql: """
                SELECT * FROM runs WHERE workflow = ? AND dry_run = ? ORDER BY started_at DESC, rowid DESC LIMIT 1
                """, arguments: [workflow, dryRun]).map(Self.runRecord)
        }
    }

    /// The latest run of `workflow` over exactly this input (SHA-256) and dry-run flag, or nil.
    public func findResumableRun(workflow: String, inputSHA256: String?, dryRun: Bool) async throws -> RunRecord? {
        let workflow = redact(workflow)
        let sha = inputSHA256.map(redact)
        return try await pool.read { db in
            try Row.fetchOne(db, sql: """
                SELECT * FROM runs WHERE workflow = ? AND input_sha256 IS ? AND dry_run = ?
                ORDER BY started_at DESC, rowid DESC LIMIT 1
                """, arguments: [workflow, sha, dryRun]).map(Self.runRecord)
        }
    }

    /// The latest run of `workflow` over this input that never ended (interrupted or crashed), or nil.
    public func unfinishedRun(workflow: String, inputSHA256: String?, dryRun: Bool) async throws -> RunRecord? {
        let workflow = redact(workflow)
        let sha = inputSHA256.map(redact)
        return try await pool.read { db in
            try Row.fetchOne(db, sql: """
                SELECT * FROM runs WHERE workflow = ? AND input_sha256 IS ? AND dry_run = ? AND ended_at IS NULL
                ORDER BY started_at DESC, rowid DESC LIMIT 1
                """, arguments: [workflow, sha, dryRun]).map(Self.runRecord)
        }
    }

    /// Checks that `run` may be resumed with this input: same SHA-256, same dry-run flag.
    /// Throws `JournalError.inputChanged` / `.dryRunMismatch` with a message for the operator.
    public static func validateResume(run: RunRecord, inputSHA256: String?, dryRun: Bool) throws {
        if run.inputSHA256 != inputSHA256 {
            throw JournalError.inputChanged(run: run.id, inputPath: run.inputPath,
                                            recorded: run.inputSHA256, actual: inputSHA256)
        }
        if run.dryRun != dryRun {
            throw JournalError.dryRunMismatch(run: run.id, recordedDryRun: run.dryRun)
        }
    }

    /// What `--resume` uses: the latest run of `workflow` (same dry-run flag), validated against
    /// the input's SHA-256. Throws `.noRunToResume` or `.inputChanged`.
    public func runToResume(workflow: String, inputSHA256: String?, dryRun: Bool) async throws -> RunRecord {
        guard let run = try await latestRun(workflow: workflow, dryRun: dryRun) else {
            throw JournalError.noRunToResume(workflow: workflow)
        }
        try Self.validateResume(run: run, inputSHA256: inputSHA256, dryRun: dryRun)
        return run
    }

    // MARK: - steps

    /// Records steps as `pending` (one transaction for the whole array). Steps that already
    /// exist keep their state — calling it again on resume is harmless.
    public func markPending(_ keys: [StepKey]) async throws {
        if keys.isEmpty { return }
        let rows = keys.map(redactedKey)
        let now = JournalTime.string(Date())
        try await writer.submit { db, tx in
            for k in rows where try Self.existingStep(db, k) == nil {
                let row = StepRow(id: try tx.state.nextStepID(db), key: k, state: .pending, updatedAt: now)
                try Self.writeStep(db, tx, row, replacing: nil)
            }
        }
    }

    /// Records that the mutating request of this step is about to be sent. Returns only once the
    /// state is committed to disk: send the request AFTER this returns. A step already done with
    /// an outcome other than `failed` is refused (`JournalError.alreadyDone`); a failed one may
    /// be retried (its old receipt stays in the chain). Returns the step id.
    @discardableResult
    public func markSent(_ key: StepKey) async throws -> Int64 {
        let k = redactedKey(key)
        let now = JournalTime.string(Date())
        // One modifying statement (no savepoint needed): a step already final is left as it is.
        let id = try await writer.submit(savepoint: false) { db, tx -> Int64? in
            let existing = try Self.existingStep(db, k)
            if existing?.isFinal == true { return nil }
            let row = StepRow(id: try existing?.id ?? tx.state.nextStepID(db), key: k, state: .sent, updatedAt: now,
                              receiptSeq: existing?.receiptSeq)
            try Self.writeStep(db, tx, row, replacing: existing)
            return row.id
        }
        guard let id else { throw try await alreadyDone(k) }
        return id
    }

    /// Records the outcome of a step and its receipt in ONE transaction, durable when this
    /// returns; only then does the step count as done. The step need not have been pending or
    /// sent before (a lookup that found nothing completes directly). Refuses a step already
    /// done with an outcome other than `failed`. Returns the stored receipt.
    @discardableResult
    public func complete(_ key: StepKey, result: StepResult, evidence: ReceiptEvidence = ReceiptEvidence(),
                         at date: Date = Date()) async throws -> Receipt {
        try await startComplete(key, result: result, evidence: evidence, at: date).receipt()
    }

    /// `complete`, queued now and awaited later: every write submitted after this returns is
    /// committed in the same transaction or a later one (the writer is FIFO), so a caller may go
    /// on, e.g. to the person's next request, while this commits, and still never have a later
    /// step durable before this one. The step counts as done only once `receipt()` returns.
    public func startComplete(_ key: StepKey, result: StepResult, evidence: ReceiptEvidence = ReceiptEvidence(),
                              at date: Date = Date()) throws -> PendingReceipt {
        let k = redactedKey(key)
        let r = k.text
        let outcome = redact(result.outcome)
        let message = result.message.map(r)
        let vendorID = result.vendorID.map(r)
        let time = JournalTime.string(date)
        let requests = evidence.requests.map { req in
            ReceiptRequest(method: r(req.method), url: r(req.url), status: req.status, time: req.time,
                          requestSHA256: req.requestSHA256, responseSHA256: req.responseSHA256)
        }
        let requestsJSON = ReceiptRequest.jsonArray(requests)
        let bodiesJSON = try evidence.bodies.map { bodies in
            try Self.encodeJSON(bodies.map { BodyRecord(request: $0.request.map(r), response: $0.response.map(r)) })
        }
        let retryable = result.retryable
        let httpStatus = result.httpStatus
        let pending = writer.enqueue(savepoint: true) { db, tx -> Receipt? in
            let existing = try Self.existingStep(db, k)
            if existing?.isFinal == true { return nil }   // already final: nothing written
            let head = try tx.state.chainHead(db)
            let seq = head.seq + 1
            let step = StepRow(id: try existing?.id ?? tx.state.nextStepID(db), key: k, state: .done, outcome: outcome,
                               message: message, retryable: retryable, httpStatus: httpStatus, vendorID: vendorID,
                               updatedAt: time, receiptSeq: seq)
            try Self.writeStep(db, tx, step, replacing: existing)
            let stepID = step.id
            var receipt = Receipt(seq: seq, run: RunID(k.run), stepID: stepID, personKey: k.personKey,
                                  personJSON: k.personJSON, vendor: k.vendor, action: k.action, outcome: outcome,
                                  message: message, vendorID: vendorID, time: time, requestsJSON: requestsJSON,
                                  bodiesJSON: bodiesJSON, prevHash: head.hash, hash: "")
            receipt.hash = ReceiptChain.hash(ReceiptChain.values(receipt))
            try db.cachedStatement(sql: """
                INSERT INTO receipts (seq, run_id, step_id, person_key, person_json, vendor, action, outcome,
                                      message, vendor_id, time, requests_json, bodies_json, prev_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [seq, k.run, stepID, k.personKey, k.personJSON, k.vendor, k.action,
                                 outcome, message, vendorID, time, requestsJSON, bodiesJSON, head.hash, receipt.hash])
            // chain_head is written once per transaction, by the writer, before the commit.
            tx.state.setChainHead(seq: seq, hash: receipt.hash)
            return receipt
        }
        return PendingReceipt(journal: self, key: k, pending: pending)
    }

    /// A `complete` queued by `startComplete`.
    public struct PendingReceipt: Sendable {
        let journal: Journal
        let key: RedactedKey
        let pending: GroupCommitWriter.Pending<Receipt?>

        /// The stored receipt, once durable. Throws `JournalError.alreadyDone` when the step was
        /// already final (nothing was written), or the write's error.
        @discardableResult
        public func receipt() async throws -> Receipt {
            guard let receipt = try await pending.value else { throw try await journal.alreadyDone(key) }
            return receipt
        }
    }

    /// The stored step, or nil when the journal never saw it.
    public func step(_ key: StepKey) async throws -> StepRecord? {
        let k = redactedKey(key)
        return try await pool.read { db in
            try Row.fetchOne(db.cachedStatement(sql: """
                SELECT * FROM steps WHERE run_id = ? AND person_key = ? AND vendor = ? AND action = ?
                """), arguments: [k.run, k.personKey, k.vendor, k.action]).map(Self.stepRecord)
        }
    }

    /// The step's state, or nil when the journal never saw it.
    public func stepState(_ key: StepKey) async throws -> StepState? {
        try await step(key)?.state
    }

    /// True when the step is done (any outcome, `failed` included).
    public func isDone(_ key: StepKey) async throws -> Bool {
        try await stepState(key) == .done
    }

    /// True when the step is done with an outcome other than `failed`: skip it on resume.
    public func isFinal(_ key: StepKey) async throws -> Bool {
        try await step(key)?.isFinal ?? false
    }

    /// The run's steps in `state`, in insertion order. On resume, steps left `sent` are the ones
    /// whose request may or may not have reached the vendor: look the person up again first.
    public func steps(inState state: StepState, run: RunID) async throws -> [StepRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM steps WHERE run_id = ? AND state = ? ORDER BY id",
                             arguments: [run.rawValue, state.rawValue]).map(Self.stepRecord)
        }
    }

    /// Every step of a run, in insertion order.
    public func steps(run: RunID) async throws -> [StepRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM steps WHERE run_id = ? ORDER BY id",
                             arguments: [run.rawValue]).map(Self.stepRecord)
        }
    }

    /// Receipts of a run (all runs when nil), in chain order.
    public func receipts(run: RunID? = nil) async throws -> [Receipt] {
        try await pool.read { db in
            if let run {
                return try Row.fetchAll(db, sql: "SELECT * FROM receipts WHERE run_id = ? ORDER BY seq",
                                        arguments: [run.rawValue]).map(Self.receipt)
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM receipts ORDER BY seq").map(Self.receipt)
        }
    }

    // MARK: - internals

    /// A step's key as stored: redacted, and with the person's identity values pseudonymised.
    struct RedactedKey: Sendable {
        var run: String
        var personKey: String
        var personJSON: String
        var vendor: String
        var action: String
        let redact: @Sendable (String) -> String
        let pseudonyms: Pseudonyms?
        var description: String { "\(vendor)/\(action) for \(personKey) in run \(run)" }

        /// A text about this step as stored: redacted, the person's identity values pseudonymised.
        func text(_ s: String) -> String { pseudonyms?.apply(redact(s)) ?? redact(s) }
    }

    func redactedKey(_ key: StepKey) -> RedactedKey {
        let person: (key: String, json: String, pseudonyms: Pseudonyms?)
        if let known = redactedPeople.withLock({ $0[key.person] }) {
            person = known
        } else if let journalKey = self.key {
            let p = Pseudonyms(identity: Pseudonyms.identity(ofJSON: key.person.identityJSON), key: journalKey)
            person = (p.apply(redact(key.person.key)), p.apply(redact(key.person.identityJSON)), p)
            redactedPeople.withLock { cache in
                if cache.count >= 4096 { cache.removeAll(keepingCapacity: true) }
                cache[key.person] = person
            }
        } else {
            person = (redact(key.person.key), redact(key.person.identityJSON), nil)
            redactedPeople.withLock { cache in
                if cache.count >= 4096 { cache.removeAll(keepingCapacity: true) }   // a batch's people in flight fit
                cache[key.person] = person
            }
        }
        return RedactedKey(run: key.run.rawValue, personKey: person.key, personJSON: person.json,
                           vendor: redact(key.vendor), action: redact(key.action), redact: redact,
                           pseudonyms: person.pseudonyms)
    }

    /// The condition under which an existing step may still be written: not done with an
    /// outcome other than `failed` (`steps` is the row in the table, as in an upsert's WHERE).
    static let notFinal = "NOT (steps.state = 'done' AND steps.outcome IS NOT NULL AND steps.outcome <> 'failed')"

    /// The error for a write refused because the step is final.
    func alreadyDone(_ k: RedactedKey) async throws -> JournalError {
        let outcome = try await pool.read { db in
            try String.fetchOne(db, sql: """
                SELECT outcome FROM steps WHERE run_id = ? AND person_key = ? AND vendor = ? AND action = ?
                """, arguments: [k.run, k.personKey, k.vendor, k.action])
        }
        return JournalError.alreadyDone(step: k.description, outcome: outcome ?? "done")
    }

    /// steps.run_id references runs(id): a step of an unknown run fails the foreign key.
    static func mapForeignKey<T>(_ k: RedactedKey, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY {
            throw JournalError.unknownRun(RunID(k.run))
        }
    }

    static func encodeJSON<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func runRecord(_ row: Row) -> RunRecord {
        let argvText: String = row["argv"] ?? "[]"
        let argv = (try? JSONDecoder().decode([String].self, from: Data(argvText.utf8))) ?? []
        return RunRecord(id: RunID(row["id"]), workflow: row["workflow"], inputPath: row["input_path"],
                         inputSHA256: row["input_sha256"], configFingerprint: row["config_fingerprint"],
                         dryRun: row["dry_run"], startedAt: row["started_at"], endedAt: row["ended_at"], argv: argv,
                         identities: row["identities"] ?? "clear", keyID: row["key_id"], signedBy: row["signed_by"])
    }

    static func stepRecord(_ row: Row) -> StepRecord {
        StepRecord(id: row["id"], run: RunID(row["run_id"]),
                   person: PersonRef(key: row["person_key"], identityJSON: row["person_json"]),
                   vendor: row["vendor"], action: row["action"],
                   state: StepState(rawValue: row["state"]) ?? .pending, outcome: row["outcome"],
                   message: row["message"], retryable: row["retryable"], httpStatus: row["http_status"],
                   vendorID: row["vendor_id"], updatedAt: row["updated_at"], receiptSeq: row["receipt_seq"])
    }

    static func receipt(_ row: Row) -> Receipt {
        Receipt(seq: row["seq"], run: RunID(row["run_id"] ?? ""), stepID: row["step_id"] ?? 0,
                personKey: row["person_key"] ?? "", personJSON: row["person_json"] ?? "",
                vendor: row["vendor"] ?? "", action: row["action"] ?? "", outcome: row["outcome"] ?? "",
                message: row["message"], vendorID: row["vendor_id"], time: row["time"] ?? "",
                requestsJSON: row["requests_json"] ?? "[]", bodiesJSON: row["bodies_json"],
                prevHash: row["prev_hash"] ?? "", hash: row["hash"] ?? "", pruned: (row["pruned"] as Int64?) == 1)
    }
}
