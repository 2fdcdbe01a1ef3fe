import ArgumentParser
import Dispatch
import Foundation
import WXCube
import WXCubeSandbox

struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Run the simulated datacube API.",
        discussion: """
            Serves /cgi-bin/token, /cgi-bin/stable_token and the ten datacube endpoints (legacy and 2025 published-content) with WeChat's rules \
            and deterministic synthetic data. Prints its URL and every account's appid and secret, then runs \
            until Ctrl-C (SIGINT) or SIGTERM. Point a pipeline at it with `api.base_url: http://127.0.0.1:PORT` \
            or `wxcube run ... --api-base URL`.

            Faults (per datacube call): busy, expire, http500, truncate, slow are probabilities; withdraw:ENDPOINT answers every call of ENDPOINT with 47009 (withdrawn API); quota is calls \
            per appid per China day before errcode 45009; slow_delay is the slow delay in seconds (default 40).
            Example: --faults busy=0.05,expire=0.02,http500=0.02,truncate=0.01,slow=0.01,quota=500
            See docs/sandbox.md.
            """)

    @Option(help: "Port to listen on (0: any free port).")
    var port: Int = 8080

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Data seed: the same seed gives the same data.")
    var seed: UInt64 = 1

    @Option(help: "Number of accounts.")
    var accounts: Int = 3

    @Option(help: ArgumentHelp("Fault injection, e.g. busy=0.05,quota=500 (default: none).", valueName: "spec"))
    var faults: String = "none"

    @Option(help: ArgumentHelp("Access token lifetime (expires_in).", valueName: "seconds"))
    var tokenLifetime: Int = 7200

    @Option(
        name: .customLong("delay-until-hour"),
        help: ArgumentHelp("Until this China hour the published-content endpoints answer is_delay: true for yesterday (0: never).", valueName: "hour"))
    var delayUntilHour: Int = 10

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535, not \(port)") }
        guard accounts >= 1 else { throw ValidationError("--accounts must be at least 1, not \(accounts)") }
        guard tokenLifetime >= 1 else { throw ValidationError("--token-lifetime must be at least 1 second, not \(tokenLifetime)") }
        guard (0...24).contains(delayUntilHour) else { throw ValidationError("--delay-until-hour must be 0...24, not \(delayUntilHour)") }
    }

    func run() async throws {
        let parsedFaults: SandboxFaults
        do {
            parsedFaults = try SandboxFaults(parsing: faults)
        } catch let error as SandboxFaultsError {
            printError("error: \(error)")
            throw WXExit.badInput
        }
        let (received, continuation) = AsyncStream.makeStream(of: Int32.self)
        let signals = SignalHandler { sig, _ in continuation.yield(sig) }
        let server: SandboxServer
        do {
            server = try await SandboxServer.start(
                SandboxConfiguration(
                    seed: seed, accounts: accounts, tokenLifetimeSeconds: tokenLifetime, faults: parsedFaults,
                    host: host, port: port, delayUntilHour: delayUntilHour))
        } catch {
            printError("error: \(error)")
            throw WXExit.failed
        }
        var out = "wxcube sandbox listening on \(server.baseURL)\n"
        out += "seed \(seed), token lifetime \(tokenLifetime) s, faults \(parsedFaults.specDescription)\n"
        for a in server.accounts {
            out += "account \(a.index): appid \(a.appid) secret \(a.secret)\n"
        }
        FileHandle.standardOutput.write(Data(out.utf8))
        var iterator = received.makeAsyncIterator()
        let signal = await iterator.next() ?? SIGTERM
        signals.remove(restoreDefault: false)
        printError("wxcube sandbox: got \(SignalHandler.name(signal)), stopping")
        await server.stop()
        let stats = server.stats()
        printError("wxcube sandbox: stopped after \(stats.datacubeCalls) datacube calls")
    }
}
