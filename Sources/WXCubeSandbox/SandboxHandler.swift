import Foundation
import Hummingbird
import NIOCore
import WXCube

/// Answers the sandbox's HTTP requests with WeChat's rules.
final class SandboxHandler: Sendable {
    let configuration: SandboxConfiguration
    let state: SandboxState
    let generator: SandboxDataGenerator
    private let secrets: [String: String]

    init(configuration: SandboxConfiguration, state: SandboxState) {
        self.configuration = configuration
        self.state = state
        self.generator = SandboxDataGenerator(seed: configuration.seed)
        var secrets: [String: String] = [:]
        for a in SandboxAccount.list(configuration.accounts) { secrets[a.appid] = a.secret }
        self.secrets = secrets
    }

    /// WeChat's paths on Hummingbird's router. Every method reaches its handler,
    /// which answers a wrong one with WeChat's errcode; any other path is WeChat's
    /// 40066 (`UnknownPathMiddleware`).
    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: UnknownPathMiddleware())
        let methods: [HTTPRequest.Method] = [.get, .post, .put, .delete, .patch, .head, .options]
        for method in methods {
            router.on("/cgi-bin/token", method: method) { request, _ in self.token(request) }
            router.on("/cgi-bin/stable_token", method: method) { request, _ in
                guard request.method == .post else { return Self.error(43002, "require POST method") }
                return await self.stableToken(request)
            }
            router.on("/datacube/{endpoint}", method: method) { request, context in
                await self.datacube(request, endpointName: context.parameters.get("endpoint") ?? "")
            }
        }
        return router
    }

    private func token(_ request: Request) -> Response {
        guard request.method == .get else { return Self.error(43001, "require GET method") }
        let q = request.uri.queryParameters
        return issueToken(
            grantType: q["grant_type"].map(String.init), appid: q["appid"].map(String.init),
            secret: q["secret"].map(String.init), reuse: false)
    }

    // MARK: tokens

    private func issueToken(grantType: String?, appid: String?, secret: String?, reuse: Bool) -> Response {
        guard grantType == "client_credential" else { return Self.error(40002, "invalid grant_type") }
        guard let appid, !appid.isEmpty else { return Self.error(41002, "appid missing") }
        guard let secret, !secret.isEmpty else { return Self.error(41004, "appsecret missing") }
        guard let expected = secrets[appid] else { return Self.error(40013, "invalid appid") }
        guard secret == expected else { return Self.error(40125, "invalid appsecret") }
        let t = state.token(
            for: appid, seed: configuration.seed, lifetime: configuration.tokenLifetimeSeconds,
            now: configuration.now(), reuse: reuse)
        var w = JSONWriter(capacity: 128)
        w.beginObject()
        w.field("access_token", t.token)
        w.field("expires_in", t.expiresIn)
        w.endObject()
        return Self.json(w.bytes)
    }

    private func stableToken(_ request: Request) async -> Response {
        guard let body = await Self.body(of: request),
            let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any]
        else {
            return Self.error(47001, "data format error")
        }
        let force: Bool
        switch object["force_refresh"] {
        case nil: force = false
        case let b as Bool: force = b
        default: return Self.error(47001, "data format error: force_refresh must be true or false")
        }
        return issueToken(
            grantType: object["grant_type"] as? String, appid: object["appid"] as? String,
            secret: object["secret"] as? String, reuse: !force)
    }

    // MARK: datacube

    private enum Fault { case busy, expire, http500, truncate, slow }

    /// What the request log records of one datacube call, filled in as it is read.
    private struct CallLog {
        var appid: String?
        var begin: String?
        var end: String?
        var outcome = SandboxOutcome.data

        /// An errcode answer, recorded.
        mutating func fail(_ code: Int, _ message: String) -> Response {
            outcome = .errcode(code)
            return SandboxHandler.error(code, message)
        }
    }

    /// A datacube call that passed WeChat's rules.
    private struct AdmittedCall {
        var endpoint: Endpoint
        var appid: String
        var token: String?
        var from: Day
        var to: Day
        var beginText: String
        var endText: String
    }

    /// A datacube call: WeChat's rules (`admit`), then the injected faults and the data (`answer`).
    private func datacube(_ request: Request, endpointName: String) async -> Response {
        state.beginCall(endpoint: endpointName)
        let now = configuration.now()
        let today = ChinaClock.today(at: now)
        var log = CallLog()
        defer {
            state.endCall(
                SandboxRequestRecord(
                    appid: log.appid, endpoint: endpointName, begin: log.begin, end: log.end, day: today,
                    outcome: log.outcome))
        }
        switch await admit(request, endpointName: endpointName, now: now, log: &log) {
        case .failure(let rejected):
            return rejected.response
        case .success(let call):
            return await answer(call, now: now, log: &log)
        }
    }

    /// A response that ends a call early, as an Error so `admit` can return a `Result`.
    private struct Rejected: Error, @unchecked Sendable {
        // @unchecked: a Response is built once and only returned.
        var response: Response
    }

    /// WeChat's rules, in WeChat's order: endpoint, method, token, body, withdrawn API, dates, daily quota.
    private func admit(_ request: Request, endpointName: String, now: Date, log: inout CallLog) async -> Result<AdmittedCall, Rejected> {
        func reject(_ code: Int, _ message: String) -> Result<AdmittedCall, Rejected> { .failure(Rejected(response: log.fail(code, message))) }
        guard let endpoint = Endpoint(rawValue: endpointName) else { return reject(40066, "invalid url") }
        guard request.method == .post else { return reject(43002, "require POST method") }
        let token = request.uri.queryParameters["access_token"].map(String.init)
        switch state.check(token: token, now: now) {
        case .missing: return reject(40001, "invalid credential, access_token is invalid or not latest")
        case .expired(let a):
            log.appid = a
            return reject(42001, "access_token expired")
        case .valid(let a): log.appid = a
        }
        guard let appid = log.appid else { return reject(40001, "invalid credential, access_token is invalid or not latest") }
        guard let body = await Self.body(of: request),
            let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any]
        else {
            return reject(47001, "data format error")
        }
        log.begin = object["begin_date"] as? String
        log.end = object["end_date"] as? String
        guard let beginText = log.begin, let endText = log.end else {
            return reject(47001, "data format error: begin_date and end_date must be strings")
        }
        if configuration.faults.withdrawn.contains(endpoint) {
            state.countFault("withdraw")
            return reject(47009, "api is offline, please use the new api: \(endpoint.info.replacementText)")
        }
        guard let from = Day(iso: beginText), let to = Day(iso: endText) else { return reject(61500, "date format error") }
        let today = ChinaClock.today(at: now)
        // The published-content endpoints have no data before 2025-11-01: WeChat rejects the range.
        guard from >= endpoint.dataFrom, to <= today.adding(days: -1), from <= to, to.days(since: from) < endpoint.maxSpanDays else {
            return reject(61501, "date range error")
        }
        guard state.takeQuota(appid: appid, day: today, quota: configuration.faults.quota) else {
            state.countFault("quota")
            return reject(45009, "reach max api daily quota limit")
        }
        return .success(AdmittedCall(endpoint: endpoint, appid: appid, token: token, from: from, to: to, beginText: beginText, endText: endText))
    }

    /// The answer to an admitted call: an injected fault (`--faults`), or the data.
    private func answer(_ call: AdmittedCall, now: Date, log: inout CallLog) async -> Response {
        let fault = drawFault(appid: call.appid, endpoint: call.endpoint.rawValue, begin: call.beginText, end: call.endText)
        switch fault {
        case .busy?:
            state.countFault("busy")
            return log.fail(-1, "system error")
        case .expire?:
            state.countFault("expire")
            if let token = call.token { state.kill(token: token) }
            return log.fail(42001, "access_token expired")
        case .http500?:
            state.countFault("http500")
            let status = drawUnit(appid: call.appid, endpoint: call.endpoint.rawValue, begin: call.beginText, end: call.endText, salt: 1) < 0.5 ? 500 : 502
            log.outcome = .httpError(status)
            return Self.htmlError(status)
        case .truncate?, .slow?, nil:
            break
        }
        let yesterday = ChinaClock.today(at: now).adding(days: -1)
        let delayed =
            call.endpoint.info.family == .published && ChinaClock.hour(at: now) < configuration.delayUntilHour
            && SandboxDataGenerator.coversYesterday(endpoint: call.endpoint, begin: call.from, end: call.to, yesterday: yesterday)
        let bytes = generator.responseBody(
            endpoint: call.endpoint, appid: call.appid, begin: call.from, end: call.to, yesterday: yesterday,
            isDelay: delayed)
        if fault == .truncate {
            state.countFault("truncate")
            log.outcome = .truncated
            return Self.json(Array(bytes[0..<(bytes.count / 2)]))
        }
        if fault == .slow {
            state.countFault("slow")
            log.outcome = .slowData
            let deadline = ContinuousClock.now + .milliseconds(Int64(configuration.faults.slowDelaySeconds * 1000))
            while ContinuousClock.now < deadline, !state.isStopping, !Task.isCancelled {
                try? await Task.sleep(for: min(.milliseconds(50), deadline - ContinuousClock.now))
            }
        }
        return Self.json(bytes)
    }

    /// The fault draw for the n-th call of (appid, endpoint, window), from the seed only.
    private func drawFault(appid: String, endpoint: String, begin: String, end: String) -> Fault? {
        let f = configuration.faults
        guard f.totalProbability > 0 else { return nil }
        let u = drawUnit(appid: appid, endpoint: endpoint, begin: begin, end: end, salt: 0, advance: true)
        var edge = f.busy
        if u < edge { return .busy }
        edge += f.expire
        if u < edge { return .expire }
        edge += f.http500
        if u < edge { return .http500 }
        edge += f.truncate
        if u < edge { return .truncate }
        edge += f.slow
        if u < edge { return .slow }
        return nil
    }

    private func drawUnit(appid: String, endpoint: String, begin: String, end: String, salt: UInt64, advance: Bool = false) -> Double {
        let key = "\(appid)|\(endpoint)|\(begin)|\(end)"
        let attempt = advance ? state.nextAttempt(key) : state.currentAttempt(key)
        var g = SplitMix64(keys: configuration.seed, 0xFA17, SplitMix64.key(key), attempt, salt)
        return g.unit()
    }

    // MARK: responses

    private static func body(of request: Request) async -> Data? {
        guard let buffer = try? await request.body.collect(upTo: 1 << 16) else { return nil }
        return Data(buffer.readableBytesView)
    }

    static func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; encoding=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func error(_ code: Int, _ message: String, status: HTTPResponse.Status = .ok) -> Response {
        var w = JSONWriter(capacity: 96)
        w.beginObject()
        w.field("errcode", code)
        w.field("errmsg", message)
        w.endObject()
        return json(w.bytes, status: status)
    }

    static func htmlError(_ status: Int) -> Response {
        let reason = status == 502 ? "Bad Gateway" : "Internal Server Error"
        let html =
            "<html>\r\n<head><title>\(status) \(reason)</title></head>\r\n<body>\r\n<center><h1>\(status) \(reason)</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
        return Response(
            status: HTTPResponse.Status(code: status), headers: [.contentType: "text/html"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}

/// Paths the router does not know: WeChat answers errcode 40066 with HTTP 404.
struct UnknownPathMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            return SandboxHandler.error(40066, "invalid url", status: .notFound)
        }
    }
}
