import Foundation

// The 2025 published-content endpoints' items are read with their Codable
// models (`Sources/WXCube/Endpoints/`), is_delay included; they share the
// run's decoded-body cache like the datacube items.
extension PublishedTotalItem: CodableStoredListItem {}
extension PublishedReadItem: CodableStoredListItem {}
extension PublishedShareItem: CodableStoredListItem {}
extension BizSummaryItem: CodableStoredListItem {}
