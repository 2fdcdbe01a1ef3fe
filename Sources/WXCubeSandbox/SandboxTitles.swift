import Foundation
import WXCube

/// Article titles: mostly ordinary Chinese headlines, with the characters that break
/// naive CSV, JSON, XML and spreadsheet writers mixed in on purpose.
enum SandboxTitles {
    private static let topics = [
        "新能源汽车", "人工智能", "咖啡市场", "短视频", "跨境电商", "城市骑行", "预制菜", "露营经济",
        "芯片产业", "直播带货", "养老金", "二手房", "奶茶品牌", "在线教育", "智能手表", "宠物医疗",
    ]

    /// `{t}` is a topic, `{u}` a second topic, `{n}` a number.
    private static let templates = [
        "{t}行业报告：市场规模持续扩大",
        "{t}用户粘性行业领先",
        "一文读懂{t}的{n}个关键数据",
        "{t}，{u}，还有你关心的{n}件事",
        "{t}, {u} and {n} more things to watch",
        "=SUM({n}) 不是公式，是{t}的真实增长",
        "+{n}%：{t}再创新高",
        "-{n}℃的冬天，{t}还在增长吗？",
        "@所有人 {t}周报第{n}期",
        "🚀 {t}爆发 🔥 {n}万人围观",
        "“{t}”之后，{u}怎么走",
        "他说：\"{t}是下一个风口\"",
        "{t}\n第二行：{u}的{n}个变化",
        "{t}\t分栏\t{n}",
        "{t}\u{0B}控制字符{n}",
        "{t} vs {u}：谁更值得关注？",
        "{n}张图看懂{t}",
        "深度 | {t}与{u}的{n}年",
    ]

    static func title(seed: UInt64, appid: String, day: Day, index: Int) -> String {
        var g = SplitMix64(keys: seed, 9, SplitMix64.key(appid), UInt64(bitPattern: Int64(day.daysSinceEpoch)), UInt64(index))
        let template = templates[g.below(templates.count)]
        let t = topics[g.below(topics.count)]
        var u = topics[g.below(topics.count)]
        if u == t { u = topics[(topics.firstIndex(of: t).map { $0 + 1 } ?? 0) % topics.count] }
        let n = String(g.range(2...99))
        return
            template
            .replacingOccurrences(of: "{t}", with: t)
            .replacingOccurrences(of: "{u}", with: u)
            .replacingOccurrences(of: "{n}", with: n)
    }
}
