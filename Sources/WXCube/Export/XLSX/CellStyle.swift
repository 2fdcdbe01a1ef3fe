import Foundation

/// A cell style: its raw value is its index into styles.xml's cellXfs, which
/// `WorkbookParts.styles` writes in this order.
enum CellStyle: Int, CaseIterable {
    case normal = 0
    /// Bold, for header cells.
    case header
    /// 0.00% (built-in format 10).
    case percent
    /// yyyy-mm-dd.
    case date
    /// Wrapped text (the About sheet).
    case wrap
    /// 0.00 (built-in format 2).
    case twoDecimals

    /// The `s` attribute's value.
    var attribute: String { String(rawValue) }

    /// `" s="N"><v>` (or `"><v>` for the normal style): the end of a number cell's opening tag.
    var numberOpen: [UInt8] { Array((self == .normal ? "\"><v>" : "\" s=\"\(rawValue)\"><v>").utf8) }
}
