//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// PENDING: the tests of the tour's queue programs. Move into
// Tests/ThreadingTests/TourTests.swift (inside `struct TourTests`) with the programs.
//
//===----------------------------------------------------------------------===//

import Testing

extension TourTests {
    /// Every item put is got once, in the order put (one consumer, FIFO), and the main
    /// thread's `q.join()` returns only after the last one was processed.
    @Test func producer_consumer_queue() throws {
        let (_, err) = try runProgram("producer_consumer_queue", logs: true)
        let put = err.compactMap { $0.firstMatch(of: /^\(producer *\) Putting (\d+) : \d+ items in queue$/).map { Int($0.1)! } }
        let got = err.compactMap { $0.firstMatch(of: /^\(consumer *\) Getting (\d+) : \d+ items in queue$/).map { Int($0.1)! } }
        #expect(put.count == 10)
        #expect(got == put)
        #expect(put.allSatisfy { 1...10 ~= $0 })
        #expect(err.last == "(MainThread) every item processed")
    }

    /// Each job is taken by exactly one of the five workers.
    @Test func pooling_queue() throws {
        let (_, err) = try runProgram("pooling_queue", logs: true)
        var jobs: [Int] = []
        var workers: Set<String> = []
        for line in err.dropLast() {
            guard let match = line.firstMatch(of: /^\((Thread-[1-5]) *\) job (\d+) starts$/) else {
                Issue.record("unexpected line: \(line)")
                continue
            }
            workers.insert(String(match.1))
            jobs.append(Int(match.2)!)
        }
        #expect(jobs.sorted() == Array(0..<50))
        #expect(workers.count <= 5)
        #expect(err.last == "(MainThread) all 50 jobs done")
    }
}
