/// A self-contained HTML page (no external asset, no script): the CSS inline, print-friendly.
/// What the journal's certificate and run report are written with. Deterministic: the same
/// journal gives the same bytes (nothing here reads a clock).
struct HTMLPage {
    private(set) var body = ""

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// Appends raw markup (the caller escapes what it interpolates).
    mutating func raw(_ markup: String) { body += markup + "\n" }

    mutating func heading(_ level: Int, _ text: String) { raw("<h\(level)>\(Self.escape(text))</h\(level)>") }
    mutating func paragraph(_ text: String, className: String? = nil) {
        raw("<p\(className.map { " class=\"\($0)\"" } ?? "")>\(Self.escape(text))</p>")
    }

    /// A table; cells are text (escaped), or markup when wrapped in `Cell.markup`.
    mutating func table(_ header: [String], _ rows: [[Cell]], className: String? = nil) {
        raw("<table\(className.map { " class=\"\($0)\"" } ?? "")><thead><tr>"
            + header.map { "<th>\(Self.escape($0))</th>" }.joined() + "</tr></thead><tbody>")
        for row in rows {
            raw("<tr>" + row.map { "<td>\($0.html)</td>" }.joined() + "</tr>")
        }
        raw("</tbody></table>")
    }

    enum Cell {
        case text(String)
        case code(String)
        case markup(String)

        var html: String {
            switch self {
            case .text(let s): return HTMLPage.escape(s)
            case .code(let s): return "<code>\(HTMLPage.escape(s))</code>"
            case .markup(let s): return s
            }
        }
    }

    func document(title: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>\(Self.escape(title))</title>
        <style>
        body { font: 14px/1.45 "DejaVu Sans", Helvetica, Arial, sans-serif; color: #1a1a1a; margin: 2.5em auto; max-width: 60em; padding: 0 1.5em; }
        h1 { font-size: 1.7em; margin-bottom: .2em; }
        h2 { font-size: 1.2em; margin-top: 1.8em; border-bottom: 1px solid #ccc; padding-bottom: .2em; }
        .lead { color: #444; margin-top: 0; }
        table { border-collapse: collapse; width: 100%; margin: .6em 0; }
        th, td { text-align: left; vertical-align: top; padding: .35em .6em; border-bottom: 1px solid #e2e2e2; }
        th { background: #f3f3f3; font-weight: 600; }
        code, .mono { font-family: "DejaVu Sans Mono", Menlo, monospace; font-size: .86em; word-break: break-all; }
        .outcome { font-weight: 600; }
        table.vendors tr.head td { border-bottom: none; padding-bottom: .1em; }
        table.vendors tr.detail td { padding-top: 0; color: #333; }
        .deleted, .suspended { color: #1b6e20; } .failed { color: #b71c1c; } .not_found { color: #455a64; }
        dl { display: grid; grid-template-columns: max-content 1fr; gap: .25em 1em; }
        dt { color: #555; } dd { margin: 0; }
        pre { background: #f6f6f6; padding: .7em 1em; white-space: pre-wrap; word-break: break-all; }
        .note { color: #555; font-size: .92em; }
        @media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } tr { break-inside: avoid; } }
        </style>
        </head>
        <body>
        \(body)</body>
        </html>

        """
    }
}
