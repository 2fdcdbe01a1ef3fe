/// Why a Parquet file could not be written; each message says what to do.
public enum ParquetError: Error, CustomStringConvertible, Equatable {
    /// A compression library call failed.
    case codec(name: String, operation: String, code: Int)
    /// A null in a column the catalogue declares non-nullable (REQUIRED in the file).
    case nullInRequiredColumn(dataset: String, column: String)
    /// A value whose type is not the column's.
    case typeMismatch(dataset: String, column: String, expected: String, got: String)
    /// A single value too large for a Parquet page (over 2 GiB).
    case valueTooLarge(dataset: String, column: String, bytes: Int)

    public var description: String {
        switch self {
        case .codec(let name, let operation, let code):
            return "\(name) compression failed in \(operation) (code \(code)); try `compression: none` or another codec, and report it as a bug"
        case .nullInRequiredColumn(let dataset, let column):
            return "\(dataset).\(column) is declared non-nullable but a row has null there; this is a wxcube bug, please report it "
                + "(the csv/ndjson outputs of the same run show the row)"
        case .typeMismatch(let dataset, let column, let expected, let got):
            return "\(dataset).\(column) is \(expected) in the catalogue but a row has a \(got); this is a wxcube bug, please report it"
        case .valueTooLarge(let dataset, let column, let bytes):
            return "\(dataset).\(column) has a value of \(bytes) bytes, more than a Parquet page can hold; use csv or ndjson for this dataset"
        }
    }
}
