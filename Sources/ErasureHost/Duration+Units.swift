extension Duration {
    /// Whole nanoseconds (saturating), for APIs that take them.
    package var nanoseconds: Int64 {
        let (s, overflow) = components.seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? (components.seconds < 0 ? .min : .max) : s &+ components.attoseconds / 1_000_000_000
    }

    /// Seconds as a floating-point number.
    package var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
