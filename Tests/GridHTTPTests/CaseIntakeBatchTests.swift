import Foundation
import GRDB
import GridCases
import GridGeo
import GridHTTP
@testable import GridStore
import GridTestSupport
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Synchronization
import XCTest

/// Group commit of case intakes (issue 12 §1) through the real router on a real SpatiaLite store:
/// many concurrent POST /cases land exactly once each with their one intake event; a case that
/// fails inside a batch fails alone; the same Idempotency-Key twice in one batch gives one case;
/// a full queue answers 503 with Retry-After and stores nothing for the refused requests.
///
/// To make the batches certain rather than likely, each test holds the store's one writer (a
/// write transaction left open on another thread) while the requests arrive, so they all queue,
/// and lets it go once every request is either waiting or answered.
final class CaseIntakeBatchTests: XCTestCase {
    typealias Env = CaseRoutesTests.Env

    func makeEnv(queueLimit: Int = CaseService.defaultIntakeQueueLimit) throws -> Env {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wangge-intake-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let db = try GridDatabase(path: dir.appendingPathComponent("s.sqlite").path)
        for (name, text) in CaseRoutesTests.city.layers() { try db.importGeoJSON(Layer.named(name)!, data: Data(text.utf8)) }
        let clock = CaseRoutesTests.Clock(CaseRoutesTests.start)
        return Env(db: db, services: AppServices(db: db, clock: { clock.now }, intakeQueueLimit: queueLimit), clock: clock)
    }

    /// Holds the writer until the returned function is called.
    func holdWriter(_ db: GridDatabase) -> @Sendable () -> Void {
        let held = DispatchSemaphore(value: 0), gate = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            try? db.write { _ in
                held.signal()
                gate.wait()
            }
        }
        held.wait()
        return { gate.signal() }
    }

    /// Waits (up to 30 s) until `done()` holds.
    static func until(_ what: @autoclosure () -> String, _ done: () -> Bool) async throws {
        let deadline = Date().addingTimeInterval(30)
        while !done() {
            guard Date() < deadline else { return XCTFail("timed out waiting for \(what())") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    final class Counter: Sendable {
        private let n = Mutex(0)
        func add() { n.withLock { $0 += 1 } }
        var value: Int { n.withLock { $0 } }
    }

    struct Answer: Sendable {
        let key: String
        let status: HTTPResponse.Status
        let id: Int64?
        let body: String
        let retryAfter: String?
    }

    /// `bodies` posted at once, keyed by their index unless `keys` says otherwise; `answered`
    /// counts the answers as they come.
    static func postAll(_ client: some TestClientProtocol, _ token: String, _ bodies: [String], keys: [String],
                        answered: Counter) async throws -> [Answer] {
        try await withThrowingTaskGroup(of: Answer.self) { group in
            for (body, key) in zip(bodies, keys) {
                group.addTask {
                    let a = try await client.execute(uri: "/cases", method: .post, headers: CaseRoutesTests.headers(token, key: key),
                                                     body: CaseRoutesTests.body(body)) { r in
                        let text = String(buffer: r.body)
                        let id = (try? JSONParser.parse(text).objectValue)?["id"]?.doubleValue.map { Int64($0) }
                        return Answer(key: key, status: r.status, id: id, body: text, retryAfter: r.headers[.retryAfter])
                    }
                    answered.add()
                    return a
                }
            }
            var all: [Answer] = []
            for try await a in group { all.append(a) }
            return all
        }
    }

    /// (cases, events) per idempotency key, read from the store file.
    static func stored(_ db: GridDatabase) throws -> [String: (cases: Int, events: Int)] {
        try db.read { db in
            var out: [String: (cases: Int, events: Int)] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT c.idempotency_key, count(DISTINCT c.id), count(e.id) FROM cases c LEFT JOIN case_events e ON e.case_id = c.id
                GROUP BY c.idempotency_key
                """) {
                out[row[0]] = (row[1], row[2])
            }
            return out
        }
    }

    func testTwoHundredConcurrentIntakesLandExactlyOnceInFewCommits() async throws {
        let env = try makeEnv()
        let token = try CaseRoutesTests.token(env, .reporter)
        var bodies: [String] = []
        for k in 0..<200 { bodies.append(CaseRoutesTests.intake(try CaseRoutesTests.cell(env, k % 8, k % 3).0)) }
        let keys = (0..<200).map { "c\($0)" }
        let queue = env.services.cases.intake
        let (sentBodies, sentKeys) = (bodies, keys)
        let release = holdWriter(env.db)
        let answered = Counter()
        try await env.app.test(.router) { client in
            async let answers = Self.postAll(client, token, sentBodies, keys: sentKeys, answered: answered)
            try await Self.until("every intake queued") { queue.stats.waiting + queue.stats.inFlight == 200 }
            release()
            let all = try await answers
            XCTAssertEqual(all.filter { $0.status == .created }.count, 200, all.first { $0.status != .created }?.body ?? "")
            XCTAssertEqual(Set(all.compactMap(\.id)).count, 200, "200 distinct case ids")
            // Each answer is the case as stored: read back through the router.
            for a in all.prefix(20) {
                let got = try await client.execute(uri: "/cases/\(a.id!)", method: .get, headers: CaseRoutesTests.headers(token)) {
                    try CaseRoutesTests.json($0.body)
                }
                XCTAssertEqual(got["events"]?.arrayValue?.count, 1)
            }
        }
        let stored = try Self.stored(env.db)
        XCTAssertEqual(stored.count, 200)
        for key in keys { XCTAssertTrue(stored[key].map { $0 == (1, 1) } ?? false, "\(key): \(String(describing: stored[key]))") }
        let stats = queue.stats
        XCTAssertEqual(stats.items, 200)
        XCTAssertLessThanOrEqual(stats.commits, 2, "the intakes that waited for the writer shared a commit")
        XCTAssertGreaterThanOrEqual(stats.largestBatch, 100)
    }

    func testABadCaseInABatchFailsAloneAndTheSameKeyTwiceGivesOneCase() async throws {
        let env = try makeEnv()
        let token = try CaseRoutesTests.token(env, .reporter)
        // A case the store refuses after validation (as a full disk or a broken row would): the
        // trigger fires on its event insert, inside the batch's transaction.
        try env.db.write { try $0.execute(sql: """
            CREATE TEMP TRIGGER poison BEFORE INSERT ON case_events
            WHEN (SELECT description FROM cases WHERE id = NEW.case_id) = 'poison' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END
            """) }
        let p = try CaseRoutesTests.cell(env, 2, 1).0
        var bodies = (0..<30).map { _ in CaseRoutesTests.intake(p) }
        var keys = (0..<30).map { "b\($0)" }
        bodies[10] = CaseRoutesTests.intake(p).replacingOccurrences(of: "3号楼电梯停在5楼", with: "poison")
        // The same key ten times, in flight together: one case.
        for k in 20..<30 { keys[k] = "same" }
        let queue = env.services.cases.intake
        let (sentBodies, sentKeys) = (bodies, keys)
        let release = holdWriter(env.db)
        let answered = Counter()
        try await env.app.test(.router) { client in
            async let answers = Self.postAll(client, token, sentBodies, keys: sentKeys, answered: answered)
            try await Self.until("every intake queued") { queue.stats.waiting + queue.stats.inFlight == 30 }
            release()
            let all = try await answers
            let poisoned = try XCTUnwrap(all.first { $0.key == "b10" })
            XCTAssertEqual(poisoned.status, .internalServerError, poisoned.body)
            for a in all where a.key != "b10" && a.key != "same" { XCTAssertEqual(a.status, .created, "\(a.key): \(a.body)") }
            let same = all.filter { $0.key == "same" }
            XCTAssertEqual(same.count, 10)
            XCTAssertEqual(same.filter { $0.status == .created }.count, 1, "the first of the key creates")
            XCTAssertEqual(same.filter { $0.status == .ok }.count, 9, "the rest get the same case back")
            XCTAssertEqual(Set(same.compactMap(\.id)).count, 1)
        }
        let stored = try Self.stored(env.db)
        XCTAssertNil(stored["b10"], "the refused case left no row")
        XCTAssertEqual(stored.count, 20, "19 distinct keys and the shared one")
        for (key, n) in stored { XCTAssertTrue(n == (1, 1), "\(key): \(n)") }
        XCTAssertLessThanOrEqual(queue.stats.commits, 2)
    }

    func testAFullQueueAnswers503WithRetryAfterAndStoresNothingForThem() async throws {
        let env = try makeEnv(queueLimit: 5)
        let token = try CaseRoutesTests.token(env, .reporter)
        let p = try CaseRoutesTests.cell(env, 4, 2).0
        let bodies = (0..<30).map { _ in CaseRoutesTests.intake(p) }, keys = (0..<30).map { "f\($0)" }
        let queue = env.services.cases.intake
        let (sentBodies, sentKeys) = (bodies, keys)
        let release = holdWriter(env.db)
        let answered = Counter()
        try await env.app.test(.router) { client in
            async let answers = Self.postAll(client, token, sentBodies, keys: sentKeys, answered: answered)
            // Every request is either waiting, in the held batch, or already refused.
            try await Self.until("every intake queued or refused (\(queue.stats), \(answered.value) answered)") {
                let s = queue.stats
                return s.waiting + s.inFlight + answered.value == 30
            }
            release()
            let all = try await answers
            let refused = all.filter { $0.status == .serviceUnavailable }
            let created = all.filter { $0.status == .created }
            XCTAssertEqual(refused.count + created.count, 30, all.map { "\($0.status)" }.joined(separator: " "))
            XCTAssertFalse(refused.isEmpty, "30 intakes cannot all wait in a queue of 5 behind a held writer")
            // Refused only when 5 were waiting: at least those were taken.
            XCTAssertGreaterThanOrEqual(created.count, 5)
            for r in refused {
                XCTAssertEqual(r.retryAfter, "1")
                XCTAssertTrue(r.body.contains("\"code\":\"ServiceUnavailable\""), r.body)
                XCTAssertTrue(r.body.contains("retry"), r.body)
            }
            let stored = try Self.stored(env.db)
            XCTAssertEqual(Set(stored.keys), Set(created.map(\.key)), "exactly the acknowledged intakes are stored")
            // The queue drained: a refused key retried now is taken.
            let again = try XCTUnwrap(refused.first)
            try await client.execute(uri: "/cases", method: .post, headers: CaseRoutesTests.headers(token, key: again.key),
                                     body: CaseRoutesTests.body(sentBodies[0])) { r in
                XCTAssertEqual(r.status, .created, String(buffer: r.body))
            }
        }
    }
}
