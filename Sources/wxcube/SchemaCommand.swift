import ArgumentParser

// Placeholder until the transform issue (5) lands.
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "schema", abstract: "Print dataset columns.")
    func run() throws { throw ValidationError("not built yet") }
}
