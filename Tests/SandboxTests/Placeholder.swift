import XCTest
final class SandboxTestsPlaceholder: XCTestCase { func testPlaceholder() {} }
