namespace Vigil.Data.Tests.Support;

/// <summary>Tests that time themselves run alone, after the parallel ones, so the other tests' load does not skew them.</summary>
[CollectionDefinition(nameof(SerialCollection), DisableParallelization = true)]
public sealed class SerialCollection;
