import Testing
import JSON
@testable import SQL

/// Lexer and parser: the accepted forms, and every rejection names what it rejects.
@Suite struct SQLParserTests {
    @Test func lexesQuotedIdentifiersStringsAndOperators() throws {
        let t = try SQLLexer("SELECT `a-b`, \"c.d\" FROM x WHERE y <> 'it''s' AND z >= -1.5e3 -- comment\n /* c */").tokenize()
        #expect(t.map(\.kind) == [.word("SELECT"), .quoted("a-b"), .symbol(","), .quoted("c.d"), .word("FROM"), .word("x"),
                                  .word("WHERE"), .word("y"), .symbol("<>"), .string("it's"), .word("AND"), .word("z"),
                                  .symbol(">="), .symbol("-"), .number("1.5e3"), .end])
        #expect(t[1].start == 7 && t[1].end == 12)
    }

    @Test(arguments: [
        ("SELECT 'abc", "unterminated string literal"),
        ("SELECT `abc", "unterminated quoted identifier"),
        ("SELECT a FROM b /* x", "unterminated comment"),
        ("SELECT a FROM b WHERE c = #", "unexpected character [#]"),
        ("SELECT ``", "empty quoted identifier"),
    ])
    func lexerErrors(query: String, message: String) {
        do { _ = try SQLParser.parse(query); Issue.record("parsed") } catch { #expect(error.kind == .syntax && error.message == message) }
    }

    @Test func parsesFullStatement() throws {
        let s = try SQLParser.parse("""
            select host AS h, COUNT(*), count(distinct user) users, AVG(`latency.ms`) FROM request-events-2026.11.* \
            WHERE status >= 500 AND NOT (method IN ('GET', 'HEAD') OR path LIKE '/api/%') AND ts BETWEEN '2026-11-01' AND '2026-11-30' \
            AND user IS NOT NULL GROUP BY host HAVING COUNT(*) > 2 ORDER BY 2 DESC, h LIMIT 10 OFFSET 5;
            """)
        #expect(s.index == "request-events-2026.11.*")
        #expect(s.items.map(\.text) == ["host", "COUNT(*)", "count(distinct user)", "AVG(`latency.ms`)"])
        #expect(s.items.map(\.alias) == ["h", nil, "users", nil])
        #expect(s.items[2].expression?.node == .aggregate(SQLAggregate(.count, field: "user", distinct: true)))
        #expect(s.items[3].expression?.node == .aggregate(SQLAggregate(.avg, field: "latency.ms")))
        #expect(s.groupBy.map(\.node) == [.column("host")])
        #expect(s.orderBy.map(\.descending) == [true, false])
        #expect(s.limit == 10 && s.offset == 5)
        #expect(s.having != nil && s.whereClause != nil)
    }

    @Test func indexPatterns() throws {
        #expect(try SQLParser.parse("SELECT * FROM request-events-*").index == "request-events-*")
        #expect(try SQLParser.parse("SELECT * FROM `request-events-2026.11.*`").index == "request-events-2026.11.*")
        #expect(try SQLParser.parse("SELECT * FROM \"logs\" l WHERE l.a = 1").tableAlias == "l")
        #expect(try SQLParser.parse("SELECT * FROM logs LIMIT 3, 4").offset == 3)
    }

    @Test(arguments: [
        ("SELECT a FROM x JOIN y ON x.a = y.a", "JOIN is not supported"),
        ("SELECT a FROM x, y", "JOIN (several tables in FROM) is not supported"),
        ("SELECT a FROM x LEFT JOIN y ON x.a = y.a", "JOIN is not supported"),
        ("SELECT a FROM (SELECT a FROM x)", "subquery in FROM is not supported"),
        ("SELECT a FROM x WHERE a IN (SELECT b FROM y)", "subquery is not supported"),
        ("SELECT a FROM x WHERE EXISTS (SELECT b FROM y)", "EXISTS subquery is not supported"),
        ("SELECT a FROM x UNION SELECT b FROM y", "UNION is not supported"),
        ("SELECT a FROM x EXCEPT SELECT b FROM y", "EXCEPT is not supported"),
        ("SELECT ROW_NUMBER() OVER (ORDER BY a) FROM x", "function [ROW_NUMBER] is not supported"),
        ("SELECT SUM(a) OVER (PARTITION BY b) FROM x", "window functions (OVER) is not supported"),
        ("SELECT UPPER(a) FROM x", "function [UPPER] is not supported"),
        ("SELECT a + 1 FROM x", "arithmetic operator [+] is not supported"),
        ("SELECT a FROM x WHERE a * 2 > 3", "arithmetic operator [*] is not supported"),
        ("SELECT CASE WHEN a THEN 1 END FROM x", "CASE expression is not supported"),
        ("SELECT DISTINCT a FROM x", "SELECT DISTINCT is not supported"),
        ("DELETE FROM x", "DELETE statement is not supported"),
        ("UPDATE x SET a = 1", "UPDATE statement is not supported"),
        ("INSERT INTO x VALUES (1)", "INSERT statement is not supported"),
        ("DROP TABLE x", "DROP statement is not supported"),
        ("SHOW TABLES LIKE x", "SHOW statement is not supported"),
        ("SELECT a FROM x; SELECT b FROM y", "multiple statements is not supported"),
        ("SELECT AVG(DISTINCT a) FROM x", "AVG(DISTINCT …) is not supported"),
        ("SELECT SUM(*) FROM x", "SUM(*) is not supported"),
        ("SELECT COUNT(a, b) FROM x", "COUNT with several arguments is not supported"),
        ("SELECT COUNT(MAX(a)) FROM x", "nested aggregate function is not supported"),
        ("SELECT COUNT(1) FROM x", "COUNT of an expression other than a field is not supported"),
        ("SELECT a FROM x WHERE a ILIKE 'b'", "operator [ILIKE] is not supported"),
        ("SELECT a FROM x WHERE a LIKE 'b' ESCAPE '!'", "LIKE … ESCAPE is not supported"),
        ("SELECT a FROM x WHERE a = ANY (1)", "ANY subquery comparison is not supported"),
        ("SELECT a FROM x WHERE a IS TRUE", "IS TRUE is not supported"),
        ("SELECT a FROM x WHERE (a, b) = (1, 2)", "row value is not supported"),
        ("SELECT a FROM x WHERE ts > DATE '2026-01-01'", "DATE literal is not supported"),
        ("SELECT a FROM x WHERE a = -b", "unary operator [-] on a non-literal is not supported"),
        ("SELECT a FROM x WHERE a = 'x' || 'y'", "operator [||] is not supported"),
        ("(SELECT a FROM x)", "parenthesised query is not supported"),
        ("SELECT a FROM x FOR UPDATE", "FOR is not supported"),
    ])
    func unsupported(query: String, message: String) {
        do { _ = try SQLParser.parse(query); Issue.record("parsed \(query)") } catch {
            #expect(error.kind == .unsupported, "\(query)")
            #expect(error.message == message, "\(query)")
        }
    }

    @Test(arguments: [
        ("", "unexpected end of query, expecting SELECT"),
        ("SELEC a FROM x", "unexpected [SELEC], expecting SELECT"),
        ("SELECT FROM x", "unexpected [FROM], expecting an expression"),
        ("SELECT a", "unexpected end of query, expecting FROM"),
        ("SELECT a FROM", "unexpected end of query, expecting an index name"),
        ("SELECT a FROM x WHERE", "unexpected end of query, expecting an expression"),
        ("SELECT a FROM x WHERE a =", "unexpected end of query, expecting an expression"),
        ("SELECT a FROM x WHERE (a = 1", "unexpected end of query, expecting [)]"),
        ("SELECT a FROM x LIMIT -1", "unexpected [-], LIMIT takes a non-negative integer"),
        ("SELECT a FROM x LIMIT 99999999999999999999999", "unexpected [99999999999999999999999], LIMIT takes a non-negative integer"),
        ("SELECT a FROM x LIMIT 2147483648", "unexpected [2147483648], LIMIT takes a non-negative integer"),
        ("SELECT a FROM x LIMIT 1 OFFSET 1.5", "unexpected [1.5], OFFSET takes a non-negative integer"),
        ("SELECT a FROM x GROUP a", "unexpected [a], expecting BY"),
        ("SELECT a FROM x WHERE a IS 5", "unexpected [5], expecting NULL"),
        ("SELECT a FROM x WHERE a BETWEEN 1 OR 2", "unexpected [OR], expecting AND"),
        ("SELECT a FROM x ORDER BY a NULLS MIDDLE", "unexpected [MIDDLE], expecting FIRST or LAST"),
        ("SELECT a FROM x WHERE b = 99999999999999999999", "integer literal [99999999999999999999] out of range"),
        ("SELECT a FROM x garbage more", "unexpected [more], expecting end of query"),
        ("SELECT * , * FROM x WHERE *", "[*] is only allowed as the whole SELECT list or in COUNT(*)"),
        ("SELECT a AS FROM x", "unexpected [FROM], expecting alias"),
    ])
    func syntaxErrors(query: String, message: String) {
        do { _ = try SQLParser.parse(query); Issue.record("parsed \(query)") } catch {
            #expect(error.kind == .syntax, "\(query)")
            #expect(error.message == message, "\(query)")
        }
    }

    @Test func deepNestingIsRejectedNotCrashing() {
        let deep = "SELECT a FROM x WHERE " + String(repeating: "(", count: 100_000) + "a = 1" + String(repeating: ")", count: 100_000)
        do { _ = try SQLParser.parse(deep); Issue.record("parsed") } catch { #expect(error.message.contains("nested deeper")) }
        let nots = "SELECT a FROM x WHERE " + String(repeating: "NOT ", count: 100_000) + "a = 1"
        do { _ = try SQLParser.parse(nots); Issue.record("parsed") } catch { #expect(error.message.contains("nested deeper")) }
    }

    /// AND/OR chains stay flat: a 50,000-term chain is one level deep, not 50,000.
    @Test func longChainsAreFlat() throws {
        let chain = "SELECT a FROM x WHERE " + Array(repeating: "a = 1", count: 50_000).joined(separator: " AND ")
        let s = try SQLParser.parse(chain)
        guard case .and(let terms)? = s.whereClause?.node else { Issue.record("not an AND"); return }
        #expect(terms.count == 50_000)
        let ors = try SQLParser.parse("SELECT a FROM x WHERE a = 1 OR b = 2 AND c = 3 OR NOT d = 4")
        guard case .or(let o)? = ors.whereClause?.node else { Issue.record("not an OR"); return }
        #expect(o.count == 3)
        if case .and(let inner) = o[1].node { #expect(inner.count == 2) } else { Issue.record("AND binds tighter") }
    }

    @Test func errorsCarryPositions() {
        do { _ = try SQLParser.parse("SELECT a FROM x WHERE UPPER(a) = 'B'") } catch {
            #expect(error.position == 22)
            #expect(error.description == "function [UPPER] is not supported at position 22")
        }
    }

    /// Random byte soup and truncations of valid queries never crash and always end.
    @Test func fuzzNeverCrashes() {
        var rng = SystemRandomNumberGenerator()
        let pieces = ["SELECT", "FROM", "WHERE", "(", ")", ",", "*", "'", "`", "\"", "a", "1", "=", "<>", "AND", "OR", "NOT",
                      "IN", "BETWEEN", "LIKE", "IS", "NULL", "GROUP", "BY", "ORDER", "LIMIT", "COUNT", "-", ".", ";", " ", "\u{0}", "é"]
        for _ in 0..<3000 {
            let q = (0..<Int.random(in: 0..<25, using: &rng)).map { _ in pieces.randomElement(using: &rng) ?? "" }.joined(separator: Bool.random() ? " " : "")
            _ = try? SQLParser.parse(q)
        }
        let valid = "SELECT a, COUNT(*) FROM `x-*` WHERE b IN ('c', 'd') AND e BETWEEN 1 AND 2 GROUP BY a ORDER BY 2 DESC LIMIT 5"
        for n in 0...valid.count { _ = try? SQLParser.parse(String(valid.prefix(n))) }
    }
}
