/// Where exporters get rows: one ordered stream per dataset, optionally for
/// one account only. The transform stages implement it over the store.
public protocol DatasetSource {
    /// The datasets this source can produce.
    var datasets: [DatasetName] { get }
    /// The rows of `dataset`, in the dataset's key order (docs/datasets.md); only `account`'s when given.
    func stream(_ dataset: DatasetName, account: String?) throws -> any RowStream
}
