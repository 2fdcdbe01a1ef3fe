import Foundation

extension APIBase {
    /// `sandbox`, or an http(s) URL with a host (a trailing `/` dropped).
    /// Used for `api.base_url` and `--api-base` alike, so both mean the same.
    public init?(parsing text: String) {
        let s = text.trimmingCharacters(in: .whitespaces)
        if s == "sandbox" {
            self = .sandbox
            return
        }
        guard !s.isEmpty, !s.contains(where: { $0.isWhitespace }),
            let url = URL(string: s), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil
        else { return nil }
        var base = s
        while base.hasSuffix("/") { base.removeLast() }
        self = .url(base)
    }

    /// What a bad value gets told.
    public static let expected = "an http(s) URL such as https://api.weixin.qq.com, or `sandbox`"
}
