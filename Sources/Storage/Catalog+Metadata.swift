/// Cluster metadata that is not an index: aliases (per index uuid), composable, component and
/// legacy templates, lifecycle policies and their per-index state. Each entry is a JSON document
/// under a `(kind, name)` key, so new kinds need no schema change.
extension Catalog {
    func createMetadataTable() throws(StorageError) {
        try db.execute("""
            CREATE TABLE IF NOT EXISTS metadata(
                kind TEXT NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY(kind, name));
            """)
    }

    /// Every entry of one kind, ordered by name.
    public func metadata(kind: String) throws(StorageError) -> [(name: String, body: String)] {
        try db.read { c throws(StorageError) in
            let s = try c.prepare("SELECT name, body FROM metadata WHERE kind = ? ORDER BY name")
            try s.bind([.text(kind)])
            var out: [(name: String, body: String)] = []
            while try s.step() { out.append((s.text(0), s.text(1))) }
            return out
        }
    }

    /// Writes (body non-nil) or removes (nil) several entries in one transaction, so a multi-index
    /// alias change or a policy update is all-or-nothing on disk too.
    public func updateMetadata(_ changes: [(kind: String, name: String, body: String?)]) throws(StorageError) {
        guard !changes.isEmpty else { return }
        try db.transaction { c throws(StorageError) in
            for ch in changes {
                if let b = ch.body {
                    try c.execute("INSERT OR REPLACE INTO metadata(kind, name, body) VALUES (?,?,?)", [.text(ch.kind), .text(ch.name), .text(b)])
                } else {
                    try c.execute("DELETE FROM metadata WHERE kind = ? AND name = ?", [.text(ch.kind), .text(ch.name)])
                }
            }
        }
    }
}
