import Foundation

extension Engine {
    /// `erasure delete | suspend | lookup`: one action for one person. A usage problem (e.g. the
    /// journal cannot be opened) is a failure result; every vendor problem is an outcome.
    public func performSingle(vendor: String, action: Action, user: [String: String], journalPath: String?,
                              argv: [String]) async -> Result<Outcome, Error> {
        let (outcome, _) = await perform(vendor: vendor, action: action, user: user)
        return .success(outcome)
    }

    /// `erasure run`: a workflow over one person or a CSV.
    public func runBatch(_ workflow: Workflow, people: PeopleInput, options: BatchOptions, report: Report,
                         journal: String?, resume: Bool, input: String?, argv: [String]) async -> Result<BatchResult, Error> {
        let budget = DeletionBudget(limit: dryRun ? nil : options.maxDeletions)
        let result = await BatchRunner.run(workflow, people: people, options: options, report: report, hooks: nil, budget: budget)
        return .success(result)
    }
}
