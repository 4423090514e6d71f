//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

/// One program of the tour: a program from one of the seeds (the tutorials in
/// `shared/seeds`), ported to Swift as a Python user would port it.
struct Program: Sendable {
    /// The name that selects it on the command line: the seed's file name without
    /// `threading_` where the seed names one (`daemon_join`), otherwise a short name.
    let name: String
    /// The seed it comes from: `000` to `004`.
    let seed: String
    /// One line for `--list` and the program's heading. Where the port departs from the
    /// seed (a typo in the seed, or Python 2 behaviour that Python 3 changed), the line
    /// says so.
    let summary: String
    /// The program's own arguments, for the usage message; `nil` when it takes none.
    let arguments: String?
    /// Checks the program's own arguments: an error message, or `nil` when they are fine.
    let check: @Sendable ([String]) -> String?
    /// Runs the program in the calling process, with its own arguments.
    let run: @Sendable ([String]) throws -> Void

    /// A program that takes arguments, checked by `check` before anything runs.
    init(
        name: String,
        seed: String,
        summary: String,
        arguments: String,
        check: @escaping @Sendable ([String]) -> String?,
        run: @escaping @Sendable ([String]) throws -> Void
    ) {
        self.name = name
        self.seed = seed
        self.summary = summary
        self.arguments = arguments
        self.check = check
        self.run = run
    }

    /// A program that takes no arguments.
    init(name: String, seed: String, summary: String, run: @escaping @Sendable () throws -> Void) {
        self.name = name
        self.seed = seed
        self.summary = summary
        self.arguments = nil
        self.check = { $0.isEmpty ? nil : "takes no arguments" }
        self.run = { _ in try run() }
    }
}
