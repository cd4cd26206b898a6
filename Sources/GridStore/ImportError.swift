import GridGeo

/// One thing wrong with an import, located as precisely as the input allows.
public struct ImportProblem: Sendable, Equatable, CustomStringConvertible {
    public var featureIndex: Int?
    public var featureId: String?
    public var field: String?
    public var line: Int?
    public var column: Int?
    public var message: String

    public init(featureIndex: Int? = nil, featureId: String? = nil, field: String? = nil, line: Int? = nil, column: Int? = nil, message: String) {
        self.featureIndex = featureIndex; self.featureId = featureId; self.field = field
        self.line = line; self.column = column; self.message = message
    }

    public var description: String {
        var at: [String] = []
        if let line { at.append("line \(line)" + (column.map { ", column \($0)" } ?? "")) }
        if let featureIndex { at.append("feature \(featureIndex)" + (featureId.map { " (id \($0))" } ?? "")) }
        if let field { at.append(field) }
        return at.isEmpty ? message : "\(at.joined(separator: ", ")): \(message)"
    }
}

/// An import that wrote nothing, with every problem found (up to a limit).
public struct ImportError: Error, Sendable, CustomStringConvertible {
    public let layer: String
    public let problems: [ImportProblem]
    /// How many problems there were in all; `problems` holds the first ones.
    public let total: Int

    public var description: String {
        var s = "import into \(layer) failed; the store is unchanged. \(total) problem\(total == 1 ? "" : "s")"
        if total > problems.count { s += " (first \(problems.count) shown)" }
        s += ":"
        for p in problems { s += "\n  - \(p)" }
        return s
    }
}

/// Collects problems, keeping the first `limit`.
struct ProblemList {
    let limit = 50
    private(set) var items: [ImportProblem] = []
    private(set) var total = 0
    var isEmpty: Bool { total == 0 }
    mutating func add(_ p: ImportProblem) {
        total += 1
        if items.count < limit { items.append(p) }
    }
    func error(layer: String) -> ImportError { ImportError(layer: layer, problems: items, total: total) }
}
