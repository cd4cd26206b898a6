import Hummingbird
import HummingbirdCore

extension FlatDictionary where Key == Substring, Value == Substring {
    /// Throws a 400 naming the first parameter given more than once (`?lon=1&lon=2`) unless it is
    /// one of `lists`, the parameters a route documents as repeatable (`category`, `grid_id`, …).
    /// Without this a repeat would be read first-wins (Hummingbird's `subscript`) or last-wins
    /// (a loop), silently: either way half of what the client sent is ignored.
    /// No allocation: a query has a handful of parameters, compared pairwise.
    func rejectRepeats(except lists: Set<String> = []) throws {
        var i = startIndex
        while i < endIndex {
            let key = self[i].key
            var j = index(after: i)
            while j < endIndex {
                if self[j].key == key && !lists.contains(String(key)) {
                    throw APIError.badParameter(String(key), "given twice; give it once" + (lists.isEmpty ? "" : " (only " + lists.sorted().joined(separator: ", ") + " may repeat)"))
                }
                j = index(after: j)
            }
            i = index(after: i)
        }
    }
}
