import Dispatch
import Synchronization

/// Group commit (issue 12 §1): callers hand in items one by one and wait; one drain takes
/// every item waiting (up to `maxBatch`) and commits them together, then the next lot that
/// arrived meanwhile. A lone item is committed at once (no timer), so batching costs nothing at
/// low load; under load, the items that queue while one commit waits for its fsync all share
/// the next one. Each caller gets its own item's result, and only after `commit` returned, so an
/// acknowledgement never precedes the commit that makes it durable.
///
/// The drain runs on a serial dispatch queue of its own, not as a Swift task, and `commit` is
/// synchronous: under load the cooperative threads are busy with requests, and a drain task had
/// to wait behind them to start and again to resume after each commit — measured, that queueing
/// was most of a commit's 37 ms (the store's work ~5 ms) and the writer stood idle meanwhile.
/// Here the writer's next batch starts as soon as the last one is answered.
///
/// Bounded: at most `limit` items wait (besides the batch being committed); one more is refused
/// at once with `IntakeQueueFull` instead of growing memory without end. The queue itself never
/// fails an item: the results are `commit`'s (one per item, in order), or `commit`'s error for
/// every item of its batch when it throws.
public final class GroupCommitQueue<Item: Sendable, Output: Sendable>: Sendable {
    /// Commits a batch; returns one result per item, in the items' order.
    /// Runs on the queue's own dispatch queue and may block (on the store's writer, on fsync).
    public typealias Commit = @Sendable ([Item]) throws -> [Result<Output, any Error>]

    /// How many batches were committed and the largest so far (for tests and the benchmark).
    public struct Stats: Sendable, Equatable {
        public var commits = 0
        public var items = 0
        public var largestBatch = 0
        /// Items waiting now, not counting the batch being committed.
        public var waiting = 0
        /// Items of the batch being committed now.
        public var inFlight = 0
        /// Seconds spent in `commit`, summed over the commits (their mean is the group-commit cycle).
        public var commitSeconds = 0.0
    }

    private struct Waiting: Sendable {
        let item: Item
        let continuation: CheckedContinuation<Output, any Error>
    }

    private struct State: Sendable {
        var waiting: [Waiting] = []
        var draining = false
        var stats = Stats()
    }

    private let state = Mutex(State())
    private let commit: Commit
    private let drainQueue = DispatchQueue(label: "wangge.group-commit")
    public let limit: Int
    public let maxBatch: Int

    /// `limit`: most items waiting before `submit` refuses; `maxBatch`: most items in one commit.
    public init(limit: Int, maxBatch: Int = 512, commit: @escaping Commit) {
        precondition(limit >= 1 && maxBatch >= 1)
        self.limit = limit; self.maxBatch = maxBatch; self.commit = commit
    }

    public var stats: Stats { state.withLock { s in var v = s.stats; v.waiting = s.waiting.count; return v } }

    /// Waits for `item`'s commit and returns its result. Throws `IntakeQueueFull` at once when
    /// `limit` items already wait, or the item's own error from `commit`.
    public func submit(_ item: Item) async throws -> Output {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Output, any Error>) in
            let startDrain: Bool? = state.withLock { s in
                guard s.waiting.count < limit else { return nil }
                s.waiting.append(Waiting(item: item, continuation: continuation))
                if s.draining { return false }
                s.draining = true
                return true
            }
            switch startDrain {
            case nil: continuation.resume(throwing: IntakeQueueFull(limit: limit))
            case true?: drainQueue.async { self.drain() }
            case false?: break
            }
        }
    }

    private func drain() {
        while true {
            let batch: [Waiting] = state.withLock { s in
                guard !s.waiting.isEmpty else {
                    s.draining = false
                    return []
                }
                let n = min(s.waiting.count, maxBatch)
                let batch = Array(s.waiting.prefix(n))
                s.waiting.removeFirst(n)
                s.stats.inFlight = n
                return batch
            }
            if batch.isEmpty { return }
            let results: [Result<Output, any Error>]
            let started = ContinuousClock.now
            do {
                let r = try commit(batch.map(\.item))
                results = batch.indices.map { k in
                    k < r.count ? r[k] : .failure(GroupCommitMismatch(items: batch.count, results: r.count))
                }
            } catch {
                results = batch.map { _ in .failure(error) }
            }
            // Counted before anyone is answered, so a caller that got its answer sees its batch counted.
            let took = started.duration(to: .now)
            state.withLock { s in
                s.stats.inFlight = 0
                s.stats.commitSeconds += Double(took.components.seconds) + Double(took.components.attoseconds) * 1e-18
                s.stats.commits += 1
                s.stats.items += batch.count
                s.stats.largestBatch = max(s.stats.largestBatch, batch.count)
            }
            for (w, r) in zip(batch, results) { w.continuation.resume(with: r) }
        }
    }
}

/// The intake queue is full: the server takes no more cases until the writer catches up (HTTP 503
/// with `Retry-After`). Nothing of the refused request was stored; a retry with the same
/// idempotency key is safe.
public struct IntakeQueueFull: Error, CustomStringConvertible, Sendable {
    public let limit: Int
    /// Seconds a client should wait before retrying.
    public var retryAfter: Int { 1 }
    public var description: String {
        "the server is taking in more cases than it can store (\(limit) waiting); retry after \(retryAfter) s with the same Idempotency-Key"
    }
}

/// A commit function returned fewer results than items (a programming error, reported per item).
struct GroupCommitMismatch: Error, CustomStringConvertible {
    let items: Int, results: Int
    var description: String { "group commit returned \(results) results for \(items) items" }
}
