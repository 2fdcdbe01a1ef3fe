import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import WXCube

public enum SandboxError: Error, CustomStringConvertible {
    case noAccounts(Int)
    case badTokenLifetime(Int)
    case stoppedBeforeListening(String)

    public var description: String {
        switch self {
        case .noAccounts(let n): return "the sandbox needs at least 1 account, not \(n): pass --accounts 1 or more"
        case .badTokenLifetime(let n): return "the token lifetime must be at least 1 second, not \(n)"
        case .stoppedBeforeListening(let why): return "the sandbox could not start listening: \(why). Is the port free?"
        }
    }
}

/// The simulated datacube API, on Hummingbird. Start it, point a client at `baseURL`, stop it.
public final class SandboxServer: Sendable {
    public let baseURL: String
    public let accounts: [SandboxAccount]
    public let configuration: SandboxConfiguration
    private let state: SandboxState
    private let group: ServiceGroup
    private let runTask: Task<Void, Never>

    private init(baseURL: String, configuration: SandboxConfiguration, state: SandboxState, group: ServiceGroup, runTask: Task<Void, Never>) {
        self.baseURL = baseURL
        self.accounts = SandboxAccount.list(configuration.accounts)
        self.configuration = configuration
        self.state = state
        self.group = group
        self.runTask = runTask
    }

    /// Starts listening and returns once the port is bound.
    public static func start(_ configuration: SandboxConfiguration) async throws -> SandboxServer {
        guard configuration.accounts >= 1 else { throw SandboxError.noAccounts(configuration.accounts) }
        guard configuration.tokenLifetimeSeconds >= 1 else { throw SandboxError.badTokenLifetime(configuration.tokenLifetimeSeconds) }
        let state = SandboxState()
        let handler = SandboxHandler(configuration: configuration, state: state)
        var logger = Logger(label: "wxcube.sandbox")
        logger.logLevel = .warning
        let (events, continuation) = AsyncStream.makeStream(of: Result<Int, SandboxError>.self)
        let app = Application(
            router: handler.router(),
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port)),
            onServerRunning: { channel in continuation.yield(.success(channel.localAddress?.port ?? configuration.port)) },
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let runTask = Task {
            do {
                try await group.run()
                continuation.yield(.failure(.stoppedBeforeListening("the server stopped")))
            } catch {
                continuation.yield(.failure(.stoppedBeforeListening("\(error)")))
            }
            continuation.finish()
        }
        for await event in events {
            switch event {
            case .success(let port):
                return SandboxServer(
                    baseURL: "http://\(configuration.host):\(port)", configuration: configuration,
                    state: state, group: group, runTask: runTask)
            case .failure(let error):
                throw error
            }
        }
        throw SandboxError.stoppedBeforeListening("the server stopped")
    }

    public var port: Int { Int(baseURL.split(separator: ":").last ?? "") ?? 0 }

    public func stats() -> SandboxStats { state.snapshot() }

    public func resetStats() { state.resetStats() }

    /// Stops accepting connections, lets requests in progress finish (slow responses are cut short), then returns.
    public func stop() async {
        state.markStopping()
        await group.triggerGracefulShutdown()
        let task = runTask
        let watchdog = Task {
            try? await Task.sleep(for: .seconds(5))
            if !Task.isCancelled { task.cancel() }
        }
        await task.value
        watchdog.cancel()
    }
}
