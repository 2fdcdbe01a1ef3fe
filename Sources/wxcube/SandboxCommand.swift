import ArgumentParser

// Placeholder until the sandbox lands (issue 3).
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sandbox", abstract: "Run the simulated datacube API.")
    func run() async throws { throw ValidationError("the sandbox is not built yet") }
}
