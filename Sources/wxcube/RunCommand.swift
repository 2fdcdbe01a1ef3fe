import ArgumentParser

// Placeholder until fetch and store land (issue 4).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run a pipeline.")
    @Argument var pipeline: String
    func run() async throws { throw ValidationError("not built yet") }
}
