import Foundation
import GridStore

/// Case deadlines in the city's time zone (Asia/Shanghai, UTC+8 all year): an ordinary case is
/// due by the end of the day it was reported (or escalated) on, a complex one by the end of the
/// 15th day after it ("ordinary cases the same day, complex ones within 15 days"). The deadline
/// is the midnight that ends that day; a case is overdue from that instant on.
public enum Deadlines {
    public static let timeZone = TimeZone(identifier: "Asia/Shanghai")!

    public static func deadline(from start: Date, _ c: DeadlineClass) -> Date {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = timeZone
        let day = cal.startOfDay(for: start)
        return cal.date(byAdding: .day, value: c.extraDays + 1, to: day)!
    }
}
