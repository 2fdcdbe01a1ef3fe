import Yams

/// A node of the pipeline file. A stage's `read` passes it back to its
/// `StageBlockReader` to read a value or to report a mistake at its line and
/// column; the YAML library stays behind this file and `SpecLoader.swift`.
struct SpecNode {
    let node: Node
}

/// One key of a YAML mapping, with the nodes of its key and value (`Node`
/// in the loader, `SpecNode` in a stage's `read`).
struct YAMLEntry<N> {
    var key: String
    var keyNode: N
    var value: N
}

/// A YAML mapping, keys in file order.
struct YAMLMapping<N> {
    var entries: [YAMLEntry<N>]
    subscript(key: String) -> YAMLEntry<N>? { entries.first { $0.key == key } }
}

typealias SpecEntry = YAMLEntry<SpecNode>
typealias SpecMapping = YAMLMapping<SpecNode>

extension YAMLMapping where N == SpecNode {
    init(_ m: YAMLMapping<Node>) {
        entries = m.entries.map { YAMLEntry(key: $0.key, keyNode: SpecNode(node: $0.keyNode), value: SpecNode(node: $0.value)) }
    }
}

/// What the stages before a block provide: the endpoints fetched and the
/// datasets produced. A stage's `read` checks what it needs against it (the
/// loader's cross-stage checks), and the outputs check their datasets against
/// the final one.
struct StageContext {
    var fetched: Set<Endpoint> = []
    var produced: Set<DatasetName> = []
}

/// What a stage reads its block of the pipeline file with: the loader's
/// helpers, each reporting a mistake at the node's line and column (so
/// `validate` prints FILE:LINE:COLUMN). Every message starts with a path such
/// as `stages[2].flatten`; the stage's own code says the rest.
struct StageBlockReader {
    /// `stages[i].<kind>`: where the block is, for messages.
    let path: String
    /// The block: the value of the stage's one key.
    let node: SpecNode
    private let reader: SpecReader

    init(reader: SpecReader, path: String, node: SpecNode) {
        self.reader = reader
        self.path = path
        self.node = node
    }

    /// The block as a mapping, each key checked against `keys`; nil (and
    /// reported) when the block is not a mapping.
    func mapping(keys: [String]) -> SpecMapping? {
        guard let m = reader.mapping(node.node, path) else { return nil }
        reader.checkKeys(m, allowed: keys, in: path)
        return SpecMapping(m)
    }

    func mapping(_ node: SpecNode, _ path: String) -> SpecMapping? { reader.mapping(node.node, path).map(SpecMapping.init) }

    func sequence(_ node: SpecNode, _ path: String) -> [SpecNode]? {
        reader.sequence(node.node, path).map { $0.map(SpecNode.init(node:)) }
    }

    /// A scalar with `${VAR}` substituted.
    func string(_ node: SpecNode, _ path: String) -> String? { reader.string(node.node, path) }

    func int(_ node: SpecNode, _ path: String, in range: ClosedRange<Int>? = nil) -> Int? { reader.int(node.node, path, in: range) }

    func datasetName(_ node: SpecNode, _ path: String) -> DatasetName? { reader.datasetName(node.node, path) }

    /// A scalar as written, before `${VAR}` substitution: what a message may show.
    func shown(_ node: SpecNode) -> String { reader.shown(node.node) }

    /// A mistake at the node's line and column: the pipeline file is not valid.
    func error(_ node: SpecNode, _ message: String) { reader.error(node.node, message) }

    /// Allowed, but worth a word (`validate` prints it; the run goes on).
    func warning(_ node: SpecNode, _ message: String) { reader.warning(node.node, message) }
}
