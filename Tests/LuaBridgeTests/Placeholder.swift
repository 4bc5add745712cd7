import XCTest
final class LuaBridgeTestsPlaceholder: XCTestCase { func testPlaceholder() {} }
