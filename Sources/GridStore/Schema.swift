import GRDB

/// The attribute columns of every layer as the migrations made them, read with
/// `PRAGMA table_info` when the store opens: the one definition of the columns (names, output
/// order, value kinds), joined with what `Layer` says about them (descriptions, references).
public struct StoreSchema: Sendable {
    public let layers: [LayerSchema]

    public subscript(_ layer: Layer) -> LayerSchema {
        // Every Layer has a table (the v1 migration creates them all), so this always finds one.
        layers.first { $0.layer == layer }!
    }

    /// Columns a layer table holds that are not attributes: the row key, the id, the geometry,
    /// the other input properties (JSON) and the boundary-history bookkeeping.
    static let bookkeeping: Set<String> = ["fid", "id", "geom", "extra", "generation_low", "generation_high"]

    static func read(_ db: Database) throws -> StoreSchema {
        var out: [LayerSchema] = []
        for layer in Layer.all {
            var columns: [LayerSchema.Column] = []
            for row in try Row.fetchAll(db, sql: "PRAGMA table_info(\(layer.table))") {
                let name: String = row["name"]
                if bookkeeping.contains(name) { continue }
                let declared: String = row["type"]
                columns.append(LayerSchema.Column(
                    name: name, kind: LayerSchema.ValueKind(declaredType: declared),
                    parent: layer.references[name], description: layer.descriptions[name] ?? ""))
            }
            out.append(LayerSchema(layer: layer, columns: columns))
        }
        return StoreSchema(layers: out)
    }
}

/// One layer's attribute columns (besides `id` and the geometry), in table order.
public struct LayerSchema: Sendable {
    public enum ValueKind: Sendable {
        case text, integer, real
        /// SQLite's type affinity rules (section 3.1 of "Datatypes In SQLite"), reduced to the
        /// three kinds the layers use.
        init(declaredType t: String) {
            let u = t.uppercased()
            if u.contains("INT") { self = .integer } else if u.contains("REAL") || u.contains("FLOA") || u.contains("DOUB") { self = .real } else { self = .text }
        }
    }

    public struct Column: Hashable, Sendable {
        public let name: String
        public let kind: ValueKind
        /// The table whose key this column names, for references (from `Layer.references`).
        public let parent: String?
        /// What the column holds (from `Layer.descriptions`; empty when the layer has none, which
        /// a test forbids).
        public let description: String
    }

    public let layer: Layer
    public let columns: [Column]
    public var names: [String] { columns.map(\.name) }

    public func column(_ name: String) -> Column? { columns.first { $0.name == name } }
}

extension StoreSchema {
    /// Ancestor columns that can be filled from a parent row when the input leaves them out,
    /// e.g. a grid's street_id from its community.
    func derivableAncestors(_ layer: Layer) -> [(column: String, via: String, parentTable: String)] {
        // Most specific parent first, so a station in a compound takes its grid from the compound.
        let chain = [("compound_id", "compounds"), ("grid_id", "grids"), ("community_id", "communities"), ("street_id", "streets")]
        var out: [(String, String, String)] = []
        let names = Set(self[layer].names)
        for (via, parentTable) in chain where names.contains(via) {
            guard let parentLayer = Layer.named(parentTable) else { continue }
            for c in self[parentLayer].columns where c.parent != nil && names.contains(c.name) && c.name != via && c.name != "category" {
                out.append((c.name, via, parentTable))
            }
        }
        return out
    }
}
