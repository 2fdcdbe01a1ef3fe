import ArgumentParser

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: "Show the calls a run would make.")
    @Argument var pipeline: String
    func run() async throws { throw ValidationError("not built yet") }
}
