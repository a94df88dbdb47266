using System.Text.Json.Serialization;
using Vigil.Data;
using Vigil.Store;

namespace Vigil.Cli;

/// <summary>Source-generated JSON for the records the CLI prints (camelCase, indented).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(IReadOnlyList<DrvMismatch>))]
[JsonSerializable(typeof(List<FodJson>))]
[JsonSerializable(typeof(GateJson))]
[JsonSerializable(typeof(List<SourceJson>))]
[JsonSerializable(typeof(ScanSummary))]
[JsonSerializable(typeof(IReadOnlyList<RevisionInfo>))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
