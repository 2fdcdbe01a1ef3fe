public enum WXCubeVersion {
    public static let current = "0.1.0"
}
