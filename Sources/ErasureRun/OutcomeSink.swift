import ErasurePlugins

/// Where a run's outcomes go as they happen (the command line's report), in the order each
/// person produced them. Called from many people's tasks at once. `person` names the person
/// (their first identity key as given, `email=ada@example.com`); nil for a single action.
public protocol OutcomeSink: Sendable {
    func add(_ outcome: Outcome, line: Int?, person: String?)
}
