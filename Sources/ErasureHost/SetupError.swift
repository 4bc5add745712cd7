/// A problem found before anything was sent: the config, a plugin, a workflow, the input or the
/// journal cannot be used as given. The command line exits 2 on it; the description says what
/// to change (file, line, key).
public struct SetupError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
