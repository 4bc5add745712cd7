// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "erasure",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "erasure", targets: ["erasure"]),
        .executable(name: "erasure-bench", targets: ["erasure-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
        // Already in the graph through Hummingbird; declared so Sandbox may import NIOCore
        // (closing a connection for the "drop" fault), ServiceLifecycle (graceful stop), HTTPTypes.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // Debian's liblua5.4 (pkg-config lua5.4), imported as a system library.
        .systemLibrary(
            name: "CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]
        ),
        // static inline wrappers of Lua's macros, the one host-call trampoline,
        // the capped allocator and the count hook. The only C that raises or yields.
        .target(name: "CLuaShim", dependencies: ["CLua"]),
        // Generic Swift <-> Lua bridge. Knows nothing of HTTP, plugins or vendors. Its Lua (the
        // sandbox) is in lua/, compiled into the binary.
        .target(name: "LuaBridge", dependencies: ["CLua", "CLuaShim"], resources: [.embedInCode("lua")]),
        // Local emulators of the five vendor APIs, with fault injection.
        .target(name: "Sandbox", dependencies: [
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // Process-level system calls (malloc tuning) that Swift cannot make directly.
        .target(name: "CErasureSystem"),
        // What every plugin call stands on: the HTTP gate (allowlist, dry-run, retries, rate
        // limits), auth, redaction, logging, digests, and erasure.toml. Knows nothing of Lua.
        .target(name: "ErasureHost", dependencies: [
            "CErasureSystem",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        // The journal: runs, steps and hash-chained receipts in SQLite (GRDB). Knows nothing of
        // plugins or workflows: it stores what the run layer hands it.
        .target(name: "ErasureJournal", dependencies: [
            "ErasureHost",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Plugins: find, load and check them; the `ctx` they see (its Lua side in lua/, compiled
        // into the binary); the engine that runs one plugin action and turns what happened into
        // an outcome.
        .target(name: "ErasurePlugins", dependencies: [
            "LuaBridge", "ErasureHost",
            .product(name: "Logging", package: "swift-log"),
        ], resources: [.embedInCode("lua")]),
        // A run: a person through a workflow (Lua), a batch of people from a CSV, plans (made by
        // a dry run, applied exactly), and the adapter that journals every step.
        .target(name: "ErasureRun", dependencies: [
            "LuaBridge", "ErasureHost", "ErasureJournal", "ErasurePlugins",
            .product(name: "CSV", package: "CSV.swift"),
        ]),
        // The plugin kit: `erasure plugins new` (scaffolds from lua/) and `erasure plugins test`
        // (a plugin's Lua tests against its mock vendor, served on loopback; the kit's Lua in lua/).
        .target(name: "PluginKit", dependencies: [
            "LuaBridge", "ErasureHost", "ErasurePlugins", "ErasureRun",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ], resources: [.embedInCode("lua")]),
        // The command line: one file per command, report rendering, usage errors and exit codes.
        .executableTarget(name: "erasure", dependencies: [
            "ErasureHost", "ErasureJournal", "ErasurePlugins", "ErasureRun", "Sandbox", "PluginKit",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "erasure-bench", dependencies: [
            "LuaBridge", "ErasureHost", "ErasureJournal", "ErasurePlugins", "ErasureRun", "Sandbox",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ], resources: [.embedInCode("lua")]),
        .testTarget(name: "LuaBridgeTests", dependencies: ["LuaBridge"]),
        .testTarget(name: "SandboxTests", dependencies: [
            "Sandbox", .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // What several test targets share: a recording HTTP test server, a folder of test plugins
        // with the real engine started over it, stderr capture, the independent Python checks.
        .target(name: "ErasureTesting", dependencies: [
            "ErasureHost", "ErasurePlugins", "ErasureRun",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ], path: "Tests/ErasureTesting"),
        .testTarget(name: "ErasureHostTests", dependencies: [
            "ErasureHost", "ErasureTesting", "Sandbox",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .testTarget(name: "ErasureJournalTests", dependencies: [
            "ErasureJournal", "ErasureHost", "ErasureTesting", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "ErasurePluginsTests", dependencies: [
            "ErasurePlugins", "ErasureHost", "LuaBridge", "ErasureTesting",
        ]),
        .testTarget(name: "ErasureRunTests", dependencies: [
            "ErasureRun", "ErasurePlugins", "ErasureJournal", "ErasureHost", "LuaBridge", "ErasureTesting",
        ]),
        // The built `erasure` binary driven end to end against the sandbox.
        .testTarget(name: "erasureTests", dependencies: [
            "Sandbox", "ErasureTesting",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
        ], exclude: ["Attacks", "Tools"]),
    ]
)
