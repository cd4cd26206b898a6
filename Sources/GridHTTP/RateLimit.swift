import Foundation
import Synchronization

/// How many requests one client may make: `rate` per second sustained, `burst` at once (a token
/// bucket: it holds at most `burst` tokens, refills at `rate` per second, and each request takes
/// one). `wangge serve --rate-limit 100/s --rate-burst 1000`; a rate of 0 turns limits off.
public struct RateLimit: Sendable, Equatable, CustomStringConvertible {
    public var perSecond: Double
    public var burst: Double

    /// 100 requests/s with bursts of 1,000: a planner clicking through the map page or a batch
    /// client using POST /assign never comes near it; a script looping over GET /assign as fast
    /// as it can is slowed to 100/s after its first thousand requests (and told to batch).
    public static let `default` = RateLimit(perSecond: 100, burst: 1000)
    public static let off = RateLimit(perSecond: 0, burst: 0)

    public init(perSecond: Double, burst: Double) { self.perSecond = perSecond; self.burst = burst }

    public var isOff: Bool { perSecond <= 0 }

    /// Reads `N/s`, `N/min` or a bare `N` (per second); `0` is off. Throws a message naming the form.
    public init(parsing text: String, burst: Double?) throws {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let (number, per): (Substring, Double) =
            t.hasSuffix("/s") ? (t.dropLast(2), 1) : t.hasSuffix("/min") ? (t.dropLast(4), 60) : (Substring(t), 1)
        guard let n = Double(number), n.isFinite, n >= 0 else {
            throw RateLimitSyntaxError(description: "expected requests per second such as 100/s or 600/min, or 0 for no limit; found \(text)")
        }
        perSecond = n / per
        self.burst = burst ?? max(1, perSecond * 10)
        guard perSecond == 0 || self.burst >= 1 else { throw RateLimitSyntaxError(description: "the burst must be at least 1 request") }
    }

    public var description: String { isOff ? "off" : "\(perSecond)/s, burst \(Int(burst))" }
}

public struct RateLimitSyntaxError: Error, CustomStringConvertible { public let description: String }

/// A request refused by the rate limit (429 in the error table), with the seconds until the
/// client's bucket holds a token again (`Retry-After`, rounded up to whole seconds).
public struct RateLimited: Error, Sendable {
    public let retryAfter: Int
    public let client: String
}

/// One token bucket per client in a table under one mutex (a lookup and a few arithmetic
/// operations per request). Idle clients are forgotten: at most once every `sweepInterval`, the
/// buckets that have refilled to the brim — indistinguishable from a new client — are dropped,
/// so the table holds only clients seen in the last `burst / rate` seconds or so.
public final class RateLimiter: Sendable {
    /// Who a bucket belongs to: a token (by id) or, for anonymous requests, an address.
    public enum Client: Hashable, Sendable, CustomStringConvertible {
        case token(Int64)
        case address(String)
        public var description: String {
            switch self {
            case .token(let id): "token \(id)"
            case .address(let a): "address \(a)"
            }
        }
    }

    struct Bucket { var tokens: Double; var updated: UInt64 }
    struct Table { var buckets: [Client: Bucket] = [:]; var lastSweep: UInt64 = 0 }

    public let limit: RateLimit
    private let table = Mutex(Table())
    static let sweepInterval: UInt64 = 30_000_000_000

    public init(_ limit: RateLimit) { self.limit = limit }

    /// Takes one token from `client`'s bucket at `now` (nanoseconds on a monotonic clock), or
    /// returns the whole seconds until one is there.
    public func take(_ client: Client, now: UInt64 = DispatchTime.now().uptimeNanoseconds) -> Int? {
        let rate = limit.perSecond, burst = limit.burst
        return table.withLock { t in
            if now &- t.lastSweep > Self.sweepInterval {
                t.buckets = t.buckets.filter { _, b in b.tokens + Double(now &- b.updated) / 1e9 * rate < burst }
                t.lastSweep = now
            }
            var b = t.buckets[client] ?? Bucket(tokens: burst, updated: now)
            b.tokens = min(burst, b.tokens + Double(now &- b.updated) / 1e9 * rate)
            b.updated = now
            defer { t.buckets[client] = b }
            if b.tokens >= 1 {
                b.tokens -= 1
                return nil
            }
            return max(1, Int(((1 - b.tokens) / rate).rounded(.up)))
        }
    }

    /// Clients with a bucket now (for tests and the metrics).
    public var trackedClients: Int { table.withLock { $0.buckets.count } }
}
