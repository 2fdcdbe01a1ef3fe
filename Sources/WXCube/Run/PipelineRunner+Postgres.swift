import Foundation

extension PipelineRunner {
    /// Loads the pipeline's `postgres` outputs after its files are written
    /// (docs/postgres.md), then rewrites `manifest.json` with each load's
    /// outcome. Returns the failure message, or nil when every load committed.
    /// A failed load changes nothing in its database; files and store stay.
    func loadPhase(plan: Plan, store: RawStore, manifest: Manifest, unavailable: [EndpointUnavailable] = []) async -> String? {
        let outputs = spec.outputs.filter { $0.format == .postgres }
        guard !outputs.isEmpty else { return nil }
        let datasets = PipelineDatasets(spec: spec, range: plan.range, store: store)
        datasets.unavailable = unavailable
        var context = ExportContext(
            pipelineName: spec.name, range: plan.range, accounts: spec.accounts.map(\.name),
            caveat: datasets.thresholdCaveat, generatedAt: options.now ?? Date(),
            version: WXCubeVersion.current)
        context.unavailable = unavailable
        var loads: [ManifestLoad] = []
        var failure: String?
        for output in outputs {
            guard let target = output.postgres else { continue }
            let names = output.datasets.map(\.rawValue)
            // After a failure the later outputs are not attempted: the run is failed anyway.
            if failure != nil {
                loads.append(
                    ManifestLoad(
                        url: target.redactedURL, schema: target.schema, mode: target.mode.rawValue,
                        datasets: names, status: "skipped", error: "an earlier postgres output failed"))
                continue
            }
            do {
                let rows = try await PostgresLoader(target: target, logger: logger).load(output.datasets, from: datasets, context: context)
                loads.append(
                    ManifestLoad(
                        url: target.redactedURL, schema: target.schema, mode: target.mode.rawValue,
                        datasets: names, status: "loaded", datasetRows: rows))
                logger.info("postgres: committed \(rows.reduce(0, +)) rows into \(target.redactedURL) schema \(target.schema)")
            } catch {
                loads.append(
                    ManifestLoad(
                        url: target.redactedURL, schema: target.schema, mode: target.mode.rawValue,
                        datasets: names, status: "failed", error: error.description))
                failure =
                    "\(error.description); the run's files in \(options.outDirectory) and the store are kept: fix this and run again (add --offline to skip fetching)"
            }
        }
        var updated = manifest
        updated.loads = loads
        do {
            try OutputWriter(outDirectory: URL(fileURLWithPath: options.outDirectory), context: context, logger: logger)
                .writeManifest(updated)
        } catch {
            return (failure.map { $0 + "; " } ?? "") + "cannot rewrite \(OutputWriter.manifestName) with the load results: \(error)"
        }
        return failure
    }
}
