import GridStore

/// `generation=N` on /assign and the items routes: answer against boundary generation N (see
/// `wangge generations`) instead of the newest. Anything but a whole number from 1 to the newest
/// generation is a 400 naming the parameter and the valid range.
enum GenerationParameter {
    static let name = "generation"

    /// The requested generation, nil when the parameter is absent.
    static func parse(_ text: Substring?, db: GridDatabase) throws -> Int64? {
        guard let text else { return nil }
        let latest = try db.currentGeneration()
        guard latest > 0 else {
            throw APIError.badParameter(name, "the store has no boundary generation yet (import a layer first), found '\(text)'")
        }
        guard let n = Int64(text), (1...latest).contains(n) else {
            throw APIError.badParameter(name, "must be a whole number from 1 to \(latest) (the store's boundary generations), found '\(text)'")
        }
        return n
    }
}
