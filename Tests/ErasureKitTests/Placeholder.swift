import XCTest
final class ErasureKitTestsPlaceholder: XCTestCase { func testPlaceholder() {} }
