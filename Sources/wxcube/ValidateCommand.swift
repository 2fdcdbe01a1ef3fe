import ArgumentParser

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "validate", abstract: "Check a pipeline file.")
    @Argument var pipeline: String
    func run() throws { throw ValidationError("not built yet") }
}
