/// Limits applied to every call made in one runtime.
public struct LuaLimits: Sendable {
    /// Bytes the Lua state may allocate (0 = unlimited).
    public var memoryBytes: Int
    /// Lua VM instructions per call (counted in steps of 1000), nil = unlimited.
    public var instructionBudget: Int64?
    /// Wall-clock time per call, including time spent awaiting async host functions (a call may
    /// set its own: `call(_:_:context:deadline:)`).
    public var deadline: Duration?
    /// How long one call runs Lua before it pauses to let the others run (calls share one state).
    public var timeSlice: Duration
    /// How long past its time slice a call that cannot pause (inside a metamethod, `__close`, a
    /// sort comparator or a gsub callback, where Lua cannot yield) may go on before it is stopped.
    public var holdLimit: Duration
    public init(memoryBytes: Int = 0, instructionBudget: Int64? = nil, deadline: Duration? = nil,
                timeSlice: Duration = .milliseconds(10), holdLimit: Duration = .seconds(1)) {
        self.memoryBytes = memoryBytes
        self.instructionBudget = instructionBudget
        self.deadline = deadline
        self.timeSlice = timeSlice
        self.holdLimit = holdLimit
    }
    public static let unlimited = LuaLimits()
}

/// An error that came out of Lua (or could not go in).
public struct LuaError: Error, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable, Hashable {
        case syntax, runtime, memory, budget, deadline, cancelled, conversion
        /// Ran past its time slice for longer than `LuaLimits.holdLimit` where it could not pause.
        case held
    }
    public var kind: Kind
    /// The message: for a string error it is the string ("plugins/x.lua:12: boom"); for a table
    /// error its `message` field when there is one.
    public var message: String
    /// The error value as raised (a table raised with `error({...})` stays a table).
    public var value: LuaValue
    /// Lua's traceback at the point of the error.
    public var traceback: String?
    public init(kind: Kind, message: String, value: LuaValue = .nil, traceback: String? = nil) {
        self.kind = kind
        self.message = message
        self.value = value.isNil ? .string(LuaString(message)) : value
        self.traceback = traceback
    }
    public var description: String { message }
}

/// Thrown by a host function: reaches Lua as an ordinary (catchable) error.
/// A string message gets the calling Lua line prefixed, like `error("msg")`.
public struct HostError: Error, CustomStringConvertible, Sendable {
    public var value: LuaValue
    public init(_ message: String) { value = .string(LuaString(message)) }
    public init(value: LuaValue) { self.value = value }
    public var description: String {
        if case .string(let s) = value { return s.description }
        if case .string(let s) = value["message"] { return s.description }
        return value.description
    }
}
