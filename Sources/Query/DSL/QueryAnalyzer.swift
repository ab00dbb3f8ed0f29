import Index

/// The analyzer full-text queries use on `text` fields: lowercase, split on everything that is not
/// a letter, mark or digit. It is the same tokenizer `text` fields are indexed with
/// (`Index.StandardAnalyzer`), so query tokens and indexed tokens always agree.
public enum QueryAnalyzer {
    /// The tokens of `text`, in order (positions are the array indices).
    public static func tokens(_ text: String) -> [String] {
        StandardAnalyzer.tokens(text)
    }
}
