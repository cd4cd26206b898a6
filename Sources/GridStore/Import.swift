import Foundation
import GRDB
import GridGeo

public struct ImportOptions: Sendable {
    public enum InvalidPolicy: String, Sendable, CaseIterable { case reject, repair }
    public enum Mode: String, Sendable, CaseIterable { case replace, append }

    /// The input CRS; nil means the file's own `crs` member, else WGS84.
    public var crs: CRS?
    /// Store column → input property name, for data whose names differ (`--map id=code`).
    public var mapping: [String: String]
    public var invalid: InvalidPolicy
    public var mode: Mode
    /// Where the data came from, recorded with the boundary generation.
    public var source: String?

    public init(crs: CRS? = nil, mapping: [String: String] = [:], invalid: InvalidPolicy = .reject, mode: Mode = .replace, source: String? = nil) {
        self.crs = crs; self.mapping = mapping; self.invalid = invalid; self.mode = mode; self.source = source
    }
}

public struct ImportReport: Sendable {
    public let layer: String
    public let imported: Int
    public let repaired: Int
    public let generation: Int64
    public let crs: String
    /// Rows of other layers whose parent reference this import left dangling.
    public let warnings: [String]
}

/// Progress of a long import: a stage name, work done and work in all.
public typealias ImportProgress = @Sendable (_ stage: String, _ done: Int, _ total: Int) -> Void

extension GridDatabase {
    /// Imports GeoJSON into a layer, all-or-nothing: any problem leaves the store exactly as it was.
    public func importGeoJSON(_ layer: Layer, data: Data, options: ImportOptions = ImportOptions(), progress: ImportProgress? = nil) throws -> ImportReport {
        let parsed: JSONValue
        do { parsed = try JSONParser.parse(data) } catch let e as JSONSyntaxError {
            throw ImportError(layer: layer.name, problems: [ImportProblem(line: e.line, column: e.column, message: "invalid JSON: \(e.message)")], total: 1)
        }
        let features: [Feature]
        let fileCRS: String?
        do { (features, fileCRS) = try GeoJSON.features(from: parsed) } catch let e as GeoJSONError {
            throw ImportError(layer: layer.name, problems: [ImportProblem(featureIndex: e.featureIndex, field: e.path.isEmpty ? nil : e.path, message: e.message)], total: 1)
        }
        var crs = options.crs ?? .wgs84
        if options.crs == nil, let fileCRS {
            do { crs = try CRS(parsing: fileCRS) } catch {
                throw ImportError(layer: layer.name, problems: [ImportProblem(field: "crs", message: "\(error)")], total: 1)
            }
        }
        return try importFeatures(layer, features, crs: crs, options: options, progress: progress)
    }

    /// Imports features already read from some format, all-or-nothing, from coordinates in `crs`.
    public func importFeatures(_ layer: Layer, _ features: [Feature], crs: CRS, options: ImportOptions = ImportOptions(), progress: ImportProgress? = nil) throws -> ImportReport {
        let rows = try prepareRows(layer, features, crs: crs, options: options, progress: progress)
        return try write(layer, rows, crs: crs, options: options, progress: progress)
    }

    struct PendingRow {
        let index: Int
        let id: String
        var values: [DatabaseValue]
        let extra: String?
        var geometry: Geometry
    }

    private func prepareRows(_ layer: Layer, _ features: [Feature], crs: CRS, options: ImportOptions, progress: ImportProgress?) throws -> [PendingRow] {
        let transform: CoordinateTransform
        do { transform = try CoordinateTransform(crs) } catch {
            throw ImportError(layer: layer.name, problems: [ImportProblem(field: "crs", message: "\(error)")], total: 1)
        }
        let columns = schema[layer].columns
        for key in options.mapping.keys where key != "id" && schema[layer].column(key) == nil {
            throw ImportError(layer: layer.name, problems: [ImportProblem(field: "--map \(key)", message: "\(layer.name) has no column '\(key)'; columns: id, \(columns.map(\.name).joined(separator: ", "))")], total: 1)
        }
        var problems = ProblemList()
        var rows: [PendingRow] = []
        rows.reserveCapacity(features.count)
        var seen: [String: Int] = [:]
        let idKey = options.mapping["id"] ?? "id"
        let consumed = Set([idKey] + columns.map { options.mapping[$0.name] ?? $0.name })

        for (k, f) in features.enumerated() {
            if k % 1000 == 0 { progress?("checking", k, features.count) }
            // FeatureId's rule (README, "Ids"): a whole number is its canonical decimal text.
            var id: String?
            switch f.properties[idKey] {
            case .none, .some(.null): id = options.mapping["id"] == nil ? f.id : nil
            case .some(let v):
                do { id = try FeatureId.from(v) } catch {
                    problems.add(ImportProblem(featureIndex: k, field: "properties.\(idKey)", message: "\(error)"))
                    continue
                }
            }
            guard let id, !id.trimmingCharacters(in: .whitespaces).isEmpty else {
                problems.add(ImportProblem(featureIndex: k, field: "properties.\(idKey)", message: "missing id (set the feature's id or properties.\(idKey))"))
                continue
            }
            if let first = seen[id] {
                problems.add(ImportProblem(featureIndex: k, featureId: id, field: "id", message: "duplicate id (also feature \(first))"))
                continue
            }
            seen[id] = k

            var values: [DatabaseValue] = []
            for c in columns {
                let key = options.mapping[c.name] ?? c.name
                let raw = f.properties[key] ?? .null
                switch Self.convert(raw, c.kind, isId: c.parent != nil) {
                case .success(let v): values.append(v)
                case .failure(let msg):
                    problems.add(ImportProblem(featureIndex: k, featureId: id, field: "properties.\(key)", message: msg.description))
                    values.append(.null)
                }
            }
            // JSON text can carry 1e400, no JSON output can give it back: every number must be finite.
            for m in f.properties.members {
                if let path = m.value.nonFiniteNumberPath(m.key) {
                    problems.add(ImportProblem(featureIndex: k, featureId: id, field: "properties.\(path)",
                                               message: "number out of range: it is not a finite double, and JSON cannot carry infinity"))
                }
            }
            var extra = JSONObject()
            for m in f.properties.members where !consumed.contains(m.key) { extra[m.key] = m.value }

            guard let g = f.geometry else {
                problems.add(ImportProblem(featureIndex: k, featureId: id, field: "geometry", message: "feature has no geometry"))
                continue
            }
            guard layer.geometryTypes.contains(g.typeName) else {
                problems.add(ImportProblem(featureIndex: k, featureId: id, field: "geometry.type",
                                           message: "\(layer.name) takes \(layer.geometryTypes.sorted().joined(separator: " or ")), found \(g.typeName)"))
                continue
            }
            do {
                let wgs = try g.map { try transform.toWGS84($0) }
                rows.append(PendingRow(index: k, id: id, values: values, extra: extra.count == 0 ? nil : JSONText.encode(.object(extra)),
                                       geometry: RingOrientation.rfc7946(wgs)))
            } catch {
                problems.add(ImportProblem(featureIndex: k, featureId: id, field: "geometry.coordinates", message: "\(error)"))
            }
        }
        if !problems.isEmpty { throw problems.error(layer: layer.name) }
        return rows
    }

    /// `isId`: the column holds another feature's id, so a number follows FeatureId's rule.
    /// Whole numbers written with a fraction or exponent (`120.0`, `1.2e2`, as pandas writes
    /// them) are whole numbers for integer columns too.
    static func convert(_ v: JSONValue, _ kind: LayerSchema.ValueKind, isId: Bool = false) -> Result<DatabaseValue, ConversionFailure> {
        switch (kind, v) {
        case (_, .null): return .success(.null)
        case (.text, .string(let s)): return .success(s.databaseValue)
        case (.text, .number) where isId:
            do { return .success(try FeatureId.from(v)?.databaseValue ?? .null) } catch { return .failure(ConversionFailure("\(error)")) }
        case (.text, .number(_, let text)): return .success(text.databaseValue)
        case (.integer, .number(_, let text)):
            guard let i = FeatureId.canonical(text).flatMap({ Int64($0) }) else { return .failure(ConversionFailure("must be a whole number, found \(text)")) }
            guard i >= 0 else { return .failure(ConversionFailure("must not be negative, found \(text)")) }
            return .success(i.databaseValue)
        case (.real, .number(let d, _)): return .success(d.databaseValue)
        case (.text, _): return .failure(ConversionFailure("must be a string, found \(v.typeName)"))
        case (.integer, _): return .failure(ConversionFailure("must be a whole number, found \(v.typeName)"))
        case (.real, _): return .failure(ConversionFailure("must be a number, found \(v.typeName)"))
        }
    }

    struct ConversionFailure: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    private func write(_ layer: Layer, _ input: [PendingRow], crs: CRS, options: ImportOptions, progress: ImportProgress?) throws -> ImportReport {
        let columns = schema[layer].columns
        return try write { db -> ImportReport in
            var problems = ProblemList()
            var rows = input
            var repaired = 0
            let byId = Dictionary(uniqueKeysWithValues: rows.map { ($0.id, $0.index) })

            // Geometry-constraint triggers roll back the whole transaction, so everything is
            // checked before the first insert.
            if layer.geometry == .multiPolygon {
                for k in rows.indices {
                    if k % 500 == 0 { progress?("validating", k, rows.count) }
                    let wkb = Data(WKB.encode(rows[k].geometry))
                    let check = try Row.fetchOne(db, sql: """
                        SELECT ST_IsValid(g), ST_IsValidReason(g) FROM (SELECT GeomFromWKB(?, 4326) AS g)
                        """, arguments: [wkb])
                    let valid: Int? = check?[0]
                    if valid == 1 { continue }
                    let reason: String = check?[1] ?? "geometry could not be read"
                    guard options.invalid == .repair, valid == 0 else {
                        problems.add(ImportProblem(featureIndex: rows[k].index, featureId: rows[k].id, field: "geometry",
                                                   message: "invalid polygon: \(reason)" + (options.invalid == .reject ? " (use --invalid repair to fix it with MakeValid)" : "")))
                        continue
                    }
                    let fixed = try Data.fetchOne(db, sql: """
                        SELECT AsBinary(CastToMultiPolygon(CollectionExtract(MakeValid(GeomFromWKB(?, 4326)), 3)))
                        """, arguments: [wkb])
                    if let fixed, let g = try? WKB.decode([UInt8](fixed)), case .multiPolygon(let m) = g, !m.polygons.isEmpty {
                        rows[k].geometry = RingOrientation.rfc7946(g)
                        repaired += 1
                    } else {
                        problems.add(ImportProblem(featureIndex: rows[k].index, featureId: rows[k].id, field: "geometry",
                                                   message: "invalid polygon (\(reason)) and MakeValid left no area"))
                    }
                }
            }
            if !problems.isEmpty { throw problems.error(layer: layer.name) }

            // The generation opens first: its id tags the rows. A later failure rolls it back
            // with everything else (AUTOINCREMENT's counter too), so ids stay contiguous.
            try db.execute(literal: """
                INSERT INTO boundary_generations (layer, imported_at, source, source_crs, feature_count, repaired_count)
                VALUES (\(layer.name), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), \(options.source), \(crs.description), \(rows.count), \(repaired))
                """)
            let generation = db.lastInsertedRowID

            let attributeNames = ["id"] + columns.map(\.name) + ["extra"]
            if options.mode == .replace {
                // Close the current rows: they were valid up to the generation before this one.
                let kept = (attributeNames + ["geom"]).joined(separator: ", ")
                try db.execute(sql: """
                    INSERT INTO \(layer.historyTable) (\(kept), generation_low, generation_high)
                    SELECT \(kept), coalesce(generation_low, ?1), ?1 FROM \(layer.table) ORDER BY fid
                    """, arguments: [generation - 1])
                try db.execute(sql: "DELETE FROM \(layer.table)")
            } else {
                let existing = Set(try String.fetchAll(db, sql: "SELECT id FROM \(layer.table)"))
                for r in rows where existing.contains(r.id) {
                    problems.add(ImportProblem(featureIndex: r.index, featureId: r.id, field: "id", message: "id already exists in \(layer.name) (append mode)"))
                }
                if !problems.isEmpty { throw problems.error(layer: layer.name) }
            }

            let names = attributeNames + ["generation_low", "geom"]
            let geomSQL = layer.geometry == .point ? "GeomFromWKB(?, 4326)" : "CastToMultiPolygon(GeomFromWKB(?, 4326))"
            let placeholders = Array(repeating: "?", count: names.count - 1).joined(separator: ", ") + ", " + geomSQL
            let insert = try db.makeStatement(sql: "INSERT INTO \(layer.table) (\(names.joined(separator: ", "))) VALUES (\(placeholders))")
            for (k, r) in rows.enumerated() {
                if k % 1000 == 0 { progress?("writing", k, rows.count) }
                var args: [DatabaseValue] = [r.id.databaseValue]
                args += r.values
                args.append(r.extra?.databaseValue ?? .null)
                args.append(generation.databaseValue)
                args.append(Data(WKB.encode(r.geometry)).databaseValue)
                try insert.execute(arguments: StatementArguments(args))
            }

            for a in schema.derivableAncestors(layer) {
                try db.execute(sql: """
                    UPDATE \(layer.table) SET \(a.column) = (SELECT p.\(a.column) FROM \(a.parentTable) p WHERE p.id = \(layer.table).\(a.via))
                    WHERE \(a.column) IS NULL AND \(a.via) IS NOT NULL
                    """)
            }
            let categories = try Self.categories(db).map(\.code)
            for c in columns {
                guard let parent = c.parent else { continue }
                let parentKey = parent == "station_categories" ? "code" : "id"
                let orphans = try Row.fetchAll(db, sql: """
                    SELECT id, \(c.name) FROM \(layer.table)
                    WHERE \(c.name) IS NOT NULL AND \(c.name) NOT IN (SELECT \(parentKey) FROM \(parent))
                    """)
                for o in orphans {
                    let id: String = o[0]
                    let ref: String = o[1]
                    let message = parent == "station_categories"
                        ? "category '\(ref)' is not a station category; the store has " + (categories.isEmpty ? "none" : categories.joined(separator: ", ")) +
                          " (add one with `wangge categories --add FILE.csv`, a CSV of code,name_zh,name_en,counts_toward_all)"
                        : "\(c.name) '\(ref)' names no row in \(parent)"
                    problems.add(ImportProblem(featureIndex: byId[id], featureId: id, field: "properties.\(options.mapping[c.name] ?? c.name)",
                                               message: message))
                }
            }
            if !problems.isEmpty { throw problems.error(layer: layer.name) }

            var warnings: [String] = []
            for child in Layer.all {
                for c in schema[child].columns where c.parent == layer.name {
                    let n = try Int.fetchOne(db, sql: """
                        SELECT count(*) FROM \(child.table) WHERE \(c.name) IS NOT NULL AND \(c.name) NOT IN (SELECT id FROM \(layer.table))
                        """) ?? 0
                    if n > 0 { warnings.append("\(n) row(s) of \(child.name) name a \(c.name) that is no longer in \(layer.name)") }
                }
            }

            progress?("done", rows.count, rows.count)
            return ImportReport(layer: layer.name, imported: rows.count, repaired: repaired, generation: generation, crs: crs.description, warnings: warnings)
        }
    }
}
