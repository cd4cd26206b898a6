import ArgumentParser
import Foundation
import GridStore

struct Categories: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the station categories, or add some from a CSV.",
        discussion: """
            A new store already holds the standard categories. --add takes a CSV with the header
            code,name_zh,name_en,counts_toward_all (as seeds/station_categories.csv); a code that
            exists has its names and flag updated.
            Example: wangge categories --add my_categories.csv
            """)

    @OptionGroup var store: StoreOptions

    @Option(help: "CSV of categories to add (code,name_zh,name_en,counts_toward_all).")
    var add: String?

    func run() throws {
        let db = try store.open()
        if let add {
            let list: [StationCategory]
            do { list = try SampleCity.categories(from: URL(fileURLWithPath: add)) } catch {
                throw CLIError("cannot read categories from \(add): \(error)")
            }
            try db.replaceCategories(list)
            note("added or updated \(list.count) categor\(list.count == 1 ? "y" : "ies")")
        }
        var out = "code,name_zh,name_en,counts_toward_all\n"
        for c in try db.categories() { out += "\(c.code),\(c.nameZh),\(c.nameEn),\(c.countsTowardAll ? 1 : 0)\n" }
        FileHandle.standardOutput.write(Data(out.utf8))
    }
}
