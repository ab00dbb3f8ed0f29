/// The parsed script. Every node keeps the character offset it starts at, for error positions.
enum TypeName: String, Sendable, CaseIterable {
    case def, int, long, short, byte, char, float, double, boolean
    case string = "String", object = "Object", number = "Number"
    case integerBox = "Integer", longBox = "Long", doubleBox = "Double", floatBox = "Float", booleanBox = "Boolean"
    case list = "List", arrayList = "ArrayList", map = "Map", hashMap = "HashMap", linkedHashMap = "LinkedHashMap"
    case set = "Set", hashSet = "HashSet", linkedHashSet = "LinkedHashSet", collection = "Collection"
}

enum UnaryOp: Sendable { case not, negate, plus, bitNot }

enum BinaryOp: String, Sendable {
    case add = "+", sub = "-", mul = "*", div = "/", rem = "%"
    case eq = "==", ne = "!=", refEq = "===", refNe = "!=="
    case lt = "<", le = "<=", gt = ">", ge = ">="
    case bitAnd = "&", bitOr = "|", bitXor = "^", shl = "<<", shr = ">>", ushr = ">>>"
}

indirect enum Expr: Sendable {
    case null(Int)
    case bool(Bool, Int)
    case int(Int64, Int)
    case double(Double, Int)
    case string(String, Int)
    case variable(String, Int)
    /// `a.b` / `a?.b`.
    case field(Expr, String, nullSafe: Bool, Int)
    /// `a[b]`.
    case index(Expr, Expr, Int)
    /// `a.m(args)` / `a?.m(args)`.
    case call(Expr, String, [Expr], nullSafe: Bool, Int)
    /// `Math.max(a, b)`.
    case staticCall(String, String, [Expr], Int)
    /// `Integer.MAX_VALUE`.
    case staticField(String, String, Int)
    case new(TypeName, [Expr], Int)
    case list([Expr], Int)
    case map([(Expr, Expr)], Int)
    case unary(UnaryOp, Expr, Int)
    case binary(BinaryOp, Expr, Expr, Int)
    case and(Expr, Expr, Int)
    case or(Expr, Expr, Int)
    case conditional(Expr, Expr, Expr, Int)
    case elvis(Expr, Expr, Int)
    /// `a = b`, `a += b` (op set).
    case assign(Expr, BinaryOp?, Expr, Int)
    /// `++a`, `a--`.
    case increment(Expr, delta: Int64, prefix: Bool, Int)
    case cast(TypeName, Expr, Int)
    case instanceOf(Expr, TypeName, Int)
    /// `x -> expr`, `(a, b) -> { … }`: only as the argument of `removeIf`, `sort`, `forEach`.
    case lambda([String], Stmt, Int)

    var offset: Int {
        switch self {
        case .null(let p), .bool(_, let p), .int(_, let p), .double(_, let p), .string(_, let p), .variable(_, let p): return p
        case .field(_, _, _, let p), .index(_, _, let p), .call(_, _, _, _, let p), .staticCall(_, _, _, let p), .staticField(_, _, let p): return p
        case .new(_, _, let p), .list(_, let p), .map(_, let p), .unary(_, _, let p), .binary(_, _, _, let p): return p
        case .and(_, _, let p), .or(_, _, let p), .conditional(_, _, _, let p), .elvis(_, _, let p), .assign(_, _, _, let p): return p
        case .increment(_, _, _, let p), .cast(_, _, let p), .instanceOf(_, _, let p), .lambda(_, _, let p): return p
        }
    }
}

indirect enum Stmt: Sendable {
    case block([Stmt])
    case declare(TypeName, [(name: String, value: Expr?, offset: Int)])
    case expr(Expr)
    case ifElse(Expr, Stmt, Stmt?)
    case whileLoop(Expr, Stmt, Int)
    case doWhile(Stmt, Expr, Int)
    case forLoop(initial: [Stmt], condition: Expr?, step: [Expr], body: Stmt, Int)
    case forEach(TypeName, String, Expr, Stmt, Int)
    case breakLoop(Int)
    case continueLoop(Int)
    case returnValue(Expr?, Int)
    /// `throw new IllegalArgumentException(message)`.
    case throwException(type: String, message: Expr?, Int)
    case empty
}
